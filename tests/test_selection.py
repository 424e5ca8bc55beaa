"""Choosing the backend: auto-detection, the cache, fallback, explicit choice, final errors."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx

from backends import detect, registry, selection
from backends.protocol import GeneratedCommand, GenerationRequest, Health
from backends.registry import create_backend
from caro_py.errors import (
    BackendError,
    BackendUnavailable,
    ConfigError,
    NoUsableCommand,
    SelectionError,
    exit_code_of,
)
from config.model import BACKEND_NAMES
from tests._backend_fixtures import (
    REQUEST,
    content_answer,
    make_settings,
    models_list,
    ollama_answer,
    tool_call_answer,
)

EXO, LMS, OLL, VLLM = (
    "http://localhost:52415",
    "http://localhost:1234",
    "http://localhost:11434",
    "http://localhost:8000",
)
REFUSED = httpx.ConnectError("[Errno 111] Connection refused")


class FakeEmbedded:
    """Stands in for the embedded model (registered like any backend), so fallback to it is
    tested without loading llama.cpp."""

    name = "embedded"
    mode = "ok"  # ok | refuse | unusable

    last_settings: object = None

    def __init__(
        self, settings: object, *, use_overrides: bool = False, context: object = None
    ) -> None:
        self.closed = False
        FakeEmbedded.last_settings = settings

    async def generate(self, request: GenerationRequest) -> GeneratedCommand:
        if self.mode == "unusable":
            raise NoUsableCommand("the model declined")
        if self.mode == "refuse":
            raise BackendError("embedded: model failed to load")
        return GeneratedCommand(command=f"echo {request.text!r}", backend="embedded", model="fake")

    async def probe(self) -> Health:
        return Health(name="embedded", up=self.mode != "refuse", detail="fake model")

    async def aclose(self) -> None:
        self.closed = True


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "detect.json"
    monkeypatch.setattr(detect, "cache_file", lambda: path)
    return path


@pytest.fixture
def embedded(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[FakeEmbedded]]:
    monkeypatch.setattr(FakeEmbedded, "mode", "ok")
    undo = registry.register("embedded", FakeEmbedded)
    try:
        yield FakeEmbedded
    finally:
        undo()


@pytest.fixture
def no_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # as if llama-cpp-python were missing


def _down(mock: respx.MockRouter, *bases: str) -> None:
    for base in bases:
        mock.route(url__startswith=base).mock(side_effect=REFUSED)


def _lmstudio_up(mock: respx.MockRouter, chat: object = None) -> respx.Route:
    mock.get(f"{LMS}/v1/models").respond(200, json=models_list("lm-model"))
    mock.get(f"{LMS}/api/v0/models").respond(404)
    route = mock.post(f"{LMS}/v1/chat/completions")
    if chat is None:
        route.respond(200, json=tool_call_answer("docker ps", model="lm-model"))
    return route


def _ollama_up(mock: respx.MockRouter) -> respx.Route:
    mock.get(f"{OLL}/api/version").respond(200, json={"version": "0.6.2"})
    mock.get(f"{OLL}/api/tags").respond(200, json={"models": [{"name": "llama3.2:1b"}]})
    mock.get(f"{OLL}/api/ps").respond(200, json={"models": []})
    return mock.post(f"{OLL}/api/chat").respond(
        200, json=ollama_answer(command="docker ps -a", model="llama3.2:1b")
    )


def generate(settings=None, **kwargs):  # type: ignore[no-untyped-def]
    return asyncio.run(selection.generate(REQUEST, settings or make_settings(), **kwargs))


# --------------------------------------------------------------------------- auto


@respx.mock(assert_all_called=False)
def test_highest_priority_healthy_backend_wins(respx_mock, embedded) -> None:  # type: ignore[no-untyped-def]
    _lmstudio_up(respx_mock)
    _ollama_up(respx_mock)
    _down(respx_mock, EXO, VLLM)
    outcome = generate()
    assert outcome.generated.backend == "lmstudio"
    assert outcome.generated.command == "docker ps"
    assert outcome.fallback_from == [] and outcome.detect_ms > 0
    assert any("probe exo" in line and "down" in line for line in outcome.trail)
    assert any("detect: lmstudio chosen" in line for line in outcome.trail)


@respx.mock(assert_all_called=False)
def test_5xx_falls_back_to_the_next_healthy_one(respx_mock, embedded) -> None:  # type: ignore[no-untyped-def]
    _lmstudio_up(respx_mock, chat=False).respond(500, json={"error": "out of memory"})
    _ollama_up(respx_mock)
    _down(respx_mock, EXO, VLLM)
    events: list[str] = []
    outcome = generate(on_event=events.append)
    assert outcome.generated.backend == "ollama"
    assert outcome.fallback_from == ["lmstudio"]
    assert len(events) == 1 and events[0].startswith("falling back from lmstudio to ollama: ")
    assert "out of memory" in events[0]


@respx.mock(assert_all_called=False)
def test_no_usable_command_falls_back_after_the_repair(respx_mock, embedded) -> None:  # type: ignore[no-untyped-def]
    route = _lmstudio_up(respx_mock, chat=False).respond(
        200, json=content_answer("Which containers do you mean?")
    )
    _down(respx_mock, EXO, OLL, VLLM)
    events: list[str] = []
    outcome = generate(on_event=events.append)
    assert route.call_count == 2  # the request and its one repair
    assert outcome.generated.backend == "embedded"
    assert outcome.fallback_from == ["lmstudio"]
    assert events[0].startswith("falling back from lmstudio to embedded")


@respx.mock(assert_all_called=False)
def test_timeout_falls_back(respx_mock, embedded) -> None:  # type: ignore[no-untyped-def]
    _lmstudio_up(respx_mock, chat=False).mock(side_effect=httpx.ReadTimeout("slow"))
    _ollama_up(respx_mock)
    _down(respx_mock, EXO, VLLM)
    assert generate().fallback_from == ["lmstudio"]


@respx.mock(assert_all_called=False)
def test_nothing_listening_ends_at_embedded(respx_mock, embedded) -> None:  # type: ignore[no-untyped-def]
    _down(respx_mock, EXO, LMS, OLL, VLLM)
    events: list[str] = []
    outcome = generate(on_event=events.append)
    assert outcome.generated.backend == "embedded" and outcome.fallback_from == []
    assert events == []  # nothing failed: embedded is simply the first healthy one


@respx.mock(assert_all_called=False)
def test_auto_model_override_is_not_given_to_embedded(respx_mock, embedded) -> None:  # type: ignore[no-untyped-def]
    # `caro --model llama3` with no server up: --model names a server's model, so embedded,
    # the last resort, keeps its own instead of failing on a name it does not know.
    _down(respx_mock, EXO, LMS, OLL, VLLM)
    outcome = generate(make_settings(model="llama3"))
    assert outcome.generated.backend == "embedded"
    assert embedded.last_settings.model is None  # type: ignore[attr-defined]
    assert any("--model is for a detected server" in line for line in outcome.trail)


def test_explicit_embedded_takes_the_model_override(embedded) -> None:  # type: ignore[no-untyped-def]
    generate(make_settings(model="my-model.gguf"), explicit="embedded")
    assert embedded.last_settings.model == "my-model.gguf"  # type: ignore[attr-defined]


@respx.mock(assert_all_called=False)
def test_an_unexpected_exception_reads_as_a_sentence(respx_mock, embedded, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from backends.remote.lmstudio import LMStudioBackend

    async def broken(self, request):  # type: ignore[no-untyped-def]
        raise ValueError("deadline must not be NaN")

    monkeypatch.setattr(LMStudioBackend, "generate", broken)
    _lmstudio_up(respx_mock)
    _down(respx_mock, EXO, OLL, VLLM)
    events: list[str] = []
    outcome = generate(on_event=events.append)
    assert outcome.generated.backend == "embedded"
    assert "deadline must not be NaN" in events[0] and "ValueError" not in events[0]
    assert any("ValueError('deadline must not be NaN')" in line for line in outcome.trail)
    with pytest.raises(BackendError) as info:
        generate(make_settings(fallback=False), explicit="lmstudio")
    assert info.value.message == "lmstudio failed unexpectedly: deadline must not be NaN"


@respx.mock(assert_all_called=False)
def test_nothing_at_all_is_a_backend_error(respx_mock, no_embedded) -> None:  # type: ignore[no-untyped-def]
    _down(respx_mock, EXO, LMS, OLL, VLLM)
    with pytest.raises(BackendUnavailable) as info:
        generate()
    assert exit_code_of(info.value) == 3
    assert "needs llama-cpp-python" in info.value.message and "exo at http://localhost:52415" in (
        info.value.message
    )


@respx.mock(assert_all_called=False)
def test_answers_without_a_command_everywhere_is_exit_6(respx_mock, embedded) -> None:  # type: ignore[no-untyped-def]
    _lmstudio_up(respx_mock, chat=False).respond(200, json=content_answer("I can't do that."))
    _down(respx_mock, EXO, OLL, VLLM)
    embedded.mode = "unusable"
    with pytest.raises(NoUsableCommand) as info:
        generate()
    assert exit_code_of(info.value) == 6


@respx.mock(assert_all_called=False)
def test_fallback_off_stops_after_the_first_failure(respx_mock, embedded) -> None:  # type: ignore[no-untyped-def]
    _lmstudio_up(respx_mock, chat=False).respond(503, json={"error": "loading"})
    ollama_chat = _ollama_up(respx_mock)
    _down(respx_mock, EXO, VLLM)
    with pytest.raises(BackendError, match="503"):
        generate(make_settings(fallback=False))
    assert not ollama_chat.called


@respx.mock(assert_all_called=False)
def test_disabled_backends_are_not_probed(respx_mock, embedded) -> None:  # type: ignore[no-untyped-def]
    lms_probe = respx_mock.get(f"{LMS}/v1/models").respond(200, json=models_list("x"))
    _ollama_up(respx_mock)
    _down(respx_mock, EXO, VLLM)
    settings = make_settings()
    settings.backend_settings("lmstudio").enabled = False
    assert generate(settings).generated.backend == "ollama"
    assert not lms_probe.called


def test_enabled_openai_joins_auto_detection_before_embedded() -> None:
    settings = make_settings()
    assert selection.auto_candidates(settings) == ["exo", "lmstudio", "ollama", "vllm", "embedded"]
    settings.backend_settings("openai").enabled = True
    settings.embedded.enabled = False
    assert selection.auto_candidates(settings)[-1] == "openai"
    settings.order = ["ollama", "bogus"]
    with pytest.raises(ConfigError, match="bogus"):
        selection.auto_candidates(settings)


def test_base_url_without_a_backend_is_a_usage_error() -> None:
    with pytest.raises(SelectionError, match="--backend"):
        generate(make_settings(base_url="http://somewhere:1234"))


# --------------------------------------------------------------------------- cache


@respx.mock(assert_all_called=False)
def test_cache_skips_probes_then_is_dropped_on_failure(respx_mock, embedded, cache) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(detect_cache_seconds=30)
    lms_probe = respx_mock.get(f"{LMS}/v1/models").respond(200, json=models_list("lm-model"))
    respx_mock.get(f"{LMS}/api/v0/models").respond(404)
    lms_chat = respx_mock.post(f"{LMS}/v1/chat/completions").respond(
        200, json=tool_call_answer("docker ps")
    )
    _ollama_up(respx_mock)
    _down(respx_mock, EXO, VLLM)

    first = generate(settings)
    assert first.generated.backend == "lmstudio" and cache.exists()
    probes = lms_probe.call_count

    second = generate(settings)
    assert second.generated.backend == "lmstudio"
    assert any("from cache" in line for line in second.trail)
    assert lms_probe.call_count == probes + 1  # only the model lookup, no probe round

    lms_chat.respond(500, json={"error": "crashed"})
    third = generate(settings)
    assert third.generated.backend == "ollama" and third.fallback_from == ["lmstudio"]
    assert any("dropped the cached choice lmstudio" in line for line in third.trail)
    assert detect.read_cache(_key(settings), 30)[0] == "ollama"  # type: ignore[index]


def _key(settings) -> str:  # type: ignore[no-untyped-def]
    names = selection.auto_candidates(settings)
    urls = {n: create_backend(n, settings).base_url for n in names if n != "embedded"}  # type: ignore[attr-defined]
    return detect.cache_key((n, urls.get(n)) for n in names)


# --------------------------------------------------------------------------- explicit


@respx.mock(assert_all_called=False)
def test_explicit_backend_skips_detection(respx_mock, embedded) -> None:  # type: ignore[no-untyped-def]
    exo_probe = respx_mock.get(f"{EXO}/v1/models").respond(200, json=models_list("e"))
    _ollama_up(respx_mock)
    outcome = generate(explicit="ollama")
    assert outcome.generated.backend == "ollama" and outcome.detect_ms == 0
    assert not exo_probe.called


@respx.mock(assert_all_called=False)
def test_explicit_falls_back_only_to_embedded(respx_mock, embedded) -> None:  # type: ignore[no-untyped-def]
    _down(respx_mock, LMS)
    ollama_chat = _ollama_up(respx_mock)  # up, but not a fallback for an explicit choice
    events: list[str] = []
    outcome = generate(explicit="lmstudio", on_event=events.append)
    assert outcome.generated.backend == "embedded"
    assert outcome.fallback_from == ["lmstudio"]
    assert events == [events[0]] and "from lmstudio to embedded" in events[0]
    assert "connection refused" in events[0]
    assert not ollama_chat.called


@respx.mock(assert_all_called=False)
def test_fallback_to_embedded_drops_the_other_backends_model(respx_mock, embedded) -> None:  # type: ignore[no-untyped-def]
    _down(respx_mock, OLL)
    settings = make_settings(model="llama3.2:1b")
    outcome = generate(settings, explicit="ollama")
    assert outcome.generated.backend == "embedded"
    assert embedded.last_settings.model is None  # type: ignore[attr-defined]
    assert settings.model == "llama3.2:1b"  # the caller's settings are left alone


@respx.mock(assert_all_called=False)
def test_explicit_without_fallback_reports_its_own_error(respx_mock, embedded) -> None:  # type: ignore[no-untyped-def]
    _down(respx_mock, LMS)
    with pytest.raises(BackendUnavailable, match="connection refused"):
        generate(make_settings(fallback=False), explicit="lmstudio")


@respx.mock(assert_all_called=False)
def test_explicit_overrides_apply_to_the_chosen_backend(respx_mock, embedded) -> None:  # type: ignore[no-untyped-def]
    route = respx_mock.post("http://gpu:9000/v1/chat/completions").respond(
        200, json=tool_call_answer("ls", model="big")
    )
    outcome = generate(make_settings(base_url="http://gpu:9000/v1", model="big"), explicit="vllm")
    assert outcome.generated.model == "big" and route.called


@respx.mock(assert_all_called=False)
def test_explicit_mixed_failures(respx_mock, embedded) -> None:  # type: ignore[no-untyped-def]
    respx_mock.get(f"{LMS}/api/v0/models").respond(404)
    respx_mock.get(f"{LMS}/v1/models").respond(200, json=models_list("m"))
    respx_mock.post(f"{LMS}/v1/chat/completions").respond(200, json=content_answer("ls\npwd"))
    embedded.mode = "refuse"
    with pytest.raises(NoUsableCommand):  # lmstudio answered, just not usably
        generate(explicit="lmstudio")
    _down(respx_mock, VLLM)
    with pytest.raises(BackendError, match="every backend failed") as info:
        generate(explicit="vllm")
    assert exit_code_of(info.value) == 3


def test_explicit_unknown_and_embedded_without_llama_cpp(no_embedded) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SelectionError, match="choose one of"):
        generate(explicit="gpt5")
    with pytest.raises(BackendUnavailable, match="needs llama-cpp-python"):
        generate(explicit="embedded")


# --------------------------------------------------------------------------- probe_all


@respx.mock(assert_all_called=False)
def test_probe_all_reports_every_backend(respx_mock, no_embedded) -> None:  # type: ignore[no-untyped-def]
    _lmstudio_up(respx_mock)
    _ollama_up(respx_mock)
    _down(respx_mock, EXO, VLLM)
    healths = asyncio.run(selection.probe_all(make_settings()))
    by_name = {h.name: h for h in healths}
    assert [h.name for h in healths] == list(BACKEND_NAMES)
    assert by_name["lmstudio"].up and by_name["lmstudio"].models == ("lm-model",)
    assert by_name["ollama"].up and not by_name["exo"].up
    assert by_name["openai"].detail == "disabled in config"
    assert not by_name["embedded"].up and "needs llama-cpp-python" in (
        by_name["embedded"].detail or ""
    )


def test_probe_all_reports_a_crashing_probe_in_words(embedded, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    async def broken(self):  # type: ignore[no-untyped-def]
        raise ValueError("deadline must not be NaN")

    monkeypatch.setattr(embedded, "probe", broken)
    settings = make_settings()
    for name in ("exo", "lmstudio", "ollama", "vllm"):
        settings.backend_settings(name).enabled = False
    healths = {h.name: h for h in asyncio.run(selection.probe_all(settings))}
    assert healths["embedded"].detail == "the probe failed: deadline must not be NaN"


def test_probe_all_asks_the_embedded_backend(embedded) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()
    for name in ("exo", "lmstudio", "ollama", "vllm"):
        settings.backend_settings(name).enabled = False
    healths = {h.name: h for h in asyncio.run(selection.probe_all(settings))}
    assert healths["embedded"].up and healths["embedded"].detail == "fake model"


def test_explicit_embedded_has_nothing_to_fall_back_to(embedded) -> None:  # type: ignore[no-untyped-def]
    embedded.mode = "refuse"
    events: list[str] = []
    with pytest.raises(BackendError) as info:
        generate(explicit="embedded", on_event=events.append)
    assert info.value.message == "embedded: model failed to load" and events == []


@respx.mock(assert_all_called=False)
def test_auto_model_override_goes_to_the_pick_not_to_fallbacks(respx_mock, embedded) -> None:  # type: ignore[no-untyped-def]
    lms_chat = _lmstudio_up(respx_mock, chat=False).respond(500, json={"error": "down"})
    ollama_chat = _ollama_up(respx_mock)
    _down(respx_mock, EXO, VLLM)
    outcome = generate(make_settings(model="my-lm-model"))
    assert outcome.generated.backend == "ollama"
    assert json.loads(lms_chat.calls[0].request.content)["model"] == "my-lm-model"
    assert json.loads(ollama_chat.calls[0].request.content)["model"] == "llama3.2:1b"


def test_selection_loads_only_what_the_generate_path_needs() -> None:
    import subprocess

    code = (
        "import sys, backends.selection\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {heavy})))\n"
        "import backends.remote.exo, backends.remote.lmstudio\n"
        "import backends.remote.ollama, backends.remote.vllm\n"
        "print(','.join(sorted({{m.split('.')[0] for m in sys.modules}} & {heavy})))\n"
    ).format(heavy=repr({"httpx", "rich", "click", "pygments", "tree_sitter", "llama_cpp"}))
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    selection_only, with_remotes = done.stdout.splitlines()
    assert selection_only == ""  # backends.selection alone: no httpx, no backend module
    assert with_remotes == "httpx"  # the remote backends: httpx, without its CLI's rich/click
