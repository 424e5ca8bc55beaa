"""Stopping the embedded backend: Ctrl-C mid-answer, the --timeout deadline, cancelling in-process.

Real ``caro`` processes with the real default model, through the worker process. A warm
worker answers in a fraction of a second, so a Ctrl-C sent "after a delay" would often
land after the answer: instead the worker is frozen (SIGSTOP) in the middle of its
generation while caro waits (tests/_worker_fixtures.py), and the signal or deadline then
lands mid-request whatever the machine's speed.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from backends.embedded.inprocess import EmbeddedBackend
from backends.embedded.models import cache_root
from caro_py.errors import BackendError, BackendTimeout
from config.model import EmbeddedSettings, Settings
from tests._backend_fixtures import REQUEST
from tests._worker_fixtures import (
    WAIT_S,
    WorkerEnv,
    alive,
    caught_mid_generation,
    model_cache,  # noqa: F401 - a fixture
    worker,  # noqa: F401 - a fixture
)

pytestmark = [pytest.mark.slow, pytest.mark.model]

ASK = "list files"
CANCELLED = "the client went away; the generation was stopped"


def test_ctrl_c_mid_answer_exits_130_and_stops_the_generation(worker: WorkerEnv) -> None:
    pid = worker.ask(ASK).pid
    assert pid is not None
    proc = caught_mid_generation(worker, "show disk usage of the current directory", pid)
    try:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=WAIT_S)  # the worker is still frozen
    finally:
        os.kill(pid, signal.SIGCONT)
        proc.kill()  # only if it is still there (a failed wait): never leave it behind
        proc.wait()
    assert proc.returncode == 130, f"exit {proc.returncode}\n{err[-2000:]}"
    lines = out.splitlines()
    assert len(lines) == 1, out
    answer = json.loads(lines[0])
    assert answer["exit_code"] == 130
    assert answer["error"]["type"] == "interrupted"
    assert "Fatal Python error" not in err and "Traceback" not in err
    # The worker noticed the client had gone, stopped at its next token, and serves on.
    give_up = time.monotonic() + WAIT_S
    while CANCELLED not in worker.log.read_text() and time.monotonic() < give_up:
        time.sleep(0.05)
    assert CANCELLED in worker.log.read_text()
    after = worker.ask(ASK)
    assert after.code == 0 and after.pid == pid


def test_the_timeout_holds_end_to_end_even_when_the_worker_hangs(worker: WorkerEnv) -> None:
    """--timeout bounds the whole answer: starting the worker and loading count, and a
    worker that stops responding (here: frozen) cannot hold caro past it."""
    cold = worker.ask(ASK, "--timeout", "0.01")
    assert cold.code == 3, cold.stderr[-2000:]
    assert cold.json["error"]["type"] == "backend_timeout"
    assert "did not answer within 0.01 s" in cold.json["error"]["message"]
    pid = worker.ask(ASK).pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    try:
        hung = worker.ask(ASK, "--timeout", "1")
    finally:
        os.kill(pid, signal.SIGCONT)
    assert hung.code == 3 and "did not answer within 1 s" in hung.json["error"]["message"]
    assert alive(pid) and worker.ask(ASK).pid == pid


def test_settings_carry_verbose_and_the_deadline() -> None:
    settings = Settings(timeout_seconds=7.5)
    settings.verbose = True
    backend = EmbeddedBackend(settings)
    assert backend.verbose and backend.timeout == 7.5
    quiet = EmbeddedBackend(EmbeddedSettings())
    assert quiet.timeout is None
    assert quiet.verbose == (os.environ.get("CARO_VERBOSE", "") not in ("", "0"))


def test_a_spent_deadline_or_a_set_stop_ends_before_loading(tmp_path: Path) -> None:
    """Checked before anything is loaded: a missing model would otherwise be the error."""
    settings = EmbeddedSettings(model_path=str(tmp_path / "missing.gguf"))
    backend = EmbeddedBackend(settings, cache_dir=tmp_path, timeout=0.0)
    with pytest.raises(BackendTimeout):
        backend.generate_sync(REQUEST)
    stop = threading.Event()
    stop.set()
    with pytest.raises(BackendError, match="cancelled"):
        EmbeddedBackend(settings, cache_dir=tmp_path).generate_sync(REQUEST, stop=stop)
    assert backend._loaded is None


def test_aclose_waits_for_a_running_generation_and_stops_it() -> None:
    """Cancel mid-load: aclose must not free the model under the worker, and the worker stops."""
    backend = EmbeddedBackend(EmbeddedSettings(max_tokens=32), cache_dir=cache_root())

    async def go() -> None:
        task = asyncio.create_task(backend.generate(REQUEST))
        while not backend._lock.locked():  # the worker is loading
            await asyncio.sleep(0.005)
        task.cancel()
        await backend.aclose()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(go())  # asyncio.run joins the worker thread before it returns
    assert not backend._lock.locked()
    assert backend._stops == set()
    asyncio.run(backend.aclose())
    assert backend._loaded is None
