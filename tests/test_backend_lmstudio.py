"""The shared OpenAI-compatible client, through LM Studio, against respx-mocked fault cases."""

from __future__ import annotations

import httpx
import pytest
import respx

from backends.lmstudio import LMStudioBackend
from backends.transport import BackendHTTPError, BackendServerError
from caro_py.errors import (
    BackendProtocolError,
    BackendTimeout,
    BackendUnavailable,
    NoUsableCommand,
    exit_code_of,
)
from tests._backend_fixtures import (
    REQUEST,
    CountingStream,
    content_answer,
    make_settings,
    models_list,
    run,
    sent_json,
    slow_response,
    tool_call_answer,
)

BASE = "http://localhost:1234"
CHAT = f"{BASE}/v1/chat/completions"


def backend(**overrides: object) -> LMStudioBackend:
    return LMStudioBackend(make_settings(**overrides))


def configured(model: str = "qwen2.5-7b-instruct", **overrides: object) -> LMStudioBackend:
    settings = make_settings(**overrides)
    settings.backend_settings("lmstudio").model = model
    return LMStudioBackend(settings)


@respx.mock
def test_tool_call_answer() -> None:
    route = respx.post(CHAT).respond(200, json=tool_call_answer("docker ps"))
    b = configured()
    result = run(b, lambda: b.generate(REQUEST))
    assert result.command == "docker ps"
    assert (result.backend, result.model) == ("lmstudio", "qwen2.5-7b-instruct")
    assert result.timings_ms["generate"] >= 0
    body = sent_json(route.calls[0])
    assert body["model"] == "qwen2.5-7b-instruct"
    assert body["tools"][0]["function"]["name"] == "execute_shell"
    assert body["tools"][0]["function"]["parameters"]["properties"]["command"]["type"] == "string"
    assert body["tool_choice"] == "required"
    system = body["messages"][0]["content"]
    assert REQUEST.context.describe() in system and "bash" in system
    assert REQUEST.context.cwd in system
    assert body["messages"][1] == {"role": "user", "content": REQUEST.text}


@respx.mock
def test_plain_json_content_answer() -> None:
    respx.post(CHAT).respond(200, json=content_answer('{"command": "docker ps -q"}'))
    b = configured()
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps -q"


@respx.mock
def test_tools_rejected_retries_once_with_json_schema() -> None:
    route = respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(400, json={"error": {"message": "tools are not supported"}}),
            httpx.Response(200, json=content_answer('{"command": "docker ps"}')),
        ]
    )
    b = configured()
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps"
    retry = sent_json(route.calls[1])
    assert "tools" not in retry and "tool_choice" not in retry
    assert retry["response_format"]["type"] == "json_schema"
    assert '{"command"' in retry["messages"][0]["content"]


@respx.mock
def test_response_format_rejected_falls_back_to_the_instruction() -> None:
    route = respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(400, json={"error": "no tools"}),
            httpx.Response(400, json={"error": "response_format must be text"}),
            httpx.Response(200, json=content_answer('{"command": "docker ps"}')),
        ]
    )
    b = configured()
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps"
    assert "response_format" not in sent_json(route.calls[2])


@respx.mock
def test_a_500_naming_the_rejected_field_counts_as_rejection() -> None:
    # llama-cpp-python's server answers a validation error with a 500 naming the field.
    route = respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(200, json=content_answer("not a command, sorry")),
            httpx.Response(
                500,
                json={
                    "error": {
                        "message": "('body', 'response_format', 'type'): Input should "
                        "be 'text' or 'json_object'"
                    }
                },
            ),
            httpx.Response(200, json=content_answer('{"command": "docker ps"}')),
        ]
    )
    b = configured()
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps"
    assert "response_format" not in sent_json(route.calls[2])


@respx.mock
def test_repair_request_after_an_unusable_answer() -> None:
    route = respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(200, json=content_answer("docker ps\ndocker images")),
            httpx.Response(200, json=content_answer('{"command": "docker ps"}')),
        ]
    )
    b = configured()
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps"
    repair = sent_json(route.calls[1])
    assert repair["messages"][-2] == {"role": "assistant", "content": "docker ps\ndocker images"}
    assert "could not be used" in repair["messages"][-1]["content"]


@respx.mock
def test_no_usable_command_after_the_repair() -> None:
    route = respx.post(CHAT).respond(200, json=content_answer("I'm sorry, I can't help."))
    b = configured()
    with pytest.raises(NoUsableCommand, match="even after a repair"):
        run(b, lambda: b.generate(REQUEST))
    assert route.call_count == 2  # one request, one repair, no more


@respx.mock
def test_model_choice_prefers_the_loaded_model() -> None:
    respx.get(f"{BASE}/api/v0/models").respond(
        200,
        json={
            "data": [
                {"id": "text-embedding-nomic", "type": "embeddings", "state": "loaded"},
                {"id": "llama-3.2-3b", "type": "llm", "state": "not-loaded"},
                {"id": "qwen2.5-coder-7b", "type": "llm", "state": "loaded"},
            ]
        },
    )
    route = respx.post(CHAT).respond(200, json=tool_call_answer("ls", model="qwen2.5-coder-7b"))
    b = backend()
    result = run(b, lambda: b.generate(REQUEST))
    assert sent_json(route.calls[0])["model"] == "qwen2.5-coder-7b"
    assert result.model == "qwen2.5-coder-7b"


@respx.mock
def test_model_choice_first_chat_model_in_the_list() -> None:
    respx.get(f"{BASE}/api/v0/models").respond(404, json={"error": "unknown route"})
    respx.get(f"{BASE}/v1/models").respond(
        200, json=models_list("text-embedding-nomic-embed-text-v1.5", "mistral-7b", "phi-3")
    )
    route = respx.post(CHAT).respond(200, json=tool_call_answer("ls", model="mistral-7b"))
    b = backend()
    run(b, lambda: b.generate(REQUEST))
    assert sent_json(route.calls[0])["model"] == "mistral-7b"


