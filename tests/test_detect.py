"""Detection: concurrent probes walked in priority order, and the on-disk cache."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
import pytest
import respx

from backends import detect
from backends.remote.exo import ExoBackend
from backends.remote.lmstudio import LMStudioBackend
from backends.remote.ollama import OllamaBackend
from backends.remote.vllm import VLLMBackend
from tests._backend_fixtures import make_settings, models_list

EXO, LMS, OLL, VLLM = (
    "http://localhost:52415",
    "http://localhost:1234",
    "http://localhost:11434",
    "http://localhost:8000",
)


def _all_backends() -> dict:
    settings = make_settings()
    return {
        "exo": ExoBackend(settings),
        "lmstudio": LMStudioBackend(settings),
        "ollama": OllamaBackend(settings),
        "vllm": VLLMBackend(settings),
    }


async def _walk(order: list[str], timeout: float = 0.3) -> tuple[list[str | None], dict]:
    backends = _all_backends()
    detector = detect.Detector(backends, order, timeout)
    detector.start()
    picks: list[str | None] = []
    tried: list[str] = []
    try:
        while True:
            name = await detector.next_healthy(exclude=tried)
            picks.append(name)
            if name is None:
                return picks, await detector.wait_all()
            tried.append(name)
    finally:
        detector.cancel()
        for b in backends.values():
            await b.aclose()


@respx.mock(assert_all_called=False)
def test_priority_order_with_several_backends_up(respx_mock: respx.MockRouter) -> None:
    respx_mock.get(f"{EXO}/v1/models").mock(side_effect=httpx.ConnectError("refused"))
    respx_mock.get(f"{LMS}/v1/models").respond(200, json=models_list("lm"))
    respx_mock.get(f"{OLL}/api/version").respond(200, json={"version": "0.6"})
    respx_mock.get(f"{OLL}/api/tags").respond(200, json={"models": []})
    respx_mock.get(f"{VLLM}/health").respond(200)
    respx_mock.get(f"{VLLM}/v1/models").respond(200, json=models_list("v"))
    picks, healths = asyncio.run(_walk(["exo", "lmstudio", "ollama", "vllm", "embedded"]))
    assert picks == ["lmstudio", "ollama", "vllm", "embedded", None]
    assert not healths["exo"].up and healths["lmstudio"].models == ("lm",)


@respx.mock(assert_all_called=False)
def test_order_is_configurable(respx_mock: respx.MockRouter) -> None:
    respx_mock.get(f"{LMS}/v1/models").respond(200, json=models_list("lm"))
    respx_mock.get(f"{VLLM}/health").respond(200)
    respx_mock.get(f"{VLLM}/v1/models").respond(200, json=models_list("v"))
    picks, _ = asyncio.run(_walk(["vllm", "lmstudio"]))
    assert picks == ["vllm", "lmstudio", None]


@respx.mock(assert_all_called=False)
def test_a_fast_winner_is_not_held_by_a_slow_lower_probe(respx_mock: respx.MockRouter) -> None:
    async def never(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200)

    respx_mock.get(f"{EXO}/v1/models").respond(200, json=models_list("exo-model"))
    respx_mock.get(f"{VLLM}/health").mock(side_effect=never)

    async def first() -> tuple[str | None, set[str]]:
        backends = _all_backends()
        detector = detect.Detector(backends, ["exo", "vllm"], 5.0)
        detector.start()
        try:
            return await detector.next_healthy(), set(detector.healths)
        finally:
            detector.cancel()
            for b in backends.values():
                await b.aclose()

    name, finished = asyncio.run(first())
    assert name == "exo" and finished == {"exo"}  # vllm's probe was still out


@respx.mock(assert_all_called=False)
def test_a_probe_over_time_reads_as_down(respx_mock: respx.MockRouter) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, json=models_list("x"))

    respx_mock.get(f"{EXO}/v1/models").mock(side_effect=slow)
    picks, healths = asyncio.run(_walk(["exo"], timeout=0.1))
    assert picks == [None] and not healths["exo"].up
    assert "0.1 s" in (healths["exo"].detail or "") or "100 ms" in (healths["exo"].detail or "")


def test_a_crashing_probe_reads_as_down() -> None:
    class Broken:
        name = "exo"
        base_url = "http://x"

        async def probe(self):  # type: ignore[no-untyped-def]
            raise RuntimeError("bug")

    async def go() -> tuple[str | None, dict]:
        detector = detect.Detector({"exo": Broken()}, ["exo"], 0.2)  # type: ignore[dict-item]
        detector.start()
        return await detector.next_healthy(), detector.healths

    name, healths = asyncio.run(go())
    assert name is None and "bug" in (healths["exo"].detail or "")


# --------------------------------------------------------------------------- cache


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "caro" / "detect.json"
    monkeypatch.setattr(detect, "cache_file", lambda: path)
    return path


def test_cache_round_trip_and_expiry(cache: Path) -> None:
    key = detect.cache_key([("lmstudio", LMS), ("embedded", None)])
    assert detect.read_cache(key, 30) is None
    detect.write_cache(key, "lmstudio")
    found = detect.read_cache(key, 30)
    assert found is not None and found[0] == "lmstudio" and 0 <= found[1] < 5
    assert detect.read_cache(key, 0) is None  # caching switched off
    other = detect.cache_key([("lmstudio", "http://elsewhere:1234")])
    assert detect.read_cache(other, 30) is None  # another setup
    data = json.loads(cache.read_text())
    data["saved_at"] = time.time() - 60
    cache.write_text(json.dumps(data))
    assert detect.read_cache(key, 30) is None  # too old
    detect.drop_cache()
    assert not cache.exists()
    detect.drop_cache()  # dropping twice is fine


def test_corrupt_or_unwritable_cache_is_ignored(cache: Path) -> None:
    cache.parent.mkdir(parents=True)
    cache.write_text("{not json")
    assert detect.read_cache("k", 30) is None
    cache.unlink()
    cache.parent.chmod(0o500)
    try:
        detect.write_cache("k", "ollama")  # must not raise
    finally:
        cache.parent.chmod(0o700)


def test_default_cache_lives_in_the_user_cache_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    from platformdirs import user_cache_dir

    assert detect.cache_file().parent == Path(user_cache_dir("caro"))


# --------------------------------------------------------------------------- per server


def test_server_notes_live_beside_the_choice_and_outlive_dropping_it(cache: Path) -> None:
    key = detect.cache_key([("lmstudio", LMS)])
    server = f"lmstudio {LMS} qwen"
    assert detect.read_server_notes(server) == {}
    detect.write_server_notes(server, {"mode": "text", "refused": ["tools"]})
    detect.write_cache(key, "lmstudio")  # the choice is written without losing the notes
    notes = detect.read_server_notes(server)
    assert notes["mode"] == "text" and notes["refused"] == ["tools"]
    assert detect.read_cache(key, 30) is not None
    detect.drop_cache()  # a failed choice is forgotten; how the server takes requests is not
    assert detect.read_cache(key, 30) is None
    assert detect.read_server_notes(server)["mode"] == "text"


def test_old_server_notes_are_ignored_and_pruned(cache: Path) -> None:
    detect.write_server_notes("a", {"mode": "tools"})
    data = json.loads(cache.read_text())
    data["servers"]["a"]["saved_at"] = time.time() - detect.SERVER_NOTES_MAX_AGE_S - 60
    cache.write_text(json.dumps(data))
    assert detect.read_server_notes("a") == {}
    detect.write_server_notes("b", {"mode": "text"})
    assert set(json.loads(cache.read_text())["servers"]) == {"b"}
    cache.write_text('{"servers": {"b": "not an object"}}')
    assert detect.read_server_notes("b") == {}
