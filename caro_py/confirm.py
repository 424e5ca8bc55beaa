"""Ask before running: `Execute? [y/N/e/r/x]`, with editing on a prefilled readline line.

y runs, e edits, r revises (more words, a new command), x explains; anything else declines.
Default is No. A high-risk command (or a critical one under the permissive policy) needs
the word `yes`. EOF declines; Ctrl-C propagates as KeyboardInterrupt (exit 130).
"""

from __future__ import annotations

import enum
import sys
from typing import TextIO


class Answer(enum.Enum):
    RUN = "run"
    DECLINE = "decline"
    EDIT = "edit"
    REVISE = "revise"
    EXPLAIN = "explain"


PROMPT = "Execute? [y/N/e/r/x] "
PROMPT_YES = (
    "{label} risk. Type 'yes' to run it, 'e' to edit, 'r' to revise, 'x' to explain, "
    "anything else declines: "
)
PROMPT_REVISE = "What should change? "
PROMPT_HIGH = PROMPT_YES.format(label="High")


def prompt_for(*, needs_yes: bool, risk_label: str = "high") -> str:
    """The question, naming the risk when the answer must be the word yes."""
    return PROMPT_YES.format(label=risk_label.capitalize()) if needs_yes else PROMPT


def ask(
    *,
    needs_yes: bool,
    risk_label: str = "high",
    stdin: TextIO | None = None,
    stderr: TextIO | None = None,
) -> Answer:
    """One question on stderr, one line from stdin."""
    stdin = stdin or sys.stdin
    stderr = stderr or sys.stderr
    stderr.write(prompt_for(needs_yes=needs_yes, risk_label=risk_label))
    stderr.flush()
    line = stdin.readline()
    if not line:  # EOF (Ctrl-D): the safe reading is "no"
        stderr.write("\n")
        return Answer.DECLINE
    return interpret(line, needs_yes=needs_yes)


def interpret(line: str, *, needs_yes: bool) -> Answer:
    word = line.strip().lower()
    if word in ("e", "edit"):
        return Answer.EDIT
    if word in ("r", "revise"):
        return Answer.REVISE
    if word in ("x", "explain"):
        return Answer.EXPLAIN
    if needs_yes:
        return Answer.RUN if word == "yes" else Answer.DECLINE
    return Answer.RUN if word in ("y", "yes") else Answer.DECLINE


def edit(command: str) -> str:
    """Let the user change the command on a line prefilled with it; return the new text."""
    sys.stderr.write("Edit the command, then press Enter:\n")
    sys.stderr.flush()
    try:
        import readline
    except ImportError:  # no readline (some builds): retype it instead
        sys.stderr.write(f"(no line editor here; retype it) {command}\n")
        sys.stderr.flush()
        return input("> ").strip()
    readline.set_startup_hook(lambda: readline.insert_text(command))
    try:
        return input("> ").strip()
    finally:
        readline.set_startup_hook(None)


def revision() -> str:
    """The words that say how to change the command (empty: keep it and ask again)."""
    sys.stderr.write(PROMPT_REVISE)
    sys.stderr.flush()
    import contextlib

    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (line editing for input())
    return " ".join(input().split())
