"""The OpenAI-compatible wire format's parse: a chat `message` to one command."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backends.errors import NoUsableCommand
from backends.remote.openai_message import parse_openai_message

# --------------------------------------------------------------------------- chat messages


@pytest.mark.parametrize("name", ["execute_shell", "run_shell", "shell", "bash", "command"])
def test_openai_tool_call_names(name: str) -> None:
    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps({"command": "ls -l"})},
            }
        ],
    }
    assert parse_openai_message(message) == "ls -l"


def test_openai_arguments_as_object_and_cmd_key() -> None:
    message = {"tool_calls": [{"function": {"name": "shell", "arguments": {"cmd": "ls"}}}]}
    assert parse_openai_message(message) == "ls"


def test_openai_unknown_tool_falls_back_to_content() -> None:
    message = {
        "content": '{"command": "uptime"}',
        "tool_calls": [{"function": {"name": "get_weather", "arguments": "{}"}}],
    }
    assert parse_openai_message(message) == "uptime"


def test_openai_content_parts_and_legacy_function_call() -> None:
    assert parse_openai_message({"content": [{"type": "text", "text": "`uname -r`"}]}) == (
        "uname -r"
    )
    legacy = {"function_call": {"name": "execute_shell", "arguments": '{"command": "id"}'}}
    assert parse_openai_message(legacy) == "id"


def test_openai_cut_off_arguments_are_unusable() -> None:
    calls = [{"function": {"name": "execute_shell", "arguments": '{"command": "rm -rf /tmp/x'}}]
    with pytest.raises(NoUsableCommand):
        parse_openai_message({"tool_calls": calls, "content": None})
    bare = [{"function": {"name": "execute_shell", "arguments": "ls -la"}}]
    assert parse_openai_message({"tool_calls": bare}) == "ls -la"


def test_openai_two_different_tool_calls_are_unusable() -> None:
    calls = [
        {"function": {"name": "execute_shell", "arguments": '{"command": "ls"}'}},
        {"function": {"name": "execute_shell", "arguments": '{"command": "rm x"}'}},
    ]
    with pytest.raises(NoUsableCommand, match="several"):
        parse_openai_message({"tool_calls": calls})


def test_openai_empty_message_is_unusable() -> None:
    with pytest.raises(NoUsableCommand):
        parse_openai_message({"role": "assistant", "content": ""})


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=10,
    )
)
def test_arbitrary_messages_only_ever_raise_no_usable_command(payload: object) -> None:
    for message in ({"content": payload}, {"tool_calls": payload}, payload):
        with contextlib.suppress(NoUsableCommand):
            parse_openai_message(message)  # type: ignore[arg-type]


def test_a_nul_character_makes_no_command() -> None:
    message = {
        "tool_calls": [
            {"function": {"name": "execute_shell", "arguments": '{"command": "ls\\u0000 -la"}'}}
        ]
    }
    with pytest.raises(NoUsableCommand, match="NUL"):
        parse_openai_message(message)


@pytest.mark.parametrize("content", [{"a": 1}, 42, True])
def test_content_that_is_not_text_is_no_command(content: object) -> None:
    with pytest.raises(NoUsableCommand, match="not text"):
        parse_openai_message({"content": content})
