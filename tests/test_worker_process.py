"""The embedded model's worker process, for real: the shipped model, real caro processes.

Each test has its own runtime directory (so its own worker) and stops what it started.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backends.embedded.inprocess import EmbeddedBackend
from backends.embedded.worker import client as worker_client
from backends.protocol import GenerationRequest
from caro_py.context import detect_context, resolve_shell
from caro_py.errors import NoUsableCommand
from config.model import EmbeddedSettings, Settings
from tests._worker_fixtures import (
    REPO,
    WAIT_S,
    WorkerEnv,
    alive,
    answer_of,
    caught_mid_generation,
    model_cache,  # noqa: F401 - a fixture
    wait_gone,
    worker,  # noqa: F401 - a fixture
)

pytestmark = [pytest.mark.slow, pytest.mark.model]

REQUEST = "list running docker containers"
OTHER_UID = 65534


def in_process(request: str, env: dict[str, str], cache) -> str | None:  # type: ignore[no-untyped-def]
    """The worker-less path: the same backend code run in this process."""
    context = detect_context(resolve_shell(None, env), env=env)
    backend = EmbeddedBackend(EmbeddedSettings(n_threads=1), cache_dir=cache)
    try:
        result = asyncio.run(backend.generate(GenerationRequest(request, context.shell, context)))
    except NoUsableCommand:
        return None
    finally:
        asyncio.run(backend.aclose())
    return result.command


def test_two_requests_one_warm_worker_same_answer_as_in_process(
    worker: WorkerEnv, tmp_path: Path
) -> None:
    stats = tmp_path / "stats.jsonl"
    worker.env["CARO_EMBEDDED_STATS"] = str(stats)  # the figures the client receives
    # No retrieved examples: the in-process call below sends exactly the request caro sends.
    worker.configure("", top="[retrieval]\nenabled = false\n")
    first = worker.ask(REQUEST)
    second = worker.ask(REQUEST)
    assert first.code == 0 and second.code == 0, first.stderr[-2000:]
    cold, warm = (json.loads(line) for line in stats.read_text().splitlines())
    assert cold["timings_ms"]["model_load"] > 0 and warm["timings_ms"]["model_load"] == 0
    # The worker kept the prompt prefix in memory: only the request's own tokens ran.
    assert warm["prefix_cache"] == "in-memory"
    assert warm["prompt_tokens"] - warm["cached_tokens"] < 0.3 * warm["prompt_tokens"]
    assert first.pid is not None and first.pid == second.pid
    assert first.how == "started now" and second.how == "warm"
    assert first.json["backend"] == "embedded" and first.json["command"]
    assert second.json["command"] == first.json["command"]
    os.chdir(REPO)  # caro ran there: the same context, so the same prompt
    assert in_process(REQUEST, worker.env, worker.cache) == first.json["command"]
    log = worker.log.read_text()
    assert "llama_model_load" in log or "llama_context" in log  # llama.cpp's log goes here


def test_the_client_never_imports_llama_cpp_or_numpy(worker: WorkerEnv) -> None:
    probe = (
        "import atexit, json, runpy, sys\n"
        "atexit.register(lambda: sys.stderr.write('\\nHEAVY ' + json.dumps("
        "[m for m in ('llama_cpp', 'numpy') if m in sys.modules]) + '\\n'))\n"
        f"sys.argv = ['caro', '--json', '-n', '--backend', 'embedded', {REQUEST!r}]\n"
        "runpy.run_module('caro_py', run_name='__main__')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=worker.env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=WAIT_S,
    )
    assert json.loads(done.stdout)["backend"] == "embedded", done.stderr[-2000:]
    assert "HEAVY []" in done.stderr, done.stderr[-2000:]


@pytest.mark.parametrize("sig", [signal.SIGSEGV, signal.SIGKILL])
def test_a_worker_dying_mid_request_is_exit_3_and_the_next_request_works(
    worker: WorkerEnv, sig: signal.Signals
) -> None:
    pid = worker.ask(REQUEST).pid
    assert pid is not None
    proc = caught_mid_generation(worker, "show disk usage of the current directory", pid)
    os.kill(pid, sig)
    os.kill(pid, signal.SIGCONT)
    out, err = proc.communicate(timeout=WAIT_S)
    died = answer_of(proc.returncode, out, err)
    assert died.code == 3, err[-2000:]
    assert died.json["error"]["type"] == "backend"
    message = died.json["error"]["message"]
    assert f"pid {pid}" in message and sig.name in message and str(worker.log) in message
    assert died.json["command"] is None and died.json["executed"] is False
    assert "Traceback" not in err
    assert wait_gone(pid)
    after = worker.ask(REQUEST)
    assert after.code == 0 and after.pid not in (None, pid) and after.how == "started now"


def test_a_worker_exits_after_keep_alive_idle_seconds_or_after_one_request(
    worker: WorkerEnv,
) -> None:
    worker.configure("keep_alive = 1\n")
    first = worker.ask(REQUEST)
    assert first.code == 0 and first.pid is not None
    assert wait_gone(first.pid)
    assert not worker.socket.exists()
    worker.configure("keep_alive = 0\n")
    once = worker.ask(REQUEST)
    assert once.code == 0 and once.pid is not None and once.pid != first.pid
    assert wait_gone(once.pid)
    assert "served its one request (keep_alive 0)" in worker.log.read_text()


def test_other_settings_replace_the_worker(worker: WorkerEnv) -> None:
    first = worker.ask(REQUEST)
    worker.configure("max_tokens = 64\n")
    second = worker.ask(REQUEST)
    assert second.code == 0 and second.pid not in (None, first.pid)
    assert second.how is not None and f"replacing pid {first.pid}" in second.how
    assert first.pid is not None and wait_gone(first.pid)
    assert worker.ask(REQUEST).pid == second.pid  # and the new one stays


def test_a_stale_socket_from_a_dead_worker_is_cleaned_up(worker: WorkerEnv) -> None:
    worker.socket.parent.mkdir(mode=0o700)
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(worker.socket))
    dead.close()  # the file stays; nothing listens
    answer = worker.ask(REQUEST)
    assert answer.code == 0 and answer.how == "started now", answer.stderr[-2000:]


def test_four_concurrent_clients_one_worker_each_its_own_answer(worker: WorkerEnv) -> None:
    requests = [
        REQUEST,
        "show disk usage of the current directory",
        "show free memory in megabytes",
        "list open network connections",
    ]
    procs = [worker.start(text) for text in requests]
    answers = [answer_of(p.wait(WAIT_S), p.stdout.read(), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    assert all(a.code == 0 for a in answers), [a.stderr[-800:] for a in answers]
    assert len({a.pid for a in answers}) == 1 and answers[0].pid is not None
    assert sum(a.how == "started now" for a in answers) <= len(answers)
    for text, concurrent in zip(requests, answers, strict=True):
        assert concurrent.json["request"] == text
        alone = worker.ask(text)  # one at a time, warm: the answer each request gets
        assert alone.pid == concurrent.pid
        assert alone.json["command"] == concurrent.json["command"], text


def test_with_keep_alive_0_concurrent_clients_each_get_a_worker_of_their_own(
    worker: WorkerEnv,
) -> None:
    worker.configure("keep_alive = 0\n")
    requests = [REQUEST, "show free memory in megabytes", "list open network connections"]
    procs = [worker.start(text) for text in requests]
    answers = [answer_of(p.wait(WAIT_S), p.stdout.read(), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    assert all(a.code == 0 for a in answers), [a.stderr[-800:] for a in answers]
    pids = [a.pid for a in answers]
    assert None not in pids and len(set(pids)) == len(pids)  # one request per worker
    assert [a.json["request"] for a in answers] == requests
    for pid in pids:
        assert pid is not None and wait_gone(pid)


def test_the_runtime_directory_and_socket_are_private(worker: WorkerEnv) -> None:
    assert worker.ask(REQUEST).code == 0
    assert stat.S_IMODE(worker.socket.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(worker.socket.lstat().st_mode) == 0o600
    assert stat.S_ISSOCK(worker.socket.lstat().st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="making a directory another user owns needs root")
def test_a_runtime_directory_another_user_owns_is_refused(worker: WorkerEnv) -> None:
    directory = worker.socket.parent
    directory.mkdir(mode=0o700)
    os.chown(directory, OTHER_UID, OTHER_UID)
    refused = worker.ask(REQUEST)
    assert refused.code == 3
    assert f"belongs to uid {OTHER_UID}" in refused.json["error"]["message"]
    assert refused.json["command"] is None


def test_backends_shows_the_worker_and_stop_worker_stops_it(worker: WorkerEnv) -> None:
    pid = worker.ask(REQUEST).pid

    def backends_line() -> str:
        done = subprocess.run(
            worker.command("--json", "--backends"),
            env=worker.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=WAIT_S,
        )
        rows = json.loads(done.stdout)["backends"]
        return next(row["detail"] for row in rows if row["name"] == "embedded")

    line = backends_line()
    assert f"worker pid {pid}, gemma3-270m" in line and "more idle" in line
    stopped = subprocess.run(
        worker.command("--stop-worker"), env=worker.env, capture_output=True, text=True
    )
    assert stopped.returncode == 0 and f"pid {pid}" in stopped.stderr
    assert pid is not None and wait_gone(pid)
    assert "worker not running" in backends_line()


def test_without_unix_sockets_a_child_process_answers_each_request(
    worker: WorkerEnv, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key in ("XDG_RUNTIME_DIR", "CARO_CACHE_DIR"):
        monkeypatch.setenv(key, worker.env[key])
    monkeypatch.setattr(worker_client, "unix_sockets", lambda: False)
    settings = Settings()
    settings.embedded.n_threads = 1
    settings.verbose = True
    context = detect_context(resolve_shell(None, worker.env), env=worker.env)
    backend = worker_client.WorkerBackend(settings)
    started = time.monotonic()
    result = asyncio.run(backend.generate(GenerationRequest(REQUEST, context.shell, context)))
    assert time.monotonic() - started < WAIT_S
    assert result.backend == "embedded" and result.command
    assert "child process per request" in capsys.readouterr().err
    assert not worker.socket.exists()  # no resident worker was started
    assert alive(os.getpid())
