"""Which backend is up: concurrent probes in priority order, and a short-lived on-disk cache.

The same cache file keeps, per server and model, what caro learned about how to ask it
(backends/remote/prompting.py), so each new caro process does not learn it again.

All probes start at once, each bounded by the probe timeout; the caller then walks the order
and waits only as long as a higher-priority probe is still out, so a fast winner is not held up
by a slow or black-holed lower-priority address.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from backends.protocol import CommandGenerator, Health
from backends.reasons import plain_reason

#: Backends detection does not probe: they are tried in their place in the order.
UNPROBED = frozenset({"embedded"})
_CACHE_NAME = "detect.json"
_SERVERS = "servers"
#: How long what was learned about a server (how it takes a request) is trusted.
SERVER_NOTES_MAX_AGE_S = 7 * 86400.0


class Detector:
    def __init__(
        self,
        backends: dict[str, CommandGenerator],
        order: Iterable[str],
        probe_timeout_s: float,
    ) -> None:
        self.backends = backends
        self.order = [name for name in order if name in backends or name in UNPROBED]
        self.probe_timeout_s = probe_timeout_s
        self.healths: dict[str, Health] = {}
        self._tasks: dict[str, asyncio.Task[Health]] = {}

    def start(self, skip: Iterable[str] = ()) -> None:
        """Launch every probe at once (needs a running event loop)."""
        skipped = set(skip)
        for name in self.order:
            if name in UNPROBED or name in skipped or name in self._tasks:
                continue
            self._tasks[name] = asyncio.create_task(self._probe(name))

    async def _probe(self, name: str) -> Health:
        backend = self.backends[name]
        started = time.perf_counter()
        try:
            # Small margin over the client's own timeout so its clearer message wins the race.
            health = await asyncio.wait_for(backend.probe(), self.probe_timeout_s + 0.05)
        except asyncio.TimeoutError:
            health = Health(
                name=name,
                up=False,
                latency_ms=(time.perf_counter() - started) * 1000,
                base_url=getattr(backend, "base_url", None),
                detail=f"no answer within {self.probe_timeout_s * 1000:.0f} ms",
            )
        except Exception as exc:  # a broken probe reads as down, never as a crash
            health = Health(name=name, up=False, detail=f"the probe failed: {plain_reason(exc)}")
        self.healths[name] = health
        return health

    async def next_healthy(self, exclude: Iterable[str] = ()) -> str | None:
        """The highest-priority backend not in `exclude` that is up (or unprobed)."""
        excluded = set(exclude)
        for name in self.order:
            if name in excluded:
                continue
            if name in UNPROBED:
                return name
            task = self._tasks.get(name)
            if task is None:
                continue
            health = await task
            if health.up:
                return name
        return None

    async def wait_all(self) -> dict[str, Health]:
        if self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        return self.healths

    def cancel(self) -> None:
        for task in self._tasks.values():
            if not task.done():
                task.cancel()


# --------------------------------------------------------------------------- cache


def cache_file() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("caro")) / _CACHE_NAME


def cache_key(candidates: Iterable[tuple[str, str | None]]) -> str:
    """Identifies the setup a detection result belongs to: the order and every address."""
    text = json.dumps(list(candidates), separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _read_file() -> dict[str, Any]:
    try:
        data = json.loads(cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_file(data: dict[str, Any]) -> None:
    path = cache_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, path)  # readers never see half a file
    except OSError:
        pass  # a cache that cannot be written only costs the next run a probe


def read_cache(key: str, max_age_s: float) -> tuple[str, float] | None:
    """(backend, age in seconds) when a fresh result for this setup is on disk."""
    if max_age_s <= 0:
        return None
    data = _read_file()
    try:
        backend, saved_at, saved_key = data["backend"], float(data["saved_at"]), data["key"]
    except (KeyError, TypeError, ValueError):
        return None
    age = time.time() - saved_at
    if saved_key != key or not isinstance(backend, str) or not 0 <= age <= max_age_s:
        return None
    return backend, age


def write_cache(key: str, backend: str) -> None:
    data = _read_file()
    data.update(backend=backend, saved_at=time.time(), key=key)
    _write_file(data)


def drop_cache() -> None:
    """Forget the chosen backend; what was learned about each server stays."""
    data = _read_file()
    servers = data.get(_SERVERS)
    if isinstance(servers, dict) and servers:
        _write_file({_SERVERS: servers})
        return
    with contextlib.suppress(OSError):
        cache_file().unlink()


# --------------------------------------------------------------------------- per server


def read_server_notes(server: str, max_age_s: float = SERVER_NOTES_MAX_AGE_S) -> dict[str, Any]:
    """What was learned about how to ask ``server`` (backend, address and model), or {}."""
    servers = _read_file().get(_SERVERS)
    notes = servers.get(server) if isinstance(servers, dict) else None
    if not isinstance(notes, dict):
        return {}
    saved_at = notes.get("saved_at")
    if not isinstance(saved_at, (int, float)) or not 0 <= time.time() - saved_at <= max_age_s:
        return {}
    return notes


def write_server_notes(server: str, notes: dict[str, Any]) -> None:
    data = _read_file()
    servers = data.get(_SERVERS)
    if not isinstance(servers, dict):
        servers = {}
    now = time.time()
    # Old entries go, so the file stays small however many servers come and go.
    servers = {
        name: value
        for name, value in servers.items()
        if isinstance(value, dict)
        and isinstance(value.get("saved_at"), (int, float))
        and now - value["saved_at"] <= SERVER_NOTES_MAX_AGE_S
    }
    servers[server] = {**notes, "saved_at": now}
    data[_SERVERS] = servers
    _write_file(data)
