"""The real client path: real sockets, real HTTP servers speaking OpenAI's and Ollama's formats.

The servers here (pytest-httpserver, a werkzeug server on 127.0.0.1) answer from what the
request carries, so a wrong request shape fails the test; nothing in the client is mocked.
"""

from __future__ import annotations

import asyncio
import json
import shlex
import socket
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from backends import selection
from backends.detect import Detector
from backends.remote.lmstudio import LMStudioBackend
from backends.remote.ollama import OllamaBackend
from backends.remote.vllm import VLLMBackend
from caro_py.errors import BackendProtocolError, BackendUnavailable
from tests._backend_fixtures import REQUEST, make_settings, run, socket_settings

pytestmark = [pytest.mark.slow, pytest.mark.server]


def _command_for(body: dict) -> str:
    """What this toy server 'generates': an echo of the user's words, so the test can check
    that the request really carried them."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return f"echo {shlex.quote(user)}"


def openai_chat(request: Request) -> Response:
    body = request.get_json()
    if body.get("stream") is not False or not body.get("model"):
        return Response(json.dumps({"error": {"message": "bad request"}}), 400)
    command = _command_for(body)
    tools = body.get("tools") or []
    if tools and tools[0]["function"]["name"] == "execute_shell":
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_0",
                    "type": "function",
                    "function": {
                        "name": "execute_shell",
                        "arguments": json.dumps({"command": command}),
                    },
                }
            ],
        }
    else:
        message = {"role": "assistant", "content": json.dumps({"command": command})}
    answer = {
        "id": "chatcmpl-0",
        "object": "chat.completion",
        "model": body["model"],
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
    }
    return Response(json.dumps(answer), 200, content_type="application/json")


def no_tools_chat(request: Request) -> Response:
    body = request.get_json()
    if "tools" in body:
        error = {"error": {"message": "This model does not support tools", "code": 400}}
        return Response(json.dumps(error), 400, content_type="application/json")
    return openai_chat(request)


def ollama_chat(request: Request) -> Response:
    body = request.get_json()
    message = {"role": "assistant", "content": ""}
    if body.get("tools"):
        message["tool_calls"] = [
            {"function": {"name": "execute_shell", "arguments": {"command": _command_for(body)}}}
        ]
    else:
        message["content"] = json.dumps({"command": _command_for(body)})
    answer = {"model": body["model"], "message": message, "done": True, "done_reason": "stop"}
    return Response(json.dumps(answer), 200, content_type="application/json")


def serve_openai(server: HTTPServer, *models: str, chat=openai_chat) -> None:
    data = {"object": "list", "data": [{"id": m, "object": "model"} for m in models]}
    server.expect_request("/v1/models", method="GET").respond_with_json(data)
    server.expect_request("/health", method="GET").respond_with_data("")
    server.expect_request("/v1/chat/completions", method="POST").respond_with_handler(chat)


def serve_ollama(server: HTTPServer) -> None:
    server.expect_request("/api/version").respond_with_json({"version": "0.6.2"})
    server.expect_request("/api/tags").respond_with_json({"models": [{"name": "llama3.2:1b"}]})
    server.expect_request("/api/ps").respond_with_json({"models": []})
    server.expect_request("/api/chat", method="POST").respond_with_handler(ollama_chat)


@pytest.fixture(scope="module")
def _server_pool() -> Iterator[list[HTTPServer]]:
    started: list[HTTPServer] = []
    for _ in range(2):
        server = HTTPServer(host="127.0.0.1", port=0)
        server.start()
        started.append(server)
    yield started
    for server in started:
        server.stop()


@pytest.fixture
def servers(_server_pool: list[HTTPServer]) -> Iterator[list[HTTPServer]]:
    yield _server_pool
    for server in _server_pool:
        server.clear()


def _url(server: HTTPServer) -> str:
    return server.url_for("/").rstrip("/")


def test_lmstudio_real_round_trip(servers: list[HTTPServer]) -> None:
    serve_openai(servers[0], "qwen2.5-0.5b-instruct")
    b = LMStudioBackend(socket_settings(base_url=_url(servers[0])))
    result = run(b, lambda: b.generate(REQUEST))
    assert result.command == "echo 'list running docker containers'"
    assert result.model == "qwen2.5-0.5b-instruct" and result.backend == "lmstudio"


def test_tools_rejected_by_a_real_server(servers: list[HTTPServer]) -> None:
    serve_openai(servers[0], "tiny", chat=no_tools_chat)
    b = VLLMBackend(socket_settings(base_url=_url(servers[0])))
    assert run(b, b.probe).up
    b = VLLMBackend(socket_settings(base_url=_url(servers[0])))
    result = run(b, lambda: b.generate(REQUEST))
    assert result.command == "echo 'list running docker containers'"
    assert result.timings_ms["requests"] == 2


def test_ollama_real_round_trip(servers: list[HTTPServer]) -> None:
    serve_ollama(servers[0])
    b = OllamaBackend(socket_settings(base_url=_url(servers[0])))
    health = run(b, b.probe)
    assert health.up and health.models == ("llama3.2:1b",)
    b = OllamaBackend(socket_settings(base_url=_url(servers[0])))
    result = run(b, lambda: b.generate(REQUEST))
    assert (result.command, result.model) == (
        "echo 'list running docker containers'",
        "llama3.2:1b",
    )


def test_huge_body_over_a_real_socket_is_capped(servers: list[HTTPServer]) -> None:
    def huge(request: Request) -> Response:
        return Response((b" " * 65536 for _ in range(160)), 200, content_type="application/json")

    servers[0].expect_request("/v1/chat/completions").respond_with_handler(huge)
    settings = socket_settings(base_url=_url(servers[0]))
    settings.backend_settings("lmstudio").model = "m"
    b = LMStudioBackend(settings)
    with pytest.raises(BackendProtocolError, match="over 1 MB"):
        run(b, lambda: b.generate(REQUEST))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_refused_port_is_reported_down() -> None:
    b = LMStudioBackend(socket_settings(base_url=f"http://127.0.0.1:{_free_port()}"))
    health = run(b, b.probe)
    assert not health.up and "connection refused" in (health.detail or "")
    b = LMStudioBackend(socket_settings(base_url=f"http://127.0.0.1:{_free_port()}"))
    with pytest.raises(BackendUnavailable, match="connection refused"):
        run(b, lambda: b.generate(REQUEST))


def test_black_holed_address_costs_the_probe_timeout_not_more() -> None:
    # A socket that listens but never accepts: the connection opens, no answer ever comes.
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(1)
    try:
        settings = make_settings(probe_timeout_ms=150)
        settings.backend_settings("exo").base_url = f"http://127.0.0.1:{hole.getsockname()[1]}"
        from backends.remote.exo import ExoBackend

        b = ExoBackend(settings)

        async def detect() -> dict:
            detector = Detector({"exo": b}, ["exo"], 0.15)
            detector.start()
            try:
                return {"next": await detector.next_healthy(), "health": detector.healths["exo"]}
            finally:
                await b.aclose()

        found = asyncio.run(detect())
        assert found["next"] is None
        assert not found["health"].up and "0.15 s" in (found["health"].detail or "")
    finally:
        hole.close()


def test_auto_detection_over_real_servers(
    servers: list[HTTPServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    # exo: nothing listening; lmstudio and ollama up: lmstudio outranks ollama.
    serve_openai(servers[0], "lm-model")
    serve_ollama(servers[1])
    settings = socket_settings(order=["exo", "lmstudio", "ollama"])
    settings.backend_settings("exo").base_url = f"http://127.0.0.1:{_free_port()}"
    settings.backend_settings("lmstudio").base_url = _url(servers[0])
    settings.backend_settings("ollama").base_url = _url(servers[1])
    outcome = asyncio.run(selection.generate(REQUEST, settings))
    assert outcome.generated.backend == "lmstudio" and outcome.fallback_from == []
    assert outcome.generated.model == "lm-model"
    assert any(line.startswith("probe exo") and ": down" in line for line in outcome.trail)

    # lmstudio now breaks with a 500: the run falls back to ollama and says so.
    servers[0].clear()
    servers[0].expect_request("/v1/models").respond_with_json({"data": [{"id": "lm-model"}]})
    servers[0].expect_request("/v1/chat/completions").respond_with_json(
        {"error": {"message": "boom"}}, status=500
    )
    events: list[str] = []
    outcome = asyncio.run(selection.generate(REQUEST, settings, on_event=events.append))
    assert outcome.generated.backend == "ollama"
    assert outcome.fallback_from == ["lmstudio"]
    assert events == ["falling back from lmstudio to ollama: " + events[0].split(": ", 1)[1]]
    assert "500" in events[0]
