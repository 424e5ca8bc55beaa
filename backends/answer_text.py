"""A model's answer as text to one command: the reader for every format whose answer is text.

OpenAI-compatible and Ollama message content (backends/remote/openai_message.py,
backends/remote/ollama_message.py) and the embedded chatml profile's answer come here. Shapes,
in order: a call written as text (FunctionGemma's native syntax, JSON: {"command": ...},
{"cmd": ...}, a tool call object, alone or inside prose or a fence), then, unless the text
declines, a fenced code block, inline code, a bare line. What is found is judged by
backends/command_text.py like any other format's command.

Light on purpose (json, re and the parsing modules; no httpx, no llama_cpp): the embedded
backend's client and the remote backends import it, and neither may pull the other's weight in.
"""

from __future__ import annotations

import json
import re
from typing import Any

from backends.command_text import (
    ParsedCommand,
    asks_back,
    clean_command,
    clip,
    command_from_arguments,
    command_in_line,
    first_line,
    is_refusal,
    logical_lines,
    one_command,
    reads_as_command,
    strip_thinking,
)
from backends.embedded.functiongemma_call import command_from_calls
from backends.errors import NoUsableCommand
from backends.tool_calls import command_from_tool_calls

_FENCE = re.compile(r"```[ \t]*([\w+.-]*)[^\n]*\n(.*?)(?:```|\Z)", re.S)
_INLINE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
_FUNCTION_CALL = re.compile(r"\s*call:[\w.\-]+\s*\{")
_BROKEN_JSON = re.compile(r"\s*[\[{][\s\[{]*\"")


def parse_text(text: str) -> str:
    """One command from free text, or NoUsableCommand."""
    return parse_text_detailed(text).command


def parse_text_detailed(text: str) -> ParsedCommand:
    """One command from free text, with its explanation and the shape it came in."""
    if not isinstance(text, str):
        raise NoUsableCommand("the answer is not text", raw=clip(repr(text)))
    cleaned = strip_thinking(text).strip()
    if not cleaned:
        raise NoUsableCommand("the model gave an empty answer", raw=clip(text))

    if "<start_function_call>" in cleaned or _FUNCTION_CALL.match(cleaned):
        found = command_from_calls(cleaned)
        if found is not None:
            return found
        raise NoUsableCommand(
            "the model's function call is cut off or calls no shell tool", raw=clip(text)
        )

    structured = _from_json(cleaned)
    if structured is not None:
        return structured

    if is_refusal(cleaned):
        raise NoUsableCommand("the model declined: " + first_line(cleaned), raw=clip(text))

    found = _from_fences(cleaned, text)
    if found is not None:
        return found
    found = _from_inline(cleaned, text)
    if found is not None:
        return found
    return _from_lines(cleaned, text)


# --------------------------------------------------------------------------- JSON written as text


def _from_json_value(value: Any) -> ParsedCommand | None:
    if isinstance(value, list):
        found = [f for f in (_from_json_value(v) for v in value) if f is not None]
        return one_command(found, clip(json.dumps(value, default=str))) if found else None
    if not isinstance(value, dict):
        return None
    if "tool_calls" in value:
        return command_from_tool_calls(value["tool_calls"])
    if "name" in value and isinstance(value.get("arguments", value.get("parameters")), dict | str):
        return command_from_tool_calls([value])
    return command_from_arguments(None, value, source="json")


def _from_json(text: str) -> ParsedCommand | None:
    """A JSON answer, whole or embedded in prose or a fence."""
    decoder = json.JSONDecoder()
    try:
        whole = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        whole = None
    if whole is not None:
        parsed = _from_json_value(whole)
        if parsed is None:
            raise NoUsableCommand("the JSON answer holds no command", raw=clip(text))
        return one_command([parsed], text)
    found: list[ParsedCommand] = []
    pos = 0
    while True:
        start = text.find("{", pos)
        if start < 0:
            break
        try:
            value, end = decoder.raw_decode(text, start)
        except (json.JSONDecodeError, RecursionError):
            pos = start + 1
            continue
        parsed = _from_json_value(value)
        if parsed is not None:
            found.append(parsed)
        pos = end
    return one_command(found, text) if found else None


# --------------------------------------------------------------------------- free text


def _from_fences(text: str, raw: str) -> ParsedCommand | None:
    blocks = [m.group(2) for m in _FENCE.finditer(text)]
    if not blocks:
        return None
    commands: list[ParsedCommand] = []
    for block in blocks:
        lines = logical_lines(block)
        lines = [line for line in lines if not line.lstrip().startswith("#")]
        if not lines:
            continue
        if len(lines) > 1:
            raise NoUsableCommand(
                "the answer holds several commands; caro runs exactly one", raw=clip(raw)
            )
        commands.append(ParsedCommand(clean_command(lines[0]), _prose_around(text), "fenced"))
    if not commands:
        raise NoUsableCommand("the answer's code block is empty", raw=clip(raw))
    return one_command(commands, raw)


def _from_inline(text: str, raw: str) -> ParsedCommand | None:
    spans = [s.strip() for s in _INLINE.findall(text) if reads_as_command(s.strip())]
    if not spans:
        return None
    commands = [ParsedCommand(clean_command(s), None, "inline") for s in spans]
    return one_command(commands, raw)


def _from_lines(text: str, raw: str) -> ParsedCommand:
    if asks_back(text):
        raise NoUsableCommand(
            "the model asked for clarification: " + first_line(text), raw=clip(raw)
        )
    if _BROKEN_JSON.match(text):
        raise NoUsableCommand("the answer is broken or cut-off JSON", raw=clip(raw))
    lines = logical_lines(text)
    candidates = [c for c in (command_in_line(line) for line in lines) if c is not None]
    if not candidates:
        raise NoUsableCommand("the answer holds no command: " + first_line(text), raw=clip(raw))
    if len(candidates) > 1:
        raise NoUsableCommand(
            "the answer holds several commands; caro runs exactly one", raw=clip(raw)
        )
    found = one_command([ParsedCommand(clean_command(candidates[0]), None, "bare")], raw)
    assert found is not None  # one_command returns None only for an empty list
    return found


def _prose_around(text: str) -> str | None:
    prose = " ".join(_FENCE.sub(" ", text).split())
    return prose[:500] or None
