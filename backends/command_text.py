"""Is this text a command or prose, and the one command it holds: the judgement every backend uses.

Each wire format finds the candidate command in its own shape (backends/tool_calls.py,
backends/answer_text.py, backends/remote/openai_message.py, backends/remote/ollama_message.py,
backends/embedded/functiongemma_call.py); what they find is judged here, the same for all: a
command field holding a refusal, a question back, a sentence or a placeholder
(`<your command here>`) is no command, and neither are several commands (see one_command).

Light on purpose (re and the error types only): every backend imports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

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
_LEAD_IN = re.compile(r"^([A-Za-z][\w '’,()-]{0,60}?):\s+(\S.*)$")
_COMMAND_WORD = re.compile(r"^[\w./~\[\]{}()$!:=+-]+$")


@dataclass(frozen=True)
class ParsedCommand:
    command: str
    explanation: str | None = None
    source: str = "text"  # tool_call | json | functiongemma | fenced | inline | bare


# --------------------------------------------------------------------------- the single command


def one_command(found: list[ParsedCommand], raw: str) -> ParsedCommand | None:
    """The single command among the finds (None when there are none), judged.

    Several different ones, several lines, or a value that is no command (command_problem)
    make the answer unusable.
    """
    if not found:
        return None
    commands = {f.command for f in found}
    if len(commands) > 1:
        raise NoUsableCommand(
            "the answer holds several commands; caro runs exactly one", raw=clip(raw)
        )
    chosen = found[0]
    if not chosen.command:
        raise NoUsableCommand("the model gave an empty command", raw=clip(raw))
    lines = logical_lines(chosen.command)
    if len(lines) > 1:
        raise NoUsableCommand(
            "the answer holds several commands on separate lines; caro runs exactly one",
            raw=clip(raw),
        )
    if lines and lines[0] != chosen.command:
        chosen = ParsedCommand(lines[0], chosen.explanation, chosen.source)
    problem = command_problem(chosen.command)
    if problem is not None:
        raise NoUsableCommand(problem, raw=clip(raw))
    return chosen


def command_from_arguments(
    name: str | None, arguments: dict[str, Any], *, source: str
) -> ParsedCommand | None:
    """The command field of a call to the shell tool (or of a bare JSON object), cleaned.

    None when the call names another tool or holds no command key. Not judged yet: a command
    field is no proof of a command (models put refusals, questions and their own instructions
    there too), so callers pass what they find to one_command.
    """
    if name is not None and name not in TOOL_NAMES:
        return None
    for key in COMMAND_KEYS:
        value = arguments.get(key)
        if isinstance(value, str):
            explanation = next(
                (arguments[k] for k in EXPLANATION_KEYS if isinstance(arguments.get(k), str)),
                None,
            )
            return ParsedCommand(clean_command(value), explanation, source)
    return None


# --------------------------------------------------------------------------- cleaning


def strip_thinking(text: str) -> str:
    """Drop <think>...</think> blocks, an unclosed trailing one, and a stray closing tag."""
    text = _THINK.sub("", text)
    text = _THINK_CLOSE.sub("", text)
    return _THINK_OPEN.sub("", text)


def clean_command(command: str) -> str:
    """The command without thinking, surrounding backticks or a leading `$ ` prompt."""
    command = strip_thinking(command).strip()
    if command.startswith("`") and command.endswith("`") and len(command) > 1:
        command = command.strip("`").strip()
    command = _PROMPT.sub("", command, count=1)
    return command.strip()


def logical_lines(block: str) -> list[str]:
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


# --------------------------------------------------------------------------- command or prose


def is_refusal(text: str) -> bool:
    """A refusal at the start of the text or of a sentence in it."""
    return bool(_REFUSAL.search(text))


def asks_back(text: str) -> bool:
    """The text asks the user something instead of answering."""
    return bool(_CLARIFY.search(text)) or text.rstrip().endswith("?")


def is_prose(line: str) -> bool:
    """The line reads as an English sentence or a lead-in, not as a command line."""
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


def command_in_line(line: str) -> str | None:
    """The line if it reads as a command; the part after 'The command is:' if that does."""
    if not is_prose(line):
        return line
    lead_in = _LEAD_IN.match(line.strip())
    if lead_in and len(lead_in.group(1).split()) <= 8 and not is_prose(lead_in.group(2)):
        return lead_in.group(2)
    return None


def reads_as_command(span: str) -> bool:
    """An inline span that is a whole command, not prose or a fragment like `-la`."""
    if not span or is_prose(span):
        return False
    words = _PROMPT.sub("", span).split()
    first = words[0] if words else ""
    # A single word like `-la` or `foo.txt` is a fragment, not a command on its own.
    return bool(_COMMAND_WORD.match(first)) and (" " in span.strip() or first.isidentifier())


def command_problem(command: str) -> str | None:
    """Why a value given as a command is not one (a refusal, prose, a placeholder), or None."""
    stripped = command.strip()
    if not stripped:
        return None  # the caller reports an empty command
    first = first_line(stripped)
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


# --------------------------------------------------------------------------- error text


def first_line(text: str) -> str:
    """The answer's first line, short enough for an error message."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:200]


def clip(text: str) -> str:
    """How much of a bad answer an error keeps (NoUsableCommand.raw, shown by --verbose)."""
    return text[:_RAW_LIMIT]
