"""WorkerBackend: the ``embedded`` backend as caro uses it, a client of the worker process.

It sends the request, receives the model's text and figures, and parses the text here
(backends/embedded/answer.py), so the worker never returns anything but text. The deadline
(``--timeout``) covers everything: starting the worker, loading the model, the answer.
Where Unix sockets are missing it starts a child process per request instead (``-v`` says
so). This module never imports llama_cpp or numpy.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import socket
import sys
import time
from typing import Any

from backends.embedded.answer import Completion, record_figures, to_command
from backends.embedded.worker import framing, lifecycle
from backends.embedded.worker.identity import identity, settings_dict
from backends.embedded.worker.paths import log_path
from backends.errors import (
    BackendError,
    BackendTimeout,
    BackendUnavailable,
    ModelError,
    NoUsableCommand,
)
from backends.protocol import GeneratedCommand, GenerationRequest, Health, PlatformContext
from config.errors import ConfigError
from config.model import EmbeddedSettings, Settings

NAME = "embedded"
# Worker errors travel by class name; these are the ones it may send.
ERRORS: dict[str, type[Exception]] = {
    cls.__name__: cls
    for cls in (
        BackendError,
        BackendTimeout,
        BackendUnavailable,
        ModelError,
        ConfigError,
        NoUsableCommand,
    )
}
# How long the client waits for the supervisor's word on a worker that died mid-request.
DEATH_RECORD_WAIT_S = 2.0
SIGNAL_HINTS = {
    "SIGKILL": "killed outright, for example by the out-of-memory killer",
    "SIGSEGV": "a crash inside llama.cpp",
    "SIGBUS": "a crash inside llama.cpp",
    "SIGILL": "an instruction this CPU lacks",
    "SIGABRT": "llama.cpp aborted",
}


def unix_sockets() -> bool:
    return hasattr(socket, "AF_UNIX")


class WorkerBackend:
    """CommandGenerator over the resident worker process (backends/embedded/worker/server.py)."""

    name = NAME

    def __init__(
        self,
        settings: Settings,
        *,
        use_overrides: bool = False,
        context: PlatformContext | None = None,
    ) -> None:
        embedded = settings.embedded
        if use_overrides and settings.model:
            embedded = embedded.with_model(settings.model)
        self.settings: EmbeddedSettings = absolute_paths(embedded)
        self.full_settings = settings
        self.context = context  # where requests come from, for the probe's prefix-cache state
        self.verbose = settings.verbose or os.environ.get("CARO_VERBOSE", "") not in ("", "0")
        self.timeout = settings.timeout_for(NAME)
        self.last_stats: dict[str, Any] = {}
        self.worker_pid: int | None = None  # the worker that served the latest request

    # -- protocol ------------------------------------------------------------------------

    async def generate(self, request: GenerationRequest) -> GeneratedCommand:
        if not request.text.strip():
            raise NoUsableCommand("the request is empty", backend=NAME)
        began = time.monotonic()
        try:
            completion = await asyncio.wait_for(self._complete(request, began), self.timeout)
        except asyncio.TimeoutError:
            raise BackendTimeout(
                f"the embedded model did not answer within {self.timeout:g} s "
                "(timeout_seconds / --timeout; starting the worker and loading the model count)",
                backend=NAME,
            ) from None
        self.last_stats = completion.figures()
        record_figures(self.last_stats)
        return to_command(completion, self.settings.max_tokens, request.examples)

    async def probe(self) -> Health:
        """The model and adapter that would run (never loads), and the worker if one runs."""
        from backends.embedded.inprocess import EmbeddedBackend

        health = await EmbeddedBackend(self.full_settings, context=self.context).probe()
        try:
            worker = await lifecycle.status() if unix_sockets() else None
        except BackendError as exc:
            return dataclasses.replace(health, detail=f"{health.detail}; worker: {exc.message}")
        return dataclasses.replace(health, detail=f"{health.detail}; {describe_worker(worker)}")

    async def aclose(self) -> None:
        """Nothing to free: the model lives in the worker, which outlives this client."""

    # -- one request ---------------------------------------------------------------------

    def _message(self, request: GenerationRequest, began: float) -> dict[str, Any]:
        left = self.timeout - (time.monotonic() - began)
        return {
            "op": "generate",
            "request": dataclasses.asdict(request),
            "timeout": max(left, 0.0),
            "keep_alive": self.settings.keep_alive,
        }

    def _spawn(self) -> lifecycle.Spawn:
        from backends.embedded.models import cache_root

        return lifecycle.Spawn(
            settings=settings_dict(self.settings),
            identity=identity(self.settings, cache_root()),
            keep_alive=self.settings.keep_alive,
        )

    async def _complete(self, request: GenerationRequest, began: float) -> Completion:
        if not unix_sockets():
            return await self._complete_in_child(request, began)
        conn = await lifecycle.open_worker(self._spawn())
        pid = int(conn.hello["pid"])
        self.worker_pid = pid
        if self.verbose:
            self._note_worker(conn)
        try:
            answer = await lifecycle.ask(conn.reader, conn.writer, self._message(request, began))
        finally:
            conn.close()  # on Ctrl-C or the deadline too: the worker stops at its next token
        if answer is None:
            raise await died(pid)
        return read_answer(answer)

    async def _complete_in_child(self, request: GenerationRequest, began: float) -> Completion:
        """No Unix sockets: one child process per request (crash isolation, no warm state)."""
        if self.verbose:
            sys.stderr.write(
                "caro: no Unix domain sockets here: the embedded model runs in a child process "
                f"per request (no warm worker); log {log_path()}\n"
            )
        log = log_path()
        lifecycle.rotate_log(log)
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "ab") as out:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "backends.embedded.worker.server",
                "--stdio",
                "--settings",
                json.dumps(settings_dict(self.settings)),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=out,
                env=lifecycle.worker_env(),
            )
        assert proc.stdin is not None and proc.stdout is not None
        answer: dict[str, Any] | None = None
        try:
            proc.stdin.write(framing.encode(self._message(request, began)))
            await proc.stdin.drain()
            answer = await framing.read_frame_async(proc.stdout)
        except (asyncio.IncompleteReadError, framing.FrameError, ConnectionError):
            pass  # it died: its exit status says how
        finally:
            if proc.stdin is not None:
                proc.stdin.close()  # the child stops at its next token if it is still going
        code = await proc.wait()
        if answer is None:
            record = {"pid": proc.pid, "signal": _signal_name(-code)} if code < 0 else None
            raise death_error(proc.pid, record)
        return read_answer(answer)

    def _note_worker(self, conn: lifecycle.Connection) -> None:
        hello = conn.hello
        how = "started now" if conn.started else "warm"
        if conn.replaced:
            how += f", replacing pid {conn.replaced} (it served other settings)"
        sys.stderr.write(
            f"caro: embedded worker pid {hello['pid']} ({how}; exits after "
            f"{self.settings.keep_alive:g} s idle); log {log_path()}\n"
        )


def absolute_paths(settings: EmbeddedSettings) -> EmbeddedSettings:
    """Relative model and adapter paths made absolute: the worker runs from "/", not from here."""
    changes = {
        name: os.path.abspath(value)
        for name in ("model_path", "adapter_path")
        if (value := getattr(settings, name)) and not value.startswith("~")
    }
    return dataclasses.replace(settings, **changes) if changes else settings


def read_answer(answer: dict[str, Any]) -> Completion:
    if answer.get("ok"):
        return Completion.from_dict(answer["completion"])
    error = answer.get("error") or {}
    cls = ERRORS.get(str(error.get("class")), BackendError)
    message = str(error.get("message") or "the embedded worker failed")
    if cls is NoUsableCommand:
        raise NoUsableCommand(message, raw=error.get("raw"), backend=NAME)
    if cls is ConfigError:
        raise ConfigError(message)
    raise cls(message, backend=NAME)  # type: ignore[call-arg]


async def died(pid: int) -> BackendError:
    """The error for a worker that closed the connection mid-request (it died)."""
    record = await lifecycle.exit_record(pid, DEATH_RECORD_WAIT_S)
    return death_error(pid, record)


def death_error(pid: int, record: dict[str, Any] | None) -> BackendError:
    if record and record.get("signal"):
        sig = str(record["signal"])
        hint = SIGNAL_HINTS.get(sig)
        how = f"was killed by {sig}" + (f" ({hint})" if hint else "")
    elif record and record.get("exit_code") is not None:
        how = f"exited with code {record['exit_code']}"
    else:
        how = "stopped answering (the connection closed)"
    return BackendError(
        f"the embedded model's worker process (pid {pid}) {how} during the request; "
        f"nothing was run; the next request starts a new one. Its log: {log_path()}",
        backend=NAME,
    )


def _signal_name(number: int) -> str:
    import signal

    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def describe_worker(hello: dict[str, Any] | None) -> str:
    if hello is None:
        return "worker not running (starts on the first request)"
    if hello.get("busy"):
        return "worker running (busy answering another request)"
    uptime = time.time() - float(hello.get("started_at", time.time()))
    model = hello.get("model") or "model not loaded yet"
    adapter = hello.get("adapter")
    if adapter:
        model += f" + {adapter}"
    return (
        f"worker pid {hello['pid']}, {model}, up {uptime:.0f} s, "
        f"exits after {float(hello.get('idle_left', 0)):.0f} s more idle"
    )
