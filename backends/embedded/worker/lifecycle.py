"""The client side of a worker's life: find it, start it (once), replace it, stop it.

All waits are asyncio sleeps on short, non-blocking system calls, so Ctrl-C and the
deadline (the caller's ``asyncio.wait_for``) end them at once.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backends.embedded.worker import framing
from backends.embedded.worker.paths import (
    EXIT_RECORD_NAME,
    LOCK_NAME,
    UnsafePath,
    check_socket,
    log_path,
    peer_uid,
    private_dir,
    runtime_dir,
    socket_path,
)
from backends.errors import BackendError

POLL_S = 0.005
# Bounds one worker start (Python start-up and bind); past it something is badly wrong.
START_WAIT_S = 30.0
# Bounds on one client's attempts (the deadline bounds them too): workers it starts (one that
# dies at once is started again, not forever), workers it replaces (two caro setups taking
# turns), and connections that a worker closed unanswered as it exited.
MAX_STARTS = 4
MAX_REPLACEMENTS = 3
MAX_ATTEMPTS = 64
PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent

#: One connection to a worker.
Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@dataclass
class Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    hello: dict[str, Any]
    started: bool  # this client started the worker
    replaced: int | None  # the pid of a worker this client replaced

    def close(self) -> None:
        self.writer.close()


@dataclass
class Spawn:
    """How to start a worker: its settings (JSON-ready) and identity."""

    settings: dict[str, Any]
    identity: dict[str, Any]
    keep_alive: float


def directory() -> Path:
    return private_dir(runtime_dir())


async def connect(path: Path) -> Streams | None:
    """A connection to the worker at ``path``; None when none listens there."""
    if not check_socket(path):
        return None
    try:
        reader, writer = await asyncio.open_unix_connection(str(path))
    except (FileNotFoundError, ConnectionRefusedError):
        return None
    uid = peer_uid(writer.get_extra_info("socket"))
    if uid is not None and uid != os.getuid():
        writer.close()
        raise UnsafePath(
            f"refusing the embedded worker at {path}: it runs as uid {uid}, not as you",
            backend="embedded",
        )
    return reader, writer


async def ask(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, message: dict[str, Any]
) -> dict[str, Any] | None:
    """Send one frame, read one; None when the worker closed the connection instead."""
    try:
        writer.write(framing.encode(message))
        await writer.drain()
        return await framing.read_frame_async(reader)
    except (asyncio.IncompleteReadError, ConnectionError, framing.FrameError):
        return None


@asynccontextmanager
async def start_lock(runtime: Path):  # type: ignore[no-untyped-def]
    """Held while one client starts a worker, so two clients never start two."""
    import fcntl

    fd = os.open(runtime / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                await asyncio.sleep(POLL_S)
        yield
    finally:
        os.close(fd)  # releases the lock


def rotate_log(log: Path) -> None:
    """Keep the previous worker's log (it may tell of a crash) as worker.log.1."""
    with suppress(OSError):
        log.parent.mkdir(parents=True, exist_ok=True)
        if log.exists():
            os.replace(log, log.with_name(log.name + ".1"))


def log_tail(log: Path, lines: int = 3) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])


def worker_command(spawn: Spawn, path: Path, runtime: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "backends.embedded.worker.server",
        "--settings",
        json.dumps(spawn.settings),
        "--identity",
        json.dumps(spawn.identity),
        "--socket",
        str(path),
        "--runtime",
        str(runtime),
        "--keep-alive",
        repr(spawn.keep_alive),
    ]


def worker_env() -> dict[str, str]:
    env = dict(os.environ)
    # The worker runs from "/" (it must not hold a directory busy); find caro from there.
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PACKAGE_ROOT), env.get("PYTHONPATH", "")) if p
    )
    env.pop("CARO_EMBEDDED_STATS", None)  # the client records the figures it receives
    return env


