"""The shipped knowledge base (data/tldr.sqlite), opened read-only once per process."""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from importlib import resources
from pathlib import Path

DB_NAME = "tldr.sqlite"

# tldr's page platforms each OS reads, most specific first.
PLATFORMS: dict[str, tuple[str, ...]] = {
    "linux": ("linux", "common"),
    "darwin": ("osx", "common"),
}
DEFAULT_PLATFORMS = ("common",)


def platforms_for(os_name: str) -> tuple[str, ...]:
    return PLATFORMS.get(os_name, DEFAULT_PLATFORMS)


def shipped_path() -> Path:
    return Path(str(resources.files("caro_py.knowledge") / "data" / DB_NAME))


@lru_cache(maxsize=4)
def connect(path: Path | None = None) -> sqlite3.Connection:
    """A read-only connection (``immutable``: no locks, no journal), shared by the process.

    ``check_same_thread=False``: the pipeline may call from a worker thread; the connection
    is only read.
    """
    target = path or shipped_path()
    if not target.is_file():
        raise FileNotFoundError(f"the knowledge base is missing: {target}")
    uri = f"{target.resolve().as_uri()}?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True, check_same_thread=False)
