"""An OpenAI chat-completions `message` to one command: the OpenAI-compatible wire format's parse.

The command sits in `tool_calls` (or the legacy `function_call`) when the server ran the tool,
else in `content`, a string or a list of content parts, read as text (backends/answer_text.py).

Light on purpose (no httpx): scripts and tests read messages with it.
"""

from __future__ import annotations

from typing import Any

from backends.answer_text import parse_text_detailed
from backends.command_text import ParsedCommand, clip
from backends.errors import NoUsableCommand
from backends.tool_calls import command_from_tool_calls


def parse_openai_message(message: dict[str, Any]) -> str:
    """One command from an OpenAI chat `message` (tool_calls first, then content)."""
    return parse_openai_message_detailed(message).command


def parse_openai_message_detailed(message: dict[str, Any]) -> ParsedCommand:
    """One command from an OpenAI chat `message`, with its explanation and shape."""
    if not isinstance(message, dict):
        raise NoUsableCommand("the answer has no message", raw=clip(repr(message)))
    calls = message.get("tool_calls") or []
    legacy = message.get("function_call")
    if isinstance(legacy, dict):
        calls = [*calls, {"function": legacy}] if isinstance(calls, list) else [legacy]
    found = command_from_tool_calls(calls)
    if found is not None:
        return found
    return parse_text_detailed(content_text(message.get("content")))


def content_text(content: Any) -> str:
    """A message's content as text: a string, or the text of its content parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: [{"type": "text", "text": ...}]
        return "\n".join(
            part["text"]
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    # A number or an object is no answer text; its repr must not become a command.
    raise NoUsableCommand("the answer's content is not text", raw=clip(repr(content)))
