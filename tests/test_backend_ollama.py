"""Ollama's native API: probe, model choice, tools or the plain request, faults."""

from __future__ import annotations

import httpx
import pytest
import respx

from backends.chat_prompt import TEXT_STOPS
from backends.remote.http_backend import MAX_TOKENS
from backends.remote.ollama import OllamaBackend
from backends.remote.transport import BackendHTTPError, BackendServerError
from caro_py.errors import BackendProtocolError, BackendTimeout, BackendUnavailable, NoUsableCommand
from tests._backend_fixtures import (
    REQUEST,
    CountingStream,
    make_settings,
    ollama_answer,
    run,
    sent_json,
    slow_response,
)

BASE = "http://localhost:11434"
CHAT = f"{BASE}/api/chat"
TAGS = {"models": [{"name": "nomic-embed-text:latest"}, {"name": "llama3.2:latest"}]}


def configured(model: str = "llama3.2:latest", **overrides: object) -> OllamaBackend:
    settings = make_settings(**overrides)
    settings.backend_settings("ollama").model = model
    return OllamaBackend(settings)


@respx.mock
def test_probe_reports_version_and_models() -> None:
    respx.get(f"{BASE}/api/version").respond(200, json={"version": "0.6.2"})
    respx.get(f"{BASE}/api/tags").respond(200, json=TAGS)
    b = OllamaBackend(make_settings())
    health = run(b, b.probe)
    assert health.up and health.detail == "ollama 0.6.2"
    assert health.models == ("nomic-embed-text:latest", "llama3.2:latest")


@respx.mock
def test_probe_of_something_else_on_the_port_is_down() -> None:
    respx.get(f"{BASE}/api/version").respond(200, json={"status": "ok"})
    b = OllamaBackend(make_settings())
    assert not run(b, b.probe).up


@respx.mock
def test_tool_call_answer_with_stream_false() -> None:
    route = respx.post(CHAT).respond(200, json=ollama_answer(command="docker ps"))
    b = configured()
    result = run(b, lambda: b.generate(REQUEST))
    assert (result.command, result.backend, result.model) == (
        "docker ps",
        "ollama",
        "llama3.2:latest",
    )
    body = sent_json(route.calls[0])
    assert body["stream"] is False and body["model"] == "llama3.2:latest"
    assert body["tools"][0]["function"]["name"] == "execute_shell"
    assert REQUEST.context.describe() in body["messages"][0]["content"]
    assert body["options"]["num_predict"] == MAX_TOKENS  # the default cap
    assert "stop" not in body["options"] and "format" not in body


@respx.mock
def test_max_tokens_setting_caps_the_answer() -> None:
    route = respx.post(CHAT).respond(200, json=ollama_answer(command="docker ps"))
    settings = make_settings()
    settings.backend_settings("ollama").model = "llama3.2:latest"
    settings.backend_settings("ollama").max_tokens = 77
    b = OllamaBackend(settings)
    run(b, lambda: b.generate(REQUEST))
    assert sent_json(route.calls[0])["options"]["num_predict"] == 77


@respx.mock
def test_model_without_tools_is_asked_plainly_and_remembered() -> None:
    route = respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(400, json={"error": "gemma2:2b does not support tools"}),
            httpx.Response(200, json=ollama_answer(content="docker ps")),
            httpx.Response(200, json=ollama_answer(content="`docker ps -a`")),
        ]
    )
    b = configured("gemma2:2b")
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps"
    plain = sent_json(route.calls[1])
    assert "tools" not in plain and "format" not in plain
    assert "Answer with only the command" in plain["messages"][0]["content"]
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps -a"
    assert route.call_count == 3
    again = sent_json(route.calls[2])
    assert "tools" not in again and again["options"]["stop"] == list(TEXT_STOPS)


@respx.mock
def test_a_model_answering_in_text_is_not_offered_the_tool_again() -> None:
    route = respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(200, json=ollama_answer(content="execute_shell: docker ps")),
            httpx.Response(200, json=ollama_answer(content="docker ps -q")),
        ]
    )
    b = configured()
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps"
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps -q"
    assert "tools" not in sent_json(route.calls[1])


