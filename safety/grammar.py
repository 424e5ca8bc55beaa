"""The bash grammar: one tree-sitter Parser, created on first use and reused."""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.Lock()
_parser: Any = None
_failed = False


def get_parser() -> Any | None:
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


def parse(source: bytes) -> Any | None:
    """Parse `source`; None when no grammar is available or the parser fails."""
    parser = get_parser()
    if parser is None:
        return None
    try:
        # Parser objects are not thread-safe; the lock keeps concurrent callers apart.
        with _lock:
            return parser.parse(source)
    except Exception:
        return None