async def start(spawn: Spawn, path: Path, runtime: Path) -> bool:
    """Start a worker unless one is listening by the time we hold the lock; True if we did."""
    async with start_lock(runtime):
        existing = await connect(path)
        if existing is not None:
            existing[1].close()
            return False
        path.unlink(missing_ok=True)  # a stale socket: its worker is gone
        log = log_path()
        rotate_log(log)
        try:
            out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        except OSError:
            out = os.open(os.devnull, os.O_WRONLY)
        try:
            proc = subprocess.Popen(
                worker_command(spawn, path, runtime),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,  # no terminal: Ctrl-C and hang-ups are not its
                cwd="/",
                env=worker_env(),
                close_fds=True,
            )
        finally:
            os.close(out)
        give_up = time.monotonic() + START_WAIT_S
        while proc.poll() is None:
            if time.monotonic() > give_up:
                proc.kill()
                proc.wait()
                break
            await asyncio.sleep(POLL_S)
        if proc.returncode != 0:
            raise BackendError(
                f"the embedded worker did not start (exit {proc.returncode}); "
                f"its log {log}: {log_tail(log)}",
                backend="embedded",
            )
        return True


async def open_worker(spawn: Spawn) -> Connection:
    """A connection to a worker serving ``spawn.identity``, started or replaced as needed."""
    runtime = directory()
    path = socket_path(runtime)
    started = False
    starts = replacements = 0
    replaced: int | None = None
    for _ in range(MAX_ATTEMPTS):
        conn = await connect(path)
        if conn is None:
            if starts >= MAX_STARTS:
                break
            if await start(spawn, path, runtime):
                starts += 1
                started = True
            continue
        reader, writer = conn
        hello = await ask(reader, writer, {"op": "hello"})
        if hello is None:  # it was exiting (idle, replaced, keep_alive 0) as we came
            writer.close()
            await asyncio.sleep(POLL_S)
            continue
        if hello.get("identity") == spawn.identity:
            return Connection(reader, writer, hello, started, replaced)
        if replacements >= MAX_REPLACEMENTS:
            writer.close()
            break
        # Another caro version, model, adapter or settings: tell it to go, and start ours.
        await ask(reader, writer, {"op": "exit"})
        writer.close()
        replacements += 1
        replaced = int(hello.get("pid", 0)) or None
    log = log_path()
    raise BackendError(
        f"could not reach a working embedded worker ({starts} started, {replacements} "
        f"replaced); its log {log}: {log_tail(log)}",
        backend="embedded",
    )


@asynccontextmanager
async def _running_worker() -> AsyncIterator[Streams | None]:
    """A connection to the worker already running here, closed on leaving; None when none runs.

    For `caro --worker status|stop`: it never starts one.
    """
    conn = await connect(socket_path(directory()))
    try:
        yield conn
    finally:
        if conn is not None:
            conn[1].close()


async def status(timeout: float = 1.0) -> dict[str, Any] | None:
    """The running worker's hello (pid, uptime, idle time left); None when none runs."""
    async with _running_worker() as conn:
        if conn is None:
            return None
        try:
            return await asyncio.wait_for(ask(*conn, {"op": "hello"}), timeout)
        except asyncio.TimeoutError:
            return {"busy": True}


async def stop(timeout: float = 10.0) -> int | None:
    """Tell the running worker to exit; its pid, or None when none was running."""
    async with _running_worker() as conn:
        if conn is None:
            return None
        try:
            hello = await asyncio.wait_for(ask(*conn, {"op": "hello"}), timeout)
            if hello is None:
                return None
            await asyncio.wait_for(ask(*conn, {"op": "exit"}), timeout)
            return int(hello["pid"])
        except asyncio.TimeoutError:
            raise BackendError(
                f"the embedded worker did not answer within {timeout:g} s (it may be busy); "
                "try again",
                backend="embedded",
            ) from None


async def exit_record(pid: int, wait: float = 2.0) -> dict[str, Any] | None:
    """What the supervisor recorded about worker ``pid``'s death, waiting up to ``wait`` s."""
    target = runtime_dir() / EXIT_RECORD_NAME
    give_up = time.monotonic() + wait
    while True:
        with suppress(OSError, ValueError):
            record = json.loads(target.read_text(encoding="utf-8"))
            if isinstance(record, dict) and record.get("pid") == pid:
                return record
        if time.monotonic() >= give_up:
            return None
        await asyncio.sleep(0.02)
