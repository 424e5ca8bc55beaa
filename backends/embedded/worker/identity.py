"""What a worker serves, compared at every handshake: a mismatch means the worker is replaced.

The identity holds the embedded settings that shape an answer (model, adapter, profile,
threads, context, max_tokens, grammar), the model store, the Python environment and source
tree it runs from, and a stamp of caro's backend code (file sizes and times, so an upgrade or
an edit is seen).
``keep_alive`` is not part of it: each request tells the worker the current value.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
from pathlib import Path
from typing import Any

from config.model import EmbeddedSettings

PROTOCOL = 1
# Settings that change nothing about the loaded model or its answers.
NOT_IDENTITY = ("enabled", "keep_alive")
BACKENDS_DIR = Path(__file__).resolve().parent.parent


def code_stamp() -> str:
    """A digest of the backend sources' names, sizes and modification times (cheap: stats)."""
    digest = hashlib.sha256()
    for path in sorted(BACKENDS_DIR.rglob("*.py")):
        try:
            info = path.stat()
        except OSError:
            continue
        digest.update(
            f"{path.relative_to(BACKENDS_DIR)}:{info.st_size}:{info.st_mtime_ns};".encode()
        )
    return digest.hexdigest()[:16]


def settings_dict(settings: EmbeddedSettings) -> dict[str, Any]:
    data = dataclasses.asdict(settings)
    for name in NOT_IDENTITY:
        data.pop(name, None)
    return data


def identity(settings: EmbeddedSettings, cache: Path) -> dict[str, Any]:
    return {
        "protocol": PROTOCOL,
        "code": code_stamp(),
        # The environment, not the executable's name: `caro` and `python -m caro_py` in one
        # virtual environment run as .../bin/python3 and .../bin/python.
        "python": sys.prefix,
        "source": str(BACKENDS_DIR),
        "cache": str(cache),
        "settings": settings_dict(settings),
    }


def settings_from_dict(data: dict[str, Any]) -> EmbeddedSettings:
    known = {f.name for f in dataclasses.fields(EmbeddedSettings)}
    return EmbeddedSettings(**{k: v for k, v in data.items() if k in known})
