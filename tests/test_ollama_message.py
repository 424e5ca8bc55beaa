"""The Ollama wire format's parse: an /api/chat `message` to one command."""

from __future__ import annotations

from backends.remote.ollama_message import parse_ollama_message


def test_ollama_tool_calls_and_content() -> None:
    message = {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"function": {"name": "execute_shell", "arguments": {"command": "ls"}}}],
    }
    assert parse_ollama_message(message) == "ls"
    assert parse_ollama_message({"content": '{"command": "pwd"}', "thinking": "hmm"}) == "pwd"