@respx.mock
def test_model_choice_loaded_first_then_installed() -> None:
    respx.get(f"{BASE}/api/ps").respond(200, json={"models": [{"name": "qwen2.5:7b"}]})
    route = respx.post(CHAT).respond(200, json=ollama_answer(command="ls", model="qwen2.5:7b"))
    b = OllamaBackend(make_settings())
    assert run(b, lambda: b.generate(REQUEST)).model == "qwen2.5:7b"
    assert sent_json(route.calls[0])["model"] == "qwen2.5:7b"


@respx.mock
def test_model_choice_skips_embedding_models() -> None:
    respx.get(f"{BASE}/api/ps").respond(200, json={"models": []})
    respx.get(f"{BASE}/api/tags").respond(200, json=TAGS)
    route = respx.post(CHAT).respond(200, json=ollama_answer(command="ls"))
    b = OllamaBackend(make_settings())
    run(b, lambda: b.generate(REQUEST))
    assert sent_json(route.calls[0])["model"] == "llama3.2:latest"


@respx.mock
def test_no_models_installed() -> None:
    respx.get(f"{BASE}/api/ps").respond(200, json={"models": []})
    respx.get(f"{BASE}/api/tags").respond(200, json={"models": []})
    b = OllamaBackend(make_settings())
    with pytest.raises(BackendUnavailable, match="ollama pull"):
        run(b, lambda: b.generate(REQUEST))


@respx.mock
def test_a_question_back_gets_no_repair() -> None:
    route = respx.post(CHAT).respond(200, json=ollama_answer(content="Which containers?"))
    b = configured()
    with pytest.raises(NoUsableCommand, match="clarification"):
        run(b, lambda: b.generate(REQUEST))
    # Text back to the tool request: asked once the plain way, which is no better; no repair.
    assert route.call_count == 2


@respx.mock
def test_repair_then_give_up() -> None:
    route = respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(200, json=ollama_answer(command="docker ps; <more>\ndocker rm x")),
            httpx.Response(200, json=ollama_answer(content="docker ps\ndocker images")),
        ]
    )
    b = configured()
    with pytest.raises(NoUsableCommand, match="even after a repair"):
        run(b, lambda: b.generate(REQUEST))
    assert route.call_count == 2
    repair = sent_json(route.calls[1])
    assert "tools" not in repair and repair["options"]["stop"] == list(TEXT_STOPS)


@respx.mock
def test_missing_model_404() -> None:
    respx.post(CHAT).respond(404, json={"error": 'model "nope" not found, try pulling it first'})
    b = configured("nope")
    with pytest.raises(BackendHTTPError, match="not found, try pulling"):
        run(b, lambda: b.generate(REQUEST))


@respx.mock
def test_server_error() -> None:
    respx.post(CHAT).respond(500, json={"error": "llama runner process has terminated"})
    b = configured()
    with pytest.raises(BackendServerError, match="runner process"):
        run(b, lambda: b.generate(REQUEST))


@respx.mock
def test_timeout_and_slow_server() -> None:
    respx.post(CHAT).mock(side_effect=httpx.ConnectTimeout("slow"))
    b = configured()
    with pytest.raises(BackendTimeout):
        run(b, lambda: b.generate(REQUEST))
    respx.post(CHAT).mock(side_effect=lambda r: slow_response(5, ollama_answer(command="ls")))
    b = configured(timeout_seconds=0.2)
    with pytest.raises(BackendTimeout, match="within 0.2 s"):
        run(b, lambda: b.generate(REQUEST))


@respx.mock
def test_refused_malformed_html_and_huge() -> None:
    respx.post(CHAT).mock(side_effect=httpx.ConnectError("Connection refused"))
    b = configured()
    with pytest.raises(BackendUnavailable, match="connection refused"):
        run(b, lambda: b.generate(REQUEST))

    respx.post(CHAT).respond(200, content=b"{not json")
    b = configured()
    with pytest.raises(BackendProtocolError, match="malformed JSON"):
        run(b, lambda: b.generate(REQUEST))

    respx.post(CHAT).respond(404, html="<html><title>Not Found</title></html>")
    b = configured()
    with pytest.raises(BackendProtocolError, match="HTML page"):
        run(b, lambda: b.generate(REQUEST))

    stream = CountingStream(10 * 1024 * 1024)
    respx.post(CHAT).mock(return_value=httpx.Response(200, stream=stream))
    b = configured()
    with pytest.raises(BackendProtocolError, match="over 1 MB"):
        run(b, lambda: b.generate(REQUEST))
    assert stream.sent <= 2 * 1024 * 1024
