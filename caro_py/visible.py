"""Text from a model or a server, made safe to print on a terminal.

An answer can carry escape sequences, carriage returns or direction overrides that make
the screen show something other than what would run (`rm ... # ESC[2K ESC[G ls -la` shows
as `ls -la`). Everything caro prints that it did not write itself goes through `visible`,
which spells such characters out (`\\x1b`, `\\u202e`) instead of sending them.
"""

from __future__ import annotations

import re

from safety.vocabulary import HIDDEN_CHARACTERS  # the class the safety rule judges

_HIDDEN = re.compile(HIDDEN_CHARACTERS)


def _spell(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every character that would act on the terminal written out as an escape."""
    return _HIDDEN.sub(_spell, text)