@respx.mock
def test_model_override_beats_config_and_server() -> None:
    route = respx.post(CHAT).respond(200, json=tool_call_answer("ls", model="from-flag"))
    settings = make_settings(model="from-flag")
    settings.backend_settings("lmstudio").model = "from-config"
    b = LMStudioBackend(settings)
    run(b, lambda: b.generate(REQUEST))
    assert sent_json(route.calls[0])["model"] == "from-flag"


@respx.mock
def test_no_models_is_a_clear_error() -> None:
    respx.get(f"{BASE}/api/v0/models").respond(200, json={"data": []})
    respx.get(f"{BASE}/v1/models").respond(200, json=models_list())
    b = backend()
    with pytest.raises(BackendUnavailable, match="offers no models"):
        run(b, lambda: b.generate(REQUEST))


@respx.mock
def test_probe_up_lists_models() -> None:
    respx.get(f"{BASE}/v1/models").respond(200, json=models_list("a", "b"))
    b = backend()
    health = run(b, b.probe)
    assert health.up and health.models == ("a", "b") and health.base_url == BASE
    assert health.latency_ms is not None


@respx.mock
def test_probe_down_never_raises() -> None:
    respx.get(f"{BASE}/v1/models").mock(side_effect=httpx.ConnectError("refused"))
    b = backend()
    health = run(b, b.probe)
    assert not health.up and "cannot connect" in (health.detail or "")


def test_base_url_override_with_v1_suffix() -> None:
    b = LMStudioBackend(make_settings(base_url="http://gpu-box:9999/v1/"))
    assert b.base_url == "http://gpu-box:9999"
    assert LMStudioBackend(make_settings(base_url="x"), use_overrides=False).base_url == BASE


# --------------------------------------------------------------------------- faults


@respx.mock
def test_server_error_5xx() -> None:
    respx.post(CHAT).respond(503, json={"error": {"message": "model is loading"}})
    b = configured()
    with pytest.raises(BackendServerError, match="503: model is loading") as info:
        run(b, lambda: b.generate(REQUEST))
    assert info.value.status == 503 and exit_code_of(info.value) == 3


@respx.mock
def test_client_error_other_than_shape_is_not_retried() -> None:
    route = respx.post(CHAT).respond(401, json={"error": {"message": "bad key"}})
    b = configured()
    with pytest.raises(BackendHTTPError, match="401: bad key"):
        run(b, lambda: b.generate(REQUEST))
    assert route.call_count == 1


@respx.mock
def test_timeout_from_the_transport() -> None:
    respx.post(CHAT).mock(side_effect=httpx.ReadTimeout("slow"))
    b = configured()
    with pytest.raises(BackendTimeout, match="within 2 s"):
        run(b, lambda: b.generate(REQUEST))


@respx.mock
def test_server_slower_than_the_timeout() -> None:
    respx.post(CHAT).mock(side_effect=lambda request: slow_response(5, tool_call_answer("ls")))
    b = configured(timeout_seconds=0.2)
    with pytest.raises(BackendTimeout, match="within 0.2 s"):
        run(b, lambda: b.generate(REQUEST))


@respx.mock
def test_refused_connection() -> None:
    respx.post(CHAT).mock(side_effect=httpx.ConnectError("[Errno 111] Connection refused"))
    b = configured()
    with pytest.raises(BackendUnavailable, match="connection refused"):
        run(b, lambda: b.generate(REQUEST))


@respx.mock
def test_malformed_json() -> None:
    respx.post(CHAT).respond(200, content=b'{"choices": [', headers={"content-type": "x"})
    b = configured()
    with pytest.raises(BackendProtocolError, match="malformed JSON"):
        run(b, lambda: b.generate(REQUEST))


@respx.mock
def test_json_without_choices() -> None:
    respx.post(CHAT).respond(200, json={"object": "list", "data": []})
    b = configured()
    with pytest.raises(BackendProtocolError, match="no choices"):
        run(b, lambda: b.generate(REQUEST))


@respx.mock
def test_html_error_page() -> None:
    page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body/></html>"
    respx.post(CHAT).respond(502, html=page)
    b = configured()
    with pytest.raises(BackendProtocolError, match=r"HTML page \(502 Bad Gateway\)"):
        run(b, lambda: b.generate(REQUEST))


@respx.mock
def test_html_page_with_status_200() -> None:
    respx.get(f"{BASE}/v1/models").respond(200, html="<html><body>router login</body></html>")
    b = backend()
    health = run(b, b.probe)
    assert not health.up and "HTML page" in (health.detail or "")


@respx.mock
def test_ten_megabyte_body_is_capped_not_read_whole() -> None:
    stream = CountingStream(10 * 1024 * 1024)
    respx.post(CHAT).mock(return_value=httpx.Response(200, stream=stream))
    b = configured()
    with pytest.raises(BackendProtocolError, match="over 1 MB"):
        run(b, lambda: b.generate(REQUEST))
    assert stream.sent <= 2 * 1024 * 1024  # stopped soon after the 1 MB cap


@respx.mock
def test_declared_oversize_body_is_refused_unread() -> None:
    stream = CountingStream(10 * 1024 * 1024)
    respx.post(CHAT).mock(
        return_value=httpx.Response(
            200, stream=stream, headers={"content-length": str(10 * 1024 * 1024)}
        )
    )
    b = configured()
    with pytest.raises(BackendProtocolError, match="over 1 MB"):
        run(b, lambda: b.generate(REQUEST))
    assert stream.sent == 0
