"""FunctionGemma's answers: its native call syntax, and the command the embedded model wrote.

The embedded backend prompts up to the prefill (backends/embedded/functiongemma.py), so the
model writes only the command and stops at ``<escape>``: command_after_prefill takes that text
as it is. A whole call, ``<start_function_call>call:NAME{key:<escape>value<escape>}``, comes
from a FunctionGemma served elsewhere and written into a text answer (backends/answer_text.py):
parse_functiongemma reads it.
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

from backends.command_text import (
    ParsedCommand,
    clean_command,
    clip,
    command_from_arguments,
    one_command,
)
from backends.embedded import functiongemma
from backends.errors import NoUsableCommand

_CALL = re.compile(r"call:([\w.\-]+)\s*\{")
_KEY = re.compile(r"[\w.\-]+")
_BARE_VALUE = re.compile(r"[^,}\]]+")


class FunctionCall(NamedTuple):
    name: str
    arguments: dict[str, Any]


def command_after_prefill(generated: str) -> ParsedCommand:
    """The command the embedded model wrote after the prefill, judged; or NoUsableCommand."""
    command = functiongemma.extract_command(generated)
    if command is None:
        raise NoUsableCommand("the embedded model gave an empty command", raw=generated)
    found = one_command([ParsedCommand(clean_command(command), None, "functiongemma")], generated)
    assert found is not None  # one_command returns None only for an empty list
    return found


def command_from_calls(text: str) -> ParsedCommand | None:
    """The one shell command the calls written in ``text`` carry; None when none calls it."""
    commands: list[ParsedCommand] = []
    for call in parse_functiongemma(text):
        found = command_from_arguments(call.name, call.arguments, source="functiongemma")
        if found is not None:
            commands.append(found)
    return one_command(commands, text)


def parse_functiongemma(text: str) -> list[FunctionCall]:
    """Every `call:NAME{...}` in FunctionGemma's native syntax, in order.

    Values: <escape>strings<escape>, numbers, true/false/null, {objects} and [arrays], nested.
    A call cut off before its closing brace is dropped; text outside calls is ignored.
    Raises NoUsableCommand when a call is present but malformed.
    """
    calls: list[FunctionCall] = []
    consumed = 0  # calls nested inside an earlier call's strings are not calls
    for match in _CALL.finditer(text):
        if match.start() < consumed:
            continue
        reader = _Reader(text, match.end() - 1)
        try:
            arguments = reader.read_object()
        except _Truncated:
            continue
        except ValueError as exc:
            raise NoUsableCommand(f"malformed function call: {exc}", raw=clip(text)) from None
        calls.append(FunctionCall(match.group(1), arguments))
        consumed = reader.pos
    return calls


class _Truncated(ValueError):
    pass


class _Reader:
    ESC = "<escape>"

    def __init__(self, text: str, pos: int) -> None:
        self.text = text
        self.pos = pos

    def _skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def _peek(self) -> str:
        self._skip_ws()
        if self.pos >= len(self.text):
            raise _Truncated("the call ends early")
        return self.text[self.pos]

    def read_object(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if self._opens_empty("{", "}"):
            return result
        while True:
            key = self._read_key()
            if self._peek() != ":":
                raise ValueError(f"expected ':' after key {key!r}")
            self.pos += 1
            result[key] = self.read_value()
            if self._closes("}"):
                return result

    def _read_array(self) -> list[Any]:
        items: list[Any] = []
        if self._opens_empty("[", "]"):
            return items
        while True:
            items.append(self.read_value())
            if self._closes("]"):
                return items

    def _opens_empty(self, opening: str, closing: str) -> bool:
        """Step over the opening bracket; True (past the closing one too) when nothing is inside."""
        assert self.text[self.pos] == opening
        self.pos += 1
        if self._peek() == closing:
            self.pos += 1
            return True
        return False

    def _closes(self, closing: str) -> bool:
        """After an item: True past the closing bracket, False past a comma (more follow)."""
        ch = self._peek()
        self.pos += 1
        if ch == closing:
            return True
        if ch != ",":
            raise ValueError(f"expected ',' or '{closing}' at offset {self.pos - 1}")
        return False

    def _read_key(self) -> str:
        self._skip_ws()
        if self.text.startswith(self.ESC, self.pos):
            return self._read_escaped()
        match = _KEY.match(self.text, self.pos)
        if not match:
            if self.pos >= len(self.text):
                raise _Truncated("the call ends early")
            raise ValueError(f"expected a key at offset {self.pos}")
        self.pos = match.end()
        return match.group(0)

    def _read_escaped(self) -> str:
        start = self.pos + len(self.ESC)
        end = self.text.find(self.ESC, start)
        if end < 0:
            raise _Truncated("an escaped string is not closed")
        self.pos = end + len(self.ESC)
        return self.text[start:end]

    def read_value(self) -> Any:
        ch = self._peek()
        if self.text.startswith(self.ESC, self.pos):
            return self._read_escaped()
        if ch == "{":
            return self.read_object()
        if ch == "[":
            return self._read_array()
        if ch == '"':  # some fine-tunes emit JSON strings instead of <escape>
            try:
                value, end = json.JSONDecoder().raw_decode(self.text, self.pos)
            except json.JSONDecodeError:
                raise _Truncated("a quoted string is not closed") from None
            self.pos = end
            return value
        match = _BARE_VALUE.match(self.text, self.pos)
        if not match:
            raise ValueError(f"expected a value at offset {self.pos}")
        self.pos = match.end()
        if self.pos >= len(self.text):
            raise _Truncated("the call ends early")
        token = match.group(0).strip()
        lowered = token.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered in ("null", "none"):
            return None
        try:
            return int(token)
        except ValueError:
            pass
        try:
            return float(token)
        except ValueError:
            return token  # a bare word: keep it as text
