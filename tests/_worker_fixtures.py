"""Real ``caro`` processes against a real worker: a private runtime directory and cache each.

The cache shares the model store (a symlink), so nothing is rebuilt; its prefix states
and worker log are the test's own. ``caught_mid_generation`` freezes the worker (SIGSTOP)
while it generates for a waiting caro, found by llama-cpp-python's own log line at the
start of a generation: what a test then does (a signal to the worker, Ctrl-C to caro)
lands mid-request whatever the machine's speed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from backends.embedded.models import assemble_default, cache_root, models_dir

REPO = Path(__file__).resolve().parent.parent
# Bounds a hang, not a speed target.
WAIT_S = 60
PID_LINE = re.compile(r"embedded worker pid (\d+) \(([^;)]*)")
GENERATION_STARTS = "Llama.generate:"  # llama-cpp-python's own line as a generation starts
ANSWERING = "answering with"  # the worker's line before it sends an answer


@dataclass
class Answer:
    code: int
    json: dict[str, Any]
    stderr: str
    pid: int | None  # the worker that answered (from -v)
    how: str | None  # "warm", "started now", "started now, replacing pid N ..."


@dataclass
class WorkerEnv:
    runtime: Path
    cache: Path
    config: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def log(self) -> Path:
        return self.cache / "worker.log"

    @property
    def socket(self) -> Path:
        return self.runtime / "caro" / "embedded.sock"

    def configure(self, embedded: str, top: str = "") -> None:
        """The config file: ``top`` tables, then [embedded] (one thread) plus ``embedded``."""
        self.config.write_text(top + "[embedded]\nn_threads = 1\n" + embedded)

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "caro_py", *args]

    def ask_args(self, request: str) -> list[str]:
        return self.command("-v", "--json", "-n", "--backend", "embedded", request)

    def ask(self, request: str, *extra: str) -> Answer:
        done = subprocess.run(
            self.ask_args(request) + list(extra),
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=WAIT_S,
        )
        return answer_of(done.returncode, done.stdout, done.stderr)

    def start(self, request: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.ask_args(request),
            env=self.env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def count(self, line: str) -> int:
        """How often ``line`` appears in the worker's log."""
        try:
            return self.log.read_text(errors="replace").count(line)
        except OSError:
            return 0


def answer_of(code: int, stdout: str, stderr: str) -> Answer:
    lines = stdout.splitlines()
    assert len(lines) == 1, f"exit {code}; stdout {stdout!r}; stderr {stderr[-2000:]}"
    match = PID_LINE.search(stderr)
    return Answer(
        code,
        json.loads(lines[0]),
        stderr,
        int(match.group(1)) if match else None,
        match.group(2) if match else None,
    )


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purposes
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except (OSError, IndexError):
        return True


def wait_gone(pid: int, wait: float = WAIT_S) -> bool:
    give_up = time.monotonic() + wait
    while time.monotonic() < give_up:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


def workers_under(runtime: Path) -> list[int]:
    """Pids of worker processes (any stage) started for ``runtime``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"backends.embedded.worker.server" in cmdline and str(runtime).encode() in cmdline:
            pids.append(int(entry.name))
    return pids


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assemble_default()
    root = tmp_path_factory.mktemp("cache")
    (root / "models").symlink_to(models_dir(cache_root()))
    return root


@pytest.fixture
def worker(model_cache: Path, tmp_path: Path) -> Iterator[WorkerEnv]:
    runtime = Path(tempfile.mkdtemp(prefix="caro-rt-"))  # short: a socket path has ~100 bytes
    config = tmp_path / "config.toml"
    env = {
        **os.environ,
        "XDG_RUNTIME_DIR": str(runtime),
        "CARO_CACHE_DIR": str(model_cache),
        "CARO_CONFIG": str(config),
        "PYTHONFAULTHANDLER": "1",
    }
    env.pop("CARO_VERBOSE", None)
    setup = WorkerEnv(runtime, model_cache, config, env)
    setup.configure("")
    try:
        yield setup
    finally:
        subprocess.run(
            setup.command("--stop-worker"), env=env, cwd=REPO, capture_output=True, timeout=WAIT_S
        )
        for pid in workers_under(runtime):  # a frozen or stuck one: never leave it behind
            with_signal(pid, signal.SIGKILL)
            with_signal(pid, signal.SIGCONT)
        shutil.rmtree(runtime, ignore_errors=True)


def with_signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def wait_stopped(pid: int) -> None:
    """Until every thread of ``pid`` is stopped (a signal is delivered, not just sent)."""
    give_up = time.monotonic() + WAIT_S
    while time.monotonic() < give_up:
        states = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                states.append(task.joinpath("stat").read_text().rsplit(")", 1)[1].split()[0])
            except (OSError, IndexError):
                continue
        if states and all(state in ("T", "t") for state in states):
            return
        time.sleep(0.001)
    pytest.fail(f"worker {pid} did not stop")


def caught_mid_generation(worker: WorkerEnv, request: str, pid: int) -> subprocess.Popen[str]:
    """A caro waiting on worker ``pid``, which is frozen (SIGSTOP) in its generation.

    The worker logs "answering" before it sends an answer, so a log without a new such line
    once the worker is frozen proves the answer is not out: caro cannot finish until SIGCONT.
    """
    for _ in range(8):
        seen = worker.count(GENERATION_STARTS)
        answered = worker.count(ANSWERING)
        proc = worker.start(request)
        give_up = time.monotonic() + WAIT_S
        while worker.count(GENERATION_STARTS) == seen and proc.poll() is None:
            if time.monotonic() > give_up:
                proc.kill()
                pytest.fail("the worker never started generating")
            time.sleep(0.002)
        os.kill(pid, signal.SIGSTOP)
        wait_stopped(pid)
        if worker.count(ANSWERING) == answered and proc.poll() is None:
            return proc
        os.kill(pid, signal.SIGCONT)  # too late: the answer was out; try again
        proc.communicate()
    pytest.fail("could not catch the worker in the middle of a generation")
