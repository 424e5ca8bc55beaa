"""Read one of the validator's TOML data files, through a cache beside it.

The rules are data read on every caro request; parsing ~160 KB of TOML costs ~30 ms, so the
parsed form is kept in __pycache__ (marshal, as Python keeps its own bytecode) and used while
the file's size and modification time are unchanged. A cache that cannot be read or written
is simply not used, and none is written under PYTHONDONTWRITEBYTECODE.
"""

from __future__ import annotations

import marshal
import os
import sys
from pathlib import Path
from typing import Any

_FORMAT = 1  # bump when the cached layout changes


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed contents of the TOML file at `path` (ValueError naming it if broken)."""
    stat = path.stat()
    key = (_FORMAT, sys.version_info[:2], stat.st_size, stat.st_mtime_ns)
    cache = path.parent / "__pycache__" / f"{path.name}.marshal"
    try:
        cached_key, data = marshal.loads(cache.read_bytes())
        if cached_key == key and isinstance(data, dict):
            return data
    except (OSError, EOFError, ValueError, TypeError):
        pass
    if sys.version_info >= (3, 11):  # imported only when the cache is stale (start-up)
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        parsed: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:  # a broken data file is a bug: say which
        raise ValueError(f"{path}: {exc}") from exc
    _store(cache, key, parsed)
    return parsed


def _store(cache: Path, key: tuple[Any, ...], data: dict[str, Any]) -> None:
    if sys.dont_write_bytecode:  # PYTHONDONTWRITEBYTECODE: the user wants no caches written
        return
    try:
        blob = marshal.dumps((key, data))
    except ValueError:  # a value marshal cannot keep (a TOML date): parse every time
        return
    try:
        cache.parent.mkdir(exist_ok=True)
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        partial.write_bytes(blob)
        os.replace(partial, cache)  # readers see the old cache or the new one, never half
    except OSError:
        pass  # a read-only install: parse every time
