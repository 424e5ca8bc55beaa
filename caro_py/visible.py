"""Text from a model or a server, made safe to print on a terminal.

An answer can carry escape sequences, carriage returns or direction overrides that make
the screen show something other than what would run (`rm ... # ESC[2K ESC[G ls -la` shows
as `ls -la`). Everything caro prints that it did not write itself goes through `visible`,
which spells such characters out (`\\x1b`, `\\u202e`) instead of sending them.
"""

from __future__ import annotations

import re

# C0 and C1 controls but tab and newline, DEL, and the invisible and direction-changing
# format characters (zero-width space/joiners, LRM/RLM, embeddings, overrides, isolates,
# word joiner, BOM). The same class as the safety rule text.hidden-characters; it is not
# imported from there because importing safety costs ~90 ms on every path that prints,
# and a test keeps the two equal.
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _spell(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every character that would act on the terminal written out as an escape."""
    return _HIDDEN.sub(_spell, text)
