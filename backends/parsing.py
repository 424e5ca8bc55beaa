"""Turn a model's answer, in any of the shapes models really produce, into one shell command.

Shapes: OpenAI and Ollama tool calls, plain JSON ({"command": ...} or {"cmd": ...}), JSON inside
prose, FunctionGemma's native call syntax, fenced code blocks, inline code, a bare line.
Anything else (several commands, empty, a refusal, a question back) raises NoUsableCommand,
whatever the shape: a tool call's or JSON's `command` field holding a refusal, a sentence or a
placeholder (`<your command here>`) is no command either (see command_problem).

Kept light on purpose (json and re only): the CLI may import it on its start-up path.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from backends.errors import NoUsableCommand

#: Tool names a model may use for "run this shell command".
TOOL_NAMES = frozenset({"execute_shell", "run_shell", "shell", "bash", "command"})
#: Keys that hold the command in a JSON answer or in tool arguments.
COMMAND_KEYS = ("command", "cmd")
EXPLANATION_KEYS = ("explanation", "description", "reason")

_RAW_LIMIT = 2000  # how much of a bad answer an error keeps, for --verbose

_THINK = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.S | re.I)
_THINK_OPEN = re.compile(r"<(think|thinking|reasoning)>.*\Z", re.S | re.I)
_THINK_CLOSE = re.compile(r"\A.*?</(think|thinking|reasoning)>", re.S | re.I)
_FENCE = re.compile(r"```[ \t]*([\w+.-]*)[^\n]*\n(.*?)(?:```|\Z)", re.S)
_INLINE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
_PROMPT = re.compile(r"^\s*\$\s+")

# A refusal or a question back, at the start of the answer or of a sentence in it.
_REFUSAL = re.compile(
    r"(?:^|[.!?\n]\s*)(?:"
    r"i\s*(?:'|’)?\s*m\s+(?:sorry|afraid|not\s+able|unable)"
    r"|i\s+am\s+(?:sorry|afraid|not\s+able|unable)"
    r"|sorry\b"
    r"|(?:i|we)\s+(?:(?:must|have\s+to|need\s+to)\s+)?(?:can\s*not|cannot|can(?:'|’)t|won(?:'|’)t|will\s+not|must\s+not|"
    r"shouldn(?:'|’)t|should\s+not|do\s+not|don(?:'|’)t|refuse|decline)\b"
    r"|as\s+an\s+ai\b"
    r"|unfortunately\b"
    r"|(?:i\s+)?apologi[sz]e"
    r"|it\s+(?:is|would\s+be)\s+(?:not\s+(?:possible|safe|appropriate)|unsafe|dangerous)"
    r"|that\s+(?:is|would\s+be)\s+(?:not\s+(?:possible|safe)|unsafe|dangerous|harmful)"
    r")",
    re.I,
)
_CLARIFY = re.compile(
    r"\b(?:please\s+(?:clarify|specify|provide|tell\s+me|explain)|could\s+you\s+(?:clarify|"
    r"specify|provide|please|tell|explain)|can\s+you\s+(?:clarify|specify|provide|tell|explain)|"
    r"what\s+do\s+you\s+mean|more\s+(?:information|details|context)\s+(?:is\s+)?(?:needed|"
    r"required)|i\s+need\s+more|not\s+sure\s+what\s+you\s+mean|which\s+\w+\s+do\s+you\s+mean|"
    r"do\s+you\s+mean)\b",
    re.I,
)
# Words that open English prose, not a command line. Shell words that are also English (for, if,
# yes, time, which, who, command, test, true) are deliberately absent.
_PROSE_START = re.compile(
    r"^(?:here(?:'s|\s+is|\s+are)|this|that|these|the|to|you|your|use|using|run|try|sure|"
    r"certainly|of\s+course|ok(?:ay)?|note|explanation|it|in|a|an|i|we|my|our|"
    r"output|answer|response|below|above|first|then|finally|alternatively|or|and|however|"
    r"no|not|nothing|there|maybe|perhaps|please|thanks|thank|well|so|because|since|what|why|"
    r"how|when|where|unable|cannot|can't|sorry|hello|hi)\b[\s,:!.]",
    re.I,
)
# Line endings that continue a command on the next line.
_CONTINUATION = re.compile(r"(?:\\|\|\||&&|\|)\s*$")
# Placeholders a model leaves for the user to fill in. A one-word <name> is checked outside
# quotes only (inside them it may be HTML: grep '<title>'); a several-word one anywhere.
_PLACEHOLDER_WORD = re.compile(r"(?<![<\w])<[A-Za-z][\w-]*>(?!>)")
_PLACEHOLDER_WORDS = re.compile(r"(?<![<\w])<[A-Za-z][\w-]*(?:[ _-]+[\w-]+)+>(?!>)")
_PLACEHOLDER_TOKEN = re.compile(
    r"\byour[_-]?(?:shell[_-]?)?(?:command|cmd)\b|\bcommand[_-]?here\b|\bYOUR_[A-Z_]+\b", re.I
)
# A model echoing its tool's signature instead of calling it: `run_shell(description: ...`.
_CALL_ECHO = re.compile(r"^\s*(?:call:)?(?:" + "|".join(sorted(TOOL_NAMES)) + r")\s*[({]", re.I)
_CAPITALISED = re.compile(r"[A-Z][a-z]+(?:['’][a-z]+)?,?")
#: Capitalised names of real programs, so they never read as the first word of a sentence.
_CAPITALISED_COMMANDS = frozenset({"Rscript", "Xvfb", "Xorg", "Xwayland"})


@dataclass(frozen=True)
class ParsedCommand:
    command: str
    explanation: str | None = None
    source: str = "text"  # tool_call | json | functiongemma | fenced | inline | bare


class FunctionCall(NamedTuple):
    name: str
    arguments: dict[str, Any]


# --------------------------------------------------------------------------- public contract


def parse_text(text: str) -> str:
    """One command from free text, or NoUsableCommand."""
    return parse_text_detailed(text).command


def parse_openai_message(message: dict[str, Any]) -> str:
    """One command from an OpenAI chat `message` (tool_calls first, then content)."""
    return parse_openai_message_detailed(message).command


def parse_ollama_message(message: dict[str, Any]) -> str:
    """One command from an Ollama /api/chat `message` (tool_calls first, then content)."""
    return parse_ollama_message_detailed(message).command


# --------------------------------------------------------------------------- detailed variants


def parse_openai_message_detailed(message: dict[str, Any]) -> ParsedCommand:
    if not isinstance(message, dict):
        raise NoUsableCommand("the answer has no message", raw=_clip(repr(message)))
    calls = message.get("tool_calls") or []
    legacy = message.get("function_call")
    if isinstance(legacy, dict):
        calls = [*calls, {"function": legacy}] if isinstance(calls, list) else [legacy]
    found = _from_tool_calls(calls)
    if found is not None:
        return found
    return parse_text_detailed(_content_text(message.get("content")))


def parse_ollama_message_detailed(message: dict[str, Any]) -> ParsedCommand:
    # Ollama's tool_calls carry `arguments` as an object; the shared reader takes both forms.
    return parse_openai_message_detailed(message)


def parse_text_detailed(text: str) -> ParsedCommand:
    if not isinstance(text, str):
        raise NoUsableCommand("the answer is not text", raw=_clip(repr(text)))
    cleaned = strip_thinking(text).strip()
    if not cleaned:
        raise NoUsableCommand("the model gave an empty answer", raw=_clip(text))

    if "<start_function_call>" in cleaned or re.match(r"\s*call:[\w.\-]+\s*\{", cleaned):
        found = _from_functiongemma(cleaned)
        if found is not None:
            return found
        raise NoUsableCommand(
            "the model's function call is cut off or calls no shell tool", raw=_clip(text)
        )

    structured = _from_json(cleaned)
    if structured is not None:
        return structured

    if _is_refusal(cleaned):
        raise NoUsableCommand("the model declined: " + _first_line(cleaned), raw=_clip(text))

    found = _from_fences(cleaned, text)
    if found is not None:
        return found
    found = _from_inline(cleaned, text)
    if found is not None:
        return found
    return _from_lines(cleaned, text)


def strip_thinking(text: str) -> str:
    """Drop <think>...</think> blocks, an unclosed trailing one, and a stray closing tag."""
    text = _THINK.sub("", text)
    text = _THINK_CLOSE.sub("", text)
    return _THINK_OPEN.sub("", text)


# --------------------------------------------------------------------------- FunctionGemma


def parse_functiongemma(text: str) -> list[FunctionCall]:
    """Every `call:NAME{...}` in FunctionGemma's native syntax, in order.

    Values: <escape>strings<escape>, numbers, true/false/null, {objects} and [arrays], nested.
    A call cut off before its closing brace is dropped; text outside calls is ignored.
    Raises NoUsableCommand when a call is present but malformed.
    """
    calls: list[FunctionCall] = []
    consumed = 0  # calls nested inside an earlier call's strings are not calls
    for match in re.finditer(r"call:([\w.\-]+)\s*\{", text):
        if match.start() < consumed:
            continue
        reader = _FGReader(text, match.end() - 1)
        try:
            arguments = reader.read_object()
        except _Truncated:
            continue
        except ValueError as exc:
            raise NoUsableCommand(f"malformed function call: {exc}", raw=_clip(text)) from None
        calls.append(FunctionCall(match.group(1), arguments))
        consumed = reader.pos
    return calls


class _Truncated(ValueError):
    pass


class _FGReader:
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
        assert self.text[self.pos] == "{"
        self.pos += 1
        result: dict[str, Any] = {}
        if self._peek() == "}":
            self.pos += 1
            return result
        while True:
            key = self._read_key()
            if self._peek() != ":":
                raise ValueError(f"expected ':' after key {key!r}")
            self.pos += 1
            result[key] = self.read_value()
            ch = self._peek()
            self.pos += 1
            if ch == "}":
                return result
            if ch != ",":
                raise ValueError(f"expected ',' or '}}' at offset {self.pos - 1}")

    def _read_key(self) -> str:
        self._skip_ws()
        if self.text.startswith(self.ESC, self.pos):
            return self._read_escaped()
        match = re.compile(r"[\w.\-]+").match(self.text, self.pos)
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

    def _read_array(self) -> list[Any]:
        self.pos += 1
        items: list[Any] = []
        if self._peek() == "]":
            self.pos += 1
            return items
        while True:
            items.append(self.read_value())
            ch = self._peek()
            self.pos += 1
            if ch == "]":
                return items
            if ch != ",":
                raise ValueError(f"expected ',' or ']' at offset {self.pos - 1}")

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
        match = re.compile(r"[^,}\]]+").match(self.text, self.pos)
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


def _from_functiongemma(text: str) -> ParsedCommand | None:
    calls = parse_functiongemma(text)
    commands: list[ParsedCommand] = []
    for call in calls:
        found = _from_arguments(call.name, call.arguments, source="functiongemma")
        if found is not None:
            commands.append(found)
    return _one(commands, text)


# --------------------------------------------------------------------------- tool calls and JSON


def _from_tool_calls(calls: Any) -> ParsedCommand | None:
    if not isinstance(calls, list):
        return None
    commands: list[ParsedCommand] = []
    for call in calls:
        if not isinstance(call, dict):
            continue
        function = call.get("function", call)
        if not isinstance(function, dict):
            continue
        name = function.get("name")
        if not isinstance(name, str) or name not in TOOL_NAMES:
            continue
        arguments = function.get("arguments", function.get("parameters"))
        if isinstance(arguments, str):
            text = arguments
            try:
                arguments = json.loads(text) if text.strip() else {}
            except (json.JSONDecodeError, RecursionError):
                # Some servers pass the bare command as the argument string; broken JSON
                # (an answer cut off mid-object) is no command at all.
                if text.lstrip().startswith(("{", "[")):
                    continue
                arguments = {"command": text}
        if not isinstance(arguments, dict):
            continue
        found = _from_arguments(name, arguments, source="tool_call")
        if found is not None:
            commands.append(found)
    return _one(commands, json.dumps(calls, default=str)[:_RAW_LIMIT])


def _from_arguments(
    name: str | None, arguments: dict[str, Any], *, source: str
) -> ParsedCommand | None:
    if name is not None and name not in TOOL_NAMES:
        return None
    for key in COMMAND_KEYS:
        value = arguments.get(key)
        if isinstance(value, str):
            explanation = next(
                (arguments[k] for k in EXPLANATION_KEYS if isinstance(arguments.get(k), str)),
                None,
            )
            # Checked in _one: a command field is no proof of a command (models put refusals,
            # questions and their own instructions there too).
            return ParsedCommand(_clean_command(value), explanation, source)
    return None


def _from_json_value(value: Any) -> ParsedCommand | None:
    if isinstance(value, list):
        found = [f for f in (_from_json_value(v) for v in value) if f is not None]
        return _one(found, json.dumps(value, default=str)[:_RAW_LIMIT]) if found else None
    if not isinstance(value, dict):
        return None
    if "tool_calls" in value:
        return _from_tool_calls(value["tool_calls"])
    if "name" in value and isinstance(value.get("arguments", value.get("parameters")), dict | str):
        return _from_tool_calls([value])
    return _from_arguments(None, value, source="json")


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
            raise NoUsableCommand("the JSON answer holds no command", raw=_clip(text))
        return _one([parsed], text)
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
    return _one(found, text) if found else None


# --------------------------------------------------------------------------- free text


def _from_fences(text: str, raw: str) -> ParsedCommand | None:
    blocks = [m.group(2) for m in _FENCE.finditer(text)]
    if not blocks:
        return None
    commands: list[ParsedCommand] = []
    for block in blocks:
        lines = _logical_lines(block)
        lines = [line for line in lines if not line.lstrip().startswith("#")]
        if not lines:
            continue
        if len(lines) > 1:
            raise NoUsableCommand(
                "the answer holds several commands; caro runs exactly one", raw=_clip(raw)
            )
        commands.append(ParsedCommand(_clean_command(lines[0]), _prose_around(text), "fenced"))
    if not commands:
        raise NoUsableCommand("the answer's code block is empty", raw=_clip(raw))
    return _one(commands, raw)


def _from_inline(text: str, raw: str) -> ParsedCommand | None:
    spans = [s.strip() for s in _INLINE.findall(text) if _looks_like_command(s.strip())]
    if not spans:
        return None
    commands = [ParsedCommand(_clean_command(s), None, "inline") for s in spans]
    return _one(commands, raw)


def _from_lines(text: str, raw: str) -> ParsedCommand:
    if _CLARIFY.search(text) or text.rstrip().endswith("?"):
        raise NoUsableCommand(
            "the model asked for clarification: " + _first_line(text), raw=_clip(raw)
        )
    if re.match(r"\s*[\[{][\s\[{]*\"", text):
        raise NoUsableCommand("the answer is broken or cut-off JSON", raw=_clip(raw))
    lines = _logical_lines(text)
    candidates = [c for c in (_command_part(line) for line in lines) if c is not None]
    if not candidates:
        raise NoUsableCommand("the answer holds no command: " + _first_line(text), raw=_clip(raw))
    if len(candidates) > 1:
        raise NoUsableCommand(
            "the answer holds several commands; caro runs exactly one", raw=_clip(raw)
        )
    found = _one([ParsedCommand(_clean_command(candidates[0]), None, "bare")], raw)
    assert found is not None  # _one returns None only for an empty list
    return found


def _logical_lines(block: str) -> list[str]:
    """Non-empty lines, with continuation lines (\\, |, &&, ||) joined."""
    out: list[str] = []
    pending = ""
    for line in block.splitlines():
        if not line.strip() and not pending:
            continue
        pending = f"{pending} {line.strip()}" if pending else line.strip()
        if _CONTINUATION.search(pending):
            if pending.endswith("\\"):
                pending = pending[:-1].rstrip()
            continue
        out.append(pending)
        pending = ""
    if pending:
        out.append(pending)
    return out


_LEAD_IN = re.compile(r"^([A-Za-z][\w '’,()-]{0,60}?):\s+(\S.*)$")


def _command_part(line: str) -> str | None:
    """The line if it reads as a command; the part after 'The command is:' if that does."""
    if not _is_prose(line):
        return line
    lead_in = _LEAD_IN.match(line.strip())
    if lead_in and len(lead_in.group(1).split()) <= 8 and not _is_prose(lead_in.group(2)):
        return lead_in.group(2)
    return None


def _is_prose(line: str) -> bool:
    stripped = line.strip()
    if _PROMPT.match(stripped):
        return False
    if stripped.endswith(":"):
        return True
    if _PROSE_START.match(stripped):
        return True
    words = stripped.split()
    # English sentences start with a capitalised word and end with a full stop.
    if words and words[0][:1].isupper() and words[0][1:].islower() and len(words) >= 3:
        return stripped.endswith((".", "!")) or len(words) >= 6
    return stripped.endswith((".", "!")) and len(words) >= 5


def _looks_like_command(span: str) -> bool:
    if not span or _is_prose(span):
        return False
    first = _PROMPT.sub("", span).split()[0] if _PROMPT.sub("", span).split() else ""
    # A single word like `-la` or `foo.txt` is a fragment, not a command on its own.
    return bool(re.match(r"^[\w./~\[\]{}()$!:=+-]+$", first)) and (
        " " in span.strip() or first.isidentifier()
    )


def command_problem(command: str) -> str | None:
    """Why a value given as a command is not one (a refusal, prose, a placeholder), or None."""
    stripped = command.strip()
    if not stripped:
        return None  # the caller reports an empty command
    first = _first_line(stripped)
    if "\x00" in stripped:
        return "the command holds a NUL character, which no shell can run"
    if _REFUSAL.match(stripped):
        return "the model declined: " + first
    unquoted, closed = _unquoted(stripped)
    if _CLARIFY.match(stripped) or (closed and _CLARIFY.search(unquoted)):
        return "the model asked for clarification: " + first
    if _CALL_ECHO.match(stripped):
        return "the model wrote out its tool's signature instead of a command: " + first
    if (
        _PLACEHOLDER_WORDS.search(stripped)
        or _PLACEHOLDER_TOKEN.search(stripped)
        or (closed and _PLACEHOLDER_WORD.search(unquoted))
    ):
        return "the command holds a placeholder to fill in, not a runnable command: " + first
    if _reads_as_prose(stripped):
        return "the model wrote a sentence, not a command: " + first
    if not closed:
        return "the command has an unclosed quote (cut off?): " + first
    return None


def _reads_as_prose(text: str) -> bool:
    """A sentence: a capitalised English word that names no program, more words, an end mark."""
    words = text.split()
    if len(words) < 3 or not text.rstrip("\"'”’)").endswith((".", "?", "!")):
        return False
    first = words[0]
    if _CAPITALISED.fullmatch(first) is None and _PROSE_START.match(text) is None:
        return False
    name = first.rstrip(",")
    if "/" in name or name in _CAPITALISED_COMMANDS:
        return False
    import shutil  # only for the rare answer that looks like a sentence

    return shutil.which(name) is None


def _unquoted(command: str) -> tuple[str, bool]:
    """The command with quoted text and comments removed, and whether every quote is closed."""
    out: list[str] = []
    i, n = 0, len(command)
    while i < n:
        ch = command[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "#" and (i == 0 or command[i - 1] in " \t;&|("):
            break  # a comment runs to the end of the line
        if ch == "'" or (ch == "$" and command.startswith("$'", i)):
            ansi = ch == "$"
            i += 2 if ansi else 1
            while i < n and command[i] != "'":
                i += 2 if ansi and command[i] == "\\" else 1
            if i >= n:
                return "".join(out), False
            out.append(" Q ")
        elif ch == '"':
            i += 1
            while i < n and command[i] != '"':
                i += 2 if command[i] == "\\" else 1
            if i >= n:
                return "".join(out), False
            out.append(" Q ")
        else:
            out.append(ch)
        i += 1
    return "".join(out), True


def _is_refusal(text: str) -> bool:
    return bool(_REFUSAL.search(text))


def _prose_around(text: str) -> str | None:
    prose = " ".join(_FENCE.sub(" ", text).split())
    return prose[:500] or None


def _clean_command(command: str) -> str:
    command = strip_thinking(command).strip()
    if command.startswith("`") and command.endswith("`") and len(command) > 1:
        command = command.strip("`").strip()
    command = _PROMPT.sub("", command, count=1)
    return command.strip()


def _one(found: list[ParsedCommand], raw: str) -> ParsedCommand | None:
    """The single command among the finds; several different ones make the answer unusable."""
    if not found:
        return None
    commands = {f.command for f in found}
    if len(commands) > 1:
        raise NoUsableCommand(
            "the answer holds several commands; caro runs exactly one", raw=_clip(raw)
        )
    chosen = found[0]
    if not chosen.command:
        raise NoUsableCommand("the model gave an empty command", raw=_clip(raw))
    lines = _logical_lines(chosen.command)
    if len(lines) > 1:
        raise NoUsableCommand(
            "the answer holds several commands on separate lines; caro runs exactly one",
            raw=_clip(raw),
        )
    if lines and lines[0] != chosen.command:
        chosen = ParsedCommand(lines[0], chosen.explanation, chosen.source)
    problem = command_problem(chosen.command)
    if problem is not None:
        raise NoUsableCommand(problem, raw=_clip(raw))
    return chosen


def _content_text(content: Any) -> str:
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
    raise NoUsableCommand("the answer's content is not text", raw=_clip(repr(content)))


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:200]


def _clip(text: str) -> str:
    return text[:_RAW_LIMIT]
