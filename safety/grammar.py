"""The bash grammar: one tree-sitter Parser, created on first use and reused."""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Parser, Tree

# tree-sitter-bash (0.23 and 0.25, with tree-sitter 0.25/0.26) reads out of bounds, and
# sometimes crashes the process, on code points from U+30000 up (planes 3-16: CJK extension G
# and H, then unassigned, tags and private use), and surrogates are not text at all. None of
# them is shell syntax, so each such 4-byte (or 3-byte surrogate) sequence is replaced before
# parsing by a character of the same byte length that the grammar handles like any other
# letter; byte offsets, and so every span, stay the same.
_RISKY_UTF8 = re.compile(
    rb"\xf0[\xb0-\xbf][\x80-\xbf]{2}|[\xf1-\xf7][\x80-\xbf]{3}|\xed[\xa0-\xbf][\x80-\xbf]"
)
_SAFE_BY_LENGTH = {4: "\U00020000".encode(), 3: "\u4e00".encode()}


def _defuse(source: bytes) -> bytes:
    return _RISKY_UTF8.sub(lambda m: _SAFE_BY_LENGTH[len(m.group())], source)


_lock = threading.Lock()
_parser: Parser | None = None
_failed = False


def get_parser() -> Parser | None:
    """The shared tree-sitter Parser, or None when the grammar cannot be loaded."""
    global _parser, _failed
    if _parser is not None or _failed:
        return _parser
    with _lock:
        if _parser is None and not _failed:
            try:
                import tree_sitter_bash
                from tree_sitter import Language, Parser

                _parser = Parser(Language(tree_sitter_bash.language()))
            except Exception:  # missing wheel, ABI mismatch: fall back to the word scanner
                _failed = True
    return _parser


def parse(source: bytes) -> Tree | None:
    """Parse `source`; None when no grammar is available or the parser fails."""
    parser = get_parser()
    if parser is None:
        return None
    try:
        # Parser objects are not thread-safe; the lock keeps concurrent callers apart.
        with _lock:
            return parser.parse(_defuse(source))
    except Exception:
        return None
