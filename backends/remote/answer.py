"""Reading a chat answer beyond the parser: the tool's name is no part of a command, and
whether an unusable answer held something worth a repair turn.
"""

from __future__ import annotations

import re
import shlex
import shutil

from backends.chat_prompt import TOOL_NAME

# A model told about the tool but served without tool support writes the call as text:
# `execute_shell ls /tmp`, `execute_shell: "date"`.
_TOOL_PREFIX = re.compile(rf"^\s*{TOOL_NAME}\b:?\s*", re.I)
_FENCE = re.compile(r"^\s*```")
_PROMPT = re.compile(r"^\s*(?:\$|#|>)\s+")
# Shell builtins and keywords that lead a command line without being programs on PATH.
_SHELL_WORDS = frozenset(
    {"cd", "export", "source", "alias", "unset", "set", "for", "while", "if", "case", "read"}
    | {"type", "exec", "eval", "ulimit", "umask", "history", "jobs", "[["}
)


def without_tool_name(command: str) -> str:
    """``command`` without a leading tool name; a single quoted word after it is unquoted."""
    match = _TOOL_PREFIX.match(command)
    if match is None or shutil.which(TOOL_NAME) is not None:
        return command
    rest = command[match.end() :].strip()
    if rest[:1] in ("'", '"'):
        try:
            words = shlex.split(rest)
        except ValueError:
            return rest
        if len(words) == 1:
            return words[0].strip()
    return rest


def looks_like_command(text: str) -> bool:
    """Does any line of ``text`` start with a program on PATH or a shell word?

    A repair turn is worth its time only then; an answer of prose or a refusal gets none.
    """
    for raw in text.splitlines():
        line = _PROMPT.sub("", without_tool_name(raw.strip().strip("`")))
        if not line or _FENCE.match(raw):
            continue
        first = line.split()[0].strip("`\"'")
        if first == "sudo" and len(line.split()) > 1:
            first = line.split()[1]
        if first in _SHELL_WORDS or (
            re.fullmatch(r"[\w.+-]+", first) and shutil.which(first) is not None
        ):
            return True
    return False
