"""Stopping the embedded backend: Ctrl-C mid-answer, the --timeout deadline, -v reaching llama.cpp.

Real ``caro`` processes with the real default model. Each uses a throwaway cache that shares
the model store, so the prefix state is built cold in the first one: SIGINT lands in the
load, the prefix evaluation or token generation depending on the delay and machine load.
The signal waits for the backend's worker thread (Linux: /proc), so a slow start-up on a
busy machine does not turn the test into one of Ctrl-C during Python's imports.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from backends.embedded import EmbeddedBackend
from backends.models import assemble_default, cache_root, models_dir
from caro_py.errors import BackendError, BackendTimeout
from config.model import EmbeddedSettings, Settings
from tests._backend_fixtures import REQUEST

pytestmark = [pytest.mark.slow, pytest.mark.model]

REPO = Path(__file__).resolve().parent.parent
# Bounds a hang, not a speed target: a stopped caro exits well within it.
EXIT_WAIT_S = 30


@pytest.fixture(scope="module")
def caro_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    assemble_default()
    root = tmp_path_factory.mktemp("cache")
    (root / "models").symlink_to(models_dir(cache_root()))
    env = {**os.environ, "CARO_CACHE_DIR": str(root), "PYTHONFAULTHANDLER": "1"}
    env.pop("CARO_VERBOSE", None)
    return env


def caro(*args: str) -> list[str]:
    return [sys.executable, "-m", "caro_py", *args]


def thread_count(pid: int) -> int | None:
    """Threads of a process; None where /proc cannot tell."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return None


def wait_for_worker(proc: subprocess.Popen[str], delay: float) -> None:
    """Until ``delay`` s after start and the generation's worker thread is running."""
    start = time.monotonic()
    while time.monotonic() - start < EXIT_WAIT_S:
        if proc.poll() is not None:
            pytest.fail(f"caro finished before the Ctrl-C at {delay} s: nothing was tested")
        threads = thread_count(proc.pid)
        if time.monotonic() - start >= delay and (threads is None or threads >= 2):
            return
        time.sleep(0.01)
    pytest.fail("the embedded worker thread never started")


@pytest.mark.parametrize("delay", [0.2, 0.5, 0.9])
def test_ctrl_c_mid_answer_exits_130_with_one_json_object(
    delay: float, caro_env: dict[str, str]
) -> None:
    proc = subprocess.Popen(
        caro("--backend", "embedded", "--json", "-n", "list files"),
        cwd=REPO,
        env=caro_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_worker(proc, delay)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=EXIT_WAIT_S)
    finally:
        proc.kill()  # only if it is still there (a failed wait): never leave it behind
        proc.wait()
    # 139 / -11 was the bug: the model freed under the worker thread still using it.
    assert proc.returncode == 130, f"exit {proc.returncode}\n{err[-2000:]}"
    lines = out.splitlines()
    assert len(lines) == 1, out
    answer = json.loads(lines[0])
    assert answer["exit_code"] == 130
    assert answer["error"]["type"] == "interrupted"
    assert "Fatal Python error" not in err


def test_timeout_and_verbose_reach_the_embedded_backend(caro_env: dict[str, str]) -> None:
    """--timeout bounds the answer (the model load counts); -v shows llama.cpp's log."""
    done = subprocess.run(
        caro("-v", "--backend", "embedded", "--timeout", "0.01", "-n", "list files"),
        cwd=REPO,
        env=caro_env,
        capture_output=True,
        text=True,
        timeout=EXIT_WAIT_S,
    )
    assert done.returncode == 3, done.stderr[-2000:]
    assert "did not answer within 0.01 s" in done.stderr
    assert "llama_model_load" in done.stderr or "llama_context" in done.stderr


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
