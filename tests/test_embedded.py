"""The embedded backend with the real shipped default model (no mocks).

Model loads are the slow part (about half a second each here), so the module shares two
backends: ``first`` builds the prefix state cold, ``second`` is a fresh load that must find
it warm and give the same answer. The small model can still answer some requests with text
the shared judgement refuses (NoUsableCommand); these tests pin the backend's mechanics either
way, from its own figures (``last_stats``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from backends.command_text import command_problem
from backends.embedded import functiongemma
from backends.embedded.adapters import shipped_adapter
from backends.embedded.inprocess import EmbeddedBackend
from backends.embedded.models import cache_root
from backends.protocol import GenerationRequest
from caro_py.errors import BackendError, BackendTimeout, NoUsableCommand
from config.model import EmbeddedSettings
from tests._backend_fixtures import CONTEXT

pytestmark = [pytest.mark.slow, pytest.mark.model]

REPO = Path(__file__).resolve().parent.parent
REQUEST = "list running docker containers"
# Shorter than the product's default: a wrong answer can ramble, and this machine is slow.
SETTINGS = EmbeddedSettings(max_tokens=32)


def ask(text: str) -> GenerationRequest:
    return GenerationRequest(text=text, shell="bash", context=CONTEXT)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@dataclass
class Answer:
    raw: dict[str, Any]  # the backend's figures for this generation (last_stats)
    command: str | None  # None: the text was no usable command
    model: str | None


def answer(backend: EmbeddedBackend, request: GenerationRequest) -> Answer:
    try:
        result = run(backend.generate(request))
    except NoUsableCommand:
        return Answer(backend.last_stats, None, None)
    assert result.raw["text"] == backend.last_stats["text"]
    return Answer(backend.last_stats, result.command, result.model)


@pytest.fixture(scope="module")
def prefix_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prefix")


@pytest.fixture(scope="module")
def first(prefix_dir: Path) -> Iterator[tuple[EmbeddedBackend, Answer]]:
    backend = EmbeddedBackend(SETTINGS, cache_dir=cache_root(), prefix_dir=prefix_dir)
    result = answer(backend, ask(REQUEST))
    yield backend, result
    run(backend.aclose())


@pytest.fixture(scope="module")
def second(
    prefix_dir: Path, first: tuple[EmbeddedBackend, Answer]
) -> Iterator[tuple[EmbeddedBackend, Answer]]:
    backend = EmbeddedBackend(SETTINGS, cache_dir=cache_root(), prefix_dir=prefix_dir)
    result = answer(backend, ask(REQUEST))
    yield backend, result
    run(backend.aclose())


def test_loads_the_default_model_with_the_functiongemma_profile(first):
    backend, result = first
    loaded = backend.load()
    assert loaded.profile == "functiongemma"
    assert loaded.model.is_default_base
    assert loaded.llm.n_ctx() == backend.settings.n_ctx
    label = backend._model_label(loaded)
    assert label.startswith("gemma3-270m")
    assert result.model in (None, label)
    adapter = shipped_adapter()
    assert (loaded.adapter is not None) == (adapter is not None)
    assert result.raw["timings_ms"]["model_load"] > 0
    assert result.raw["load"]["n_threads"] >= 1


def test_generation_stops_at_escape_and_parses(first):
    _, result = first
    raw = result.raw
    assert raw["profile"] == "functiongemma"
    assert raw["finish_reason"] == "stop"
    assert functiongemma.STOP not in raw["text"]
    assert 0 < raw["completion_tokens"] < SETTINGS.max_tokens
    # The command is the text the model wrote after the prefill, taken as it is: one line of
    # it, with nothing added (no call syntax around it), that the shared judgement accepts.
    if result.command is not None:
        assert result.command and result.command in raw["text"]
        assert "\n" not in result.command
        assert command_problem(result.command) is None


def test_the_shipped_adapter_answers_the_readme_request_with_a_docker_command(first):
    # The base model alone answers this with prose; the adapter was trained on this request.
    _, result = first
    if shipped_adapter() is None:
        pytest.skip("no shell adapter shipped")
    assert result.command is not None and result.command.split()[0] == "docker"


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
    again = answer(backend, ask(REQUEST))
    assert again.raw["prefix_cache"] == "in-memory"
    assert again.raw["text"] == warm.raw["text"]
    assert again.raw["timings_ms"]["model_load"] == 0.0


def test_a_stop_mid_answer_ends_at_the_next_token_and_leaves_the_model_usable(second):
    """The per-token check: a stop (Ctrl-C, deadline) lands between tokens, not at the end."""
    from backends.embedded.inprocess import _Guard

    class StopAfter(_Guard):
        def __init__(self, checks: int) -> None:
            super().__init__(None, None)
            self.left = checks

        def check(self) -> None:
            self.left -= 1
            if self.left < 0:
                raise BackendTimeout("stopped by the test", backend="embedded")

    backend, warm = second
    loaded = backend.load()
    guard = StopAfter(3)  # after the prefix, then two tokens
    with backend._lock, pytest.raises(BackendTimeout):
        backend._complete(loaded, ask(REQUEST), guard)
    assert warm.raw["completion_tokens"] > 3
    assert loaded.llm.n_tokens <= warm.raw["prompt_tokens"] + 3  # not the whole answer
    again = answer(backend, ask(REQUEST))
    assert again.raw["text"] == warm.raw["text"]


def test_a_different_request_reuses_the_prefix_too(second):
    backend, _ = second
    try:
        other = run(backend.generate(ask("show free disk space"))).raw
    except NoUsableCommand:  # the base model may ramble past max_tokens; the cache is the point
        other = backend.last_stats
    assert other["prefix_cache"] == "in-memory"
    assert other["cached_tokens"] > 0


def test_probe_reports_the_prefix_state_a_request_from_here_would_use(second, tmp_path: Path):
    """--backends says warm only when the state for this machine's context is saved."""
    from caro_py.context import detect_context, resolve_shell

    backend, _ = second
    context = detect_context(resolve_shell(None, os.environ))
    empty = EmbeddedBackend(
        SETTINGS, cache_dir=cache_root(), prefix_dir=tmp_path / "prefix", context=context
    )
    unknown = EmbeddedBackend(SETTINGS, cache_dir=cache_root(), prefix_dir=tmp_path / "prefix")
    assert "prefix cache unknown" in (run(unknown.probe()).detail or "")
    cold = run(empty.probe())
    assert cold.up and cold.name == "embedded"
    assert cold.detail is not None and "model gemma3-270m" in cold.detail
    assert "adapter" in cold.detail and "prefix cache cold" in cold.detail

    backend.context = context
    # The base model may ramble past max_tokens; the saved state is the point.
    with contextlib.suppress(NoUsableCommand):
        run(backend.generate(GenerationRequest(REQUEST, context.shell, context)))
    assert "prefix cache warm" in (run(backend.probe()).detail or "")
    # Same directory, another key part (n_ctx): not that state.
    other = EmbeddedBackend(
        replace(SETTINGS, n_ctx=2048),
        cache_dir=cache_root(),
        prefix_dir=backend.prefix_cache.directory,
        context=context,
    )
    assert "prefix cache cold" in (run(other.probe()).detail or "")


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
            assert json.loads(text)["command"].strip() == result.command
        except NoUsableCommand as exc:  # cut at max_tokens or an unusable string
            text = exc.raw or ""
        assert text.replace(" ", "").startswith('{"command":"')
        assert backend.load().profile == "chatml"
    finally:
        run(backend.aclose())


def test_llama_chatter_stays_off_stderr(prefix_dir: Path):
    """A fresh process: nothing from llama.cpp on stderr unless verbose."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from backends.embedded.inprocess import EmbeddedBackend\n"
        "from config.model import EmbeddedSettings\n"
        "from tests.test_embedded import answer, ask\n"
        "b = EmbeddedBackend(EmbeddedSettings(), prefix_dir=Path(sys.argv[1]))\n"
        "print(answer(b, ask('list files')).raw['prefix_cache'])\n"
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
    from backends.embedded import chatml

    request = ask("  count lines in notes.txt ")
    prefix = chatml.render_prefix(request)
    prompt = chatml.render_prompt(request)
    assert prefix.startswith("<|im_start|>system\n") and prefix.endswith("<|im_start|>user\n")
    assert prompt == (prefix + "count lines in notes.txt<|im_end|>\n<|im_start|>assistant\n")
    assert '{"command"' in prefix  # asks for the JSON shape the grammar enforces
