"""The Ollama wire format's parse: an /api/chat `message` to one command."""

from __future__ import annotations

import pytest

from backends.errors import NoUsableCommand
from backends.remote.ollama_message import parse_ollama_message


def test_ollama_tool_calls_and_content() -> None:
    message = {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"function": {"name": "execute_shell", "arguments": {"command": "ls"}}}],
    }
    assert parse_ollama_message(message) == "ls"
    assert parse_ollama_message({"content": '{"command": "pwd"}', "thinking": "hmm"}) == "pwd"


def test_ollama_arguments_as_a_json_string_are_read_too() -> None:
    calls = [{"function": {"name": "execute_shell", "arguments": '{"command": "df -h"}'}}]
    assert parse_ollama_message({"content": "", "tool_calls": calls}) == "df -h"


def test_the_thinking_field_is_never_the_answer() -> None:
    with pytest.raises(NoUsableCommand, match="empty"):
        parse_ollama_message({"content": "", "thinking": "ls -la"})


@pytest.mark.parametrize("content", [{"a": 1}, 42, ["ls"]])
def test_content_that_is_not_a_string_is_no_command(content: object) -> None:
    with pytest.raises(NoUsableCommand, match="not text"):
        parse_ollama_message({"content": content})


def test_a_message_that_is_not_an_object_is_no_command() -> None:
    with pytest.raises(NoUsableCommand, match="no message"):
        parse_ollama_message("ls")  # type: ignore[arg-type]
