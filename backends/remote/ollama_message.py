"""An Ollama /api/chat `message` to one command: the Ollama wire format's parse.

Ollama puts the command in `tool_calls` when the model called the tool (`arguments` as an
object, where OpenAI sends a JSON string; backends/tool_calls.py reads both), else in the
`content` string, read as text (backends/answer_text.py). A thinking model's `thinking` field
is its reasoning, never the answer: it is not read.
"""

from __future__ import annotations

from typing import Any

from backends.answer_text import parse_text_detailed
from backends.command_text import ParsedCommand, clip
from backends.errors import NoUsableCommand
from backends.tool_calls import command_from_tool_calls


def parse_ollama_message(message: dict[str, Any]) -> str:
    """One command from an Ollama /api/chat `message` (tool_calls first, then content)."""
    return parse_ollama_message_detailed(message).command


def parse_ollama_message_detailed(message: dict[str, Any]) -> ParsedCommand:
    """One command from an Ollama `message`, with its explanation and shape."""
    if not isinstance(message, dict):
        raise NoUsableCommand("the answer has no message", raw=clip(repr(message)))
    found = command_from_tool_calls(message.get("tool_calls") or [])
    if found is not None:
        return found
    content = message.get("content")
    if content is not None and not isinstance(content, str):
        # A number or an object is no answer text; its repr must not become a command.
        raise NoUsableCommand("the answer's content is not text", raw=clip(repr(content)))
    return parse_text_detailed(content or "")
