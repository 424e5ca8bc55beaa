"""The embedded backend with the real shipped default model (no mocks).

Model loads are the slow part (about half a second each here), so the module shares two
backends: ``first`` builds the prefix state cold, ``second`` is a fresh load that must find
it warm and give the same answer.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from backends import functiongemma
from backends.adapters import shipped_adapter
from backends.embedded import EmbeddedBackend
from backends.models import cache_root
from caro_py.errors import BackendError, NoUsableCommand
from caro_py.parsing import parse_text
from caro_py.protocol import GeneratedCommand, GenerationRequest, PlatformContext
from config.model import EmbeddedSettings

REPO = Path(__file__).resolve().parent.parent
CONTEXT = PlatformContext(
    os="linux",
    distribution="Debian GNU/Linux 12",
    arch="x86_64",
    shell="bash",
    shell_version="5.2",
    userland="gnu",
    cwd="/home/user",
)
REQUEST = "list running docker containers"
# Shorter than the product's default: the pretrained base (before the adapter ships) can
# ramble, and this shared machine is slow.
SETTINGS = EmbeddedSettings(max_tokens=32)


def ask(text: str) -> GenerationRequest:
    return GenerationRequest(text=text, shell="bash", context=CONTEXT)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.fixture(scope="module")
def prefix_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prefix")


@pytest.fixture(scope="module")
def first(prefix_dir: Path) -> Iterator[tuple[EmbeddedBackend, GeneratedCommand]]:
    backend = EmbeddedBackend(SETTINGS, cache_dir=cache_root(), prefix_dir=prefix_dir)
    result = run(backend.generate(ask(REQUEST)))
    yield backend, result
    run(backend.aclose())


@pytest.fixture(scope="module")
def second(
    prefix_dir: Path, first: tuple[EmbeddedBackend, GeneratedCommand]
) -> Iterator[tuple[EmbeddedBackend, GeneratedCommand]]:
    backend = EmbeddedBackend(SETTINGS, cache_dir=cache_root(), prefix_dir=prefix_dir)
    result = run(backend.generate(ask(REQUEST)))
    yield backend, result
    run(backend.aclose())


def test_loads_the_default_model_with_the_functiongemma_profile(first):
    backend, result = first
    loaded = backend.load()
    assert loaded.profile == "functiongemma"
    assert loaded.model.is_default_base
    assert loaded.llm.n_ctx() == backend.settings.n_ctx
    assert result.backend == "embedded"
    assert result.model is not None and result.model.startswith("gemma3-270m")
    adapter = shipped_adapter()
    assert (loaded.adapter is not None) == (adapter is not None)
    assert result.timings_ms["model_load"] > 0


def test_generation_stops_at_escape_and_parses(first):
    _, result = first
    raw = result.raw
    assert raw["profile"] == "functiongemma"
    assert raw["finish_reason"] == "stop"
    assert functiongemma.STOP not in raw["text"]
    assert 0 < raw["completion_tokens"] < SETTINGS.max_tokens
    # The command is what the shared parser reads from the reassembled call.
    call = functiongemma.PREFILL + raw["text"] + functiongemma.END_OF_CALL
    assert result.command == parse_text(call)
    assert "\n" not in result.command


def test_first_run_builds_the_prefix_state(first, prefix_dir: Path):
    _, result = first
    assert result.raw["prefix_cache"] == "cold"
    states = list(prefix_dir.glob("*.state"))
    assert len(states) == 1 and states[0].stat().st_size > 100_000
    # Everything before the user's words came from the prefix.
    assert result.raw["cached_tokens"] > 0.7 * result.raw["prompt_tokens"]


def test_a_fresh_load_reuses_the_saved_prefix_and_answers_the_same(first, second):
    _, cold = first
    _, warm = second
    assert warm.raw["prefix_cache"] == "warm"
    assert warm.raw["cached_tokens"] == cold.raw["cached_tokens"]
    assert warm.raw["text"] == cold.raw["text"]
    assert warm.command == cold.command


def test_the_same_process_keeps_the_prefix_in_memory(second):
    backend, warm = second
    again = run(backend.generate(ask(REQUEST)))
    assert again.raw["prefix_cache"] == "in-memory"
    assert again.raw["text"] == warm.raw["text"]
    assert again.timings_ms["model_load"] == 0.0


def test_a_different_request_reuses_the_prefix_too(second):
    backend, _ = second
    try:
        other = run(backend.generate(ask("show free disk space"))).raw
    except NoUsableCommand:  # the base model may ramble past max_tokens; the cache is the point
        other = backend.last_stats
    assert other["prefix_cache"] == "in-memory"
    assert other["cached_tokens"] > 0


def test_probe_describes_model_adapter_and_warm_cache(second):
    backend, _ = second
    health = run(backend.probe())
    assert health.up and health.name == "embedded"
    assert health.detail is not None
    assert "model gemma3-270m" in health.detail
    assert "adapter" in health.detail
    assert "prefix cache warm" in health.detail


def test_max_tokens_bounds_the_answer(second):
    backend, _ = second
    original = backend.settings
    backend.settings = replace(original, max_tokens=2)
    try:
        with pytest.raises(NoUsableCommand) as info:
            run(backend.generate(ask("print the current date in ISO 8601 format with seconds")))
    finally:
        backend.settings = original
    assert "max_tokens" in info.value.message


def test_a_request_longer_than_the_context_is_refused(second):
    backend, _ = second
    with pytest.raises(BackendError) as info:
        run(backend.generate(ask("word " * 2000)))
    assert "n_ctx" in info.value.message


def test_an_empty_request_is_no_usable_command(second):
    backend, _ = second
    with pytest.raises(NoUsableCommand):
        run(backend.generate(ask("   ")))


def test_chatml_profile_with_grammar_answers_json(prefix_dir: Path):
    """The grammar forces the {"command": ...} shape even on a model never taught it."""
    settings = EmbeddedSettings(prompt_profile="chatml", grammar=True, max_tokens=12)
    backend = EmbeddedBackend(settings, cache_dir=cache_root(), prefix_dir=prefix_dir)
    try:
        try:
            result = run(backend.generate(ask("print the working directory")))
            text = result.raw["text"]
            assert json.loads(text)["command"] == result.command
        except NoUsableCommand as exc:  # cut at max_tokens or an unusable string
            text = exc.raw or ""
        assert text.replace(" ", "").startswith('{"command":"')
        assert backend.load().profile == "chatml"
    finally:
        run(backend.aclose())


def test_llama_chatter_stays_off_stderr(prefix_dir: Path):
    """A fresh process: nothing from llama.cpp on stderr unless verbose."""
    script = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "from backends.embedded import EmbeddedBackend\n"
        "from config.model import EmbeddedSettings\n"
        "from tests.test_embedded import ask\n"
        "b = EmbeddedBackend(EmbeddedSettings(), prefix_dir=Path(sys.argv[1]))\n"
        "r = asyncio.run(b.generate(ask('list files')))\n"
        "print(r.raw['prefix_cache'])\n"
    )
    env = {**os.environ, "CARO_CACHE_DIR": str(cache_root())}
    env.pop("CARO_VERBOSE", None)
    proc = subprocess.run(
        [sys.executable, "-c", script, str(prefix_dir)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "warm"
    assert proc.stderr == ""


def test_chatml_prompt_shape():
    from backends import chatml

    request = ask("  count lines in notes.txt ")
    prefix = chatml.render_prefix(request)
    prompt = chatml.render_prompt(request)
    assert prefix.startswith("<|im_start|>system\n") and prefix.endswith("<|im_start|>user\n")
    assert prompt == (prefix + "count lines in notes.txt<|im_end|>\n<|im_start|>assistant\n")
    assert '{"command"' in prefix  # asks for the JSON shape the grammar enforces


def test_preload_is_adopted_by_the_next_backend(prefix_dir: Path):
    from backends import embedded

    embedded.preload(SETTINGS, cache_dir=cache_root(), prefix_dir=prefix_dir)
    backend = EmbeddedBackend(SETTINGS, cache_dir=cache_root(), prefix_dir=prefix_dir)
    try:
        loaded = backend.load()
        assert loaded.profile == "functiongemma"
        assert embedded._PRELOADS == {}  # consumed, not loaded twice
        again = run(backend.generate(ask(REQUEST)))
        assert again.raw["finish_reason"] == "stop"
    finally:
        run(backend.aclose())


def test_preload_errors_surface_in_the_adopter(tmp_path: Path):
    from backends import embedded
    from caro_py.errors import ModelError

    settings = EmbeddedSettings(model_path=str(tmp_path / "missing.gguf"))
    embedded.preload(settings, cache_dir=tmp_path)
    with pytest.raises(ModelError) as info:
        EmbeddedBackend(settings, cache_dir=tmp_path).load()
    assert "missing.gguf" in info.value.message
