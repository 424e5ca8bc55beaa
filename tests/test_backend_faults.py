"""The fault matrix, run against every remote backend: each must turn each fault into a typed
BackendError with a clear message, and answer both tool calls and plain JSON."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from backends.remote.exo import ExoBackend
from backends.remote.lmstudio import LMStudioBackend
from backends.remote.ollama import OllamaBackend
from backends.remote.openai import OpenAIBackend
from backends.remote.transport import BackendHTTPError, BackendServerError
from backends.remote.vllm import VLLMBackend
from caro_py.errors import BackendProtocolError, BackendTimeout, BackendUnavailable
from tests._backend_fixtures import (
    REQUEST,
    CountingStream,
    content_answer,
    make_settings,
    models_list,
    ollama_answer,
    run,
    slow_response,
    tool_call_answer,
)

BASE = "http://127.0.0.1:9"
KINDS: dict[str, type] = {
    "exo": ExoBackend,
    "lmstudio": LMStudioBackend,
    "ollama": OllamaBackend,
    "vllm": VLLMBackend,
    "openai": OpenAIBackend,
}


def chat_url(name: str) -> str:
    return f"{BASE}/api/chat" if name == "ollama" else f"{BASE}/v1/chat/completions"


def tool_answer(name: str, command: str) -> dict[str, Any]:
    return ollama_answer(command=command) if name == "ollama" else tool_call_answer(command)


def json_answer(name: str, command: str) -> dict[str, Any]:
    text = json.dumps({"command": command})
    return ollama_answer(content=text) if name == "ollama" else content_answer(text)


def make(name: str, *, timeout: float = 2.0, model: str | None = "m") -> Any:
    settings = make_settings(base_url=BASE, timeout_seconds=timeout)
    settings.backend_settings(name).model = model
    return KINDS[name](settings)


def mock_model_list(name: str, *ids: str) -> None:
    if name == "ollama":
        respx.get(f"{BASE}/api/ps").respond(200, json={"models": []})
        respx.get(f"{BASE}/api/tags").respond(200, json={"models": [{"name": i} for i in ids]})
    else:
        respx.get(f"{BASE}/api/v0/models").respond(404)
        respx.get(f"{BASE}/v1/models").respond(200, json=models_list(*ids))


names = pytest.mark.parametrize("name", list(KINDS))


@names
@respx.mock
def test_tool_call_and_plain_json(name: str) -> None:
    respx.post(chat_url(name)).respond(200, json=tool_answer(name, "docker ps"))
    b = make(name)
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps"
    respx.post(chat_url(name)).respond(200, json=json_answer(name, "docker ps -a"))
    b = make(name)
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps -a"


@names
@respx.mock
def test_model_from_the_servers_list(name: str) -> None:
    mock_model_list(name, "served-model")
    route = respx.post(chat_url(name)).respond(200, json=tool_answer(name, "ls"))
    b = make(name, model=None)
    run(b, lambda: b.generate(REQUEST))
    assert json.loads(route.calls[0].request.content)["model"] == "served-model"


@names
@respx.mock
def test_4xx_after_the_retries(name: str) -> None:
    route = respx.post(chat_url(name)).respond(400, json={"error": "bad request shape"})
    b = make(name)
    with pytest.raises(BackendHTTPError, match="400: bad request shape"):
        run(b, lambda: b.generate(REQUEST))
    assert 2 <= route.call_count <= 3  # tools, then JSON (with and without a format)


@names
@respx.mock
def test_5xx(name: str) -> None:
    respx.post(chat_url(name)).respond(502, json={"error": "upstream died"})
    b = make(name)
    with pytest.raises(BackendServerError, match="502"):
        run(b, lambda: b.generate(REQUEST))


@names
@respx.mock
def test_timeout_and_server_slower_than_the_timeout(name: str) -> None:
    respx.post(chat_url(name)).mock(side_effect=httpx.ReadTimeout("read timed out"))
    b = make(name)
    with pytest.raises(BackendTimeout):
        run(b, lambda: b.generate(REQUEST))
    respx.post(chat_url(name)).mock(side_effect=lambda r: slow_response(5, tool_answer(name, "x")))
    b = make(name, timeout=0.2)
    with pytest.raises(BackendTimeout, match="0.2 s"):
        run(b, lambda: b.generate(REQUEST))


@names
@respx.mock
def test_refused(name: str) -> None:
    respx.post(chat_url(name)).mock(side_effect=httpx.ConnectError("Connection refused"))
    b = make(name)
    with pytest.raises(BackendUnavailable, match="connection refused"):
        run(b, lambda: b.generate(REQUEST))


@names
@respx.mock
def test_malformed_json_and_html(name: str) -> None:
    respx.post(chat_url(name)).respond(200, content=b'{"choices": [}')
    b = make(name)
    with pytest.raises(BackendProtocolError, match="malformed JSON"):
        run(b, lambda: b.generate(REQUEST))
    respx.post(chat_url(name)).respond(503, html="<html><title>Maintenance</title></html>")
    b = make(name)
    with pytest.raises(BackendProtocolError, match=r"HTML page \(Maintenance\)"):
        run(b, lambda: b.generate(REQUEST))


@names
@respx.mock
def test_ten_megabytes_capped(name: str) -> None:
    stream = CountingStream(10 * 1024 * 1024)
    respx.post(chat_url(name)).mock(return_value=httpx.Response(200, stream=stream))
    b = make(name)
    with pytest.raises(BackendProtocolError, match="over 1 MB"):
        run(b, lambda: b.generate(REQUEST))
    assert stream.sent <= 2 * 1024 * 1024


@names
@respx.mock
def test_probe_never_raises(name: str) -> None:
    respx.route(url__startswith=BASE).mock(side_effect=httpx.ConnectError("Connection refused"))
    b = make(name)
    health = run(b, b.probe)
    assert not health.up and health.name == name and health.detail
