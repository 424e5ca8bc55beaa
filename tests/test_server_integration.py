"""The OpenAI-compatible backends against a real server: llama-cpp-python's own.

One ``python -m llama_cpp.server`` per module, on a free loopback port, serving the default
model; LM Studio, vLLM and Exo speak to it exactly as they would to their own servers
(llama_cpp.server answers /v1/models and /v1/chat/completions; /health exists only on
vLLM, so that probe is pinned as "down" here). The full ``caro --json`` path runs against
it as a subprocess. The server is always stopped, whatever the tests do.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backends.models import assemble_default
from backends.protocol import GeneratedCommand, GenerationRequest
from caro_py.errors import NoUsableCommand
from config.model import Settings
from tests._backend_fixtures import CONTEXT

pytestmark = [pytest.mark.slow, pytest.mark.server]

REPO = Path(__file__).resolve().parent.parent
ALIAS = "gemma3-270m-test"
READY_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    pytest.importorskip("llama_cpp.server", reason="needs llama-cpp-python[server]")
    model = assemble_default()
    port = _free_port()
    log = open(os.devnull, "w")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "scripts" / "serve_llama.py"),
            "--model",
            str(model),
            "--model_alias",
            ALIAS,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            # Small, to keep the server light; every client below caps its answers at 64
            # tokens, since llama_cpp.server answers 500 when prompt + max_tokens overflow
            # n_ctx (a repair turn's prompt is near 300 tokens, more with a long cwd).
            "--n_ctx",
            "768",
            "--n_threads",
            "1",
        ],
        stdout=log,
        stderr=log,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited early with {proc.returncode}")
            try:
                if httpx.get(f"{base_url}/v1/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server not ready within {READY_TIMEOUT_S} s")
            time.sleep(0.2)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _settings(name: str, base_url: str) -> Settings:
    settings = Settings()
    settings.backend_settings(name).base_url = base_url
    # The server's context is small on purpose (fast tests); llama_cpp.server answers 500 when
    # prompt + max_tokens would overflow it, so cap the answer as a user with such a server would.
    settings.backend_settings(name).max_tokens = 64
    settings.timeout_seconds = 60
    settings.probe_timeout_ms = 2000
    return settings


def _backend(name: str, base_url: str):  # type: ignore[no-untyped-def]
    from backends.registry import create_backend

    return create_backend(name, _settings(name, base_url))


async def _probe_and_generate(name: str, base_url: str):  # type: ignore[no-untyped-def]
    backend = _backend(name, base_url)
    try:
        health = await backend.probe()
        try:
            result: GeneratedCommand | NoUsableCommand = await backend.generate(
                GenerationRequest("print the working directory", "bash", CONTEXT)
            )
        except NoUsableCommand as exc:
            result = exc
        return health, result, getattr(backend, "requests_made", None)
    finally:
        await backend.aclose()


@pytest.mark.parametrize("name", ["lmstudio", "exo"])
def test_backend_talks_to_a_real_openai_compatible_server(server: str, name: str):
    health, result, requests = asyncio.run(_probe_and_generate(name, server))

    assert health.up, health.detail
    assert ALIAS in health.models
    assert requests and requests >= 1
    # The pretrained base may answer with no usable command; the wire format is what is
    # pinned here: an answer came back, from the model the server reported.
    if isinstance(result, GeneratedCommand):
        assert result.backend == name
        assert result.model == ALIAS
        assert result.command and "\n" not in result.command
        assert isinstance(result.raw, dict) and result.raw.get("choices")
    else:
        assert result.backend == name and "no usable command" in result.message


def test_vllm_backend_against_the_server(server: str):
    """llama_cpp.server has no /health, so vLLM's probe says down; generation still works."""
    health, result, requests = asyncio.run(_probe_and_generate("vllm", server))

    assert not health.up
    assert requests and requests >= 1
    if isinstance(result, GeneratedCommand):
        assert result.backend == "vllm" and result.model == ALIAS
        # A named tool_choice makes llama_cpp.server constrain the answer to the tool's
        # schema, so the command comes back as a real tool call.
        message = result.raw["choices"][0]["message"]
        assert message.get("tool_calls")
        assert json.loads(message["tool_calls"][0]["function"]["arguments"])["command"]
    else:
        assert "no usable command" in result.message


def test_caro_json_dry_run_against_the_server(server: str, tmp_path: Path):
    config = tmp_path / "config.toml"
    # No fallback: this test is about the exo path, and the embedded model would answer too.
    # max_tokens: the server's context is small (see the fixture).
    config.write_text(
        "fallback = false\n"
        f'[backend.exo]\nbase_url = "{server}"\ntimeout_seconds = 60\nmax_tokens = 64\n'
    )
    env = {**os.environ, "CARO_CONFIG": str(config)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "caro_py",
            "--json",
            "--dry-run",
            "--backend",
            "exo",
            "print the working directory",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stdout + proc.stderr
    answer = json.loads(lines[0])
    assert answer["request"] == "print the working directory"
    assert answer["executed"] is False
    assert answer["fallback_from"] == []
    if proc.returncode == 0:
        assert answer["backend"] == "exo" and answer["model"] == ALIAS
        assert answer["command"]
    else:
        # The pretrained base behind the server may give no usable command (6).
        assert proc.returncode == 6, proc.stderr
        assert answer["error"]["type"] == "no_command"
