"""The shared OpenAI-compatible client, through LM Studio, against respx-mocked fault cases."""

from __future__ import annotations

import httpx
import pytest
import respx

from backends.chat_prompt import TEXT_STOPS
from backends.remote.http_backend import MAX_TOKENS
from backends.remote.lmstudio import LMStudioBackend
from backends.remote.transport import BackendHTTPError, BackendServerError
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
def test_tools_refused_asks_once_the_plain_way_and_remembers() -> None:
    route = respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(400, json={"error": {"message": "tools are not supported"}}),
            httpx.Response(200, json=content_answer("docker ps")),
            httpx.Response(200, json=content_answer("docker ps -a")),
            httpx.Response(200, json=content_answer("docker images")),
        ]
    )
    b = configured()
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps"
    plain = sent_json(route.calls[1])
    assert "tools" not in plain and "tool_choice" not in plain
    assert "response_format" not in plain
    assert "Answer with only the command" in plain["messages"][0]["content"]
    assert b.refusals == ["400 to a request with tools"]
    # Learned: the tool request is never sent again, in this process or the next.
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps -a"
    assert "tools" not in sent_json(route.calls[2])
    assert sent_json(route.calls[2])["stop"] == list(TEXT_STOPS)
    b = configured()
    assert run(b, lambda: b.generate(REQUEST)).command == "docker images"
    assert "tools" not in sent_json(route.calls[3]) and route.call_count == 4


@respx.mock
def test_a_500_with_an_empty_message_after_tool_choice_is_a_refusal() -> None:
    # llama-cpp-python with chatml-function-calling asserts tool_choice "auto": a bare 500.
    route = respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(500, json={"error": {"message": "", "type": "internal_server_error"}}),
            httpx.Response(200, json=content_answer("```bash\ndocker ps\n```")),
        ]
    )
    b = configured()
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps"
    assert sent_json(route.calls[0])["tool_choice"] == "required"
    assert "tools" not in sent_json(route.calls[1])


@respx.mock
def test_a_server_failing_either_way_is_a_failure_not_a_refusal() -> None:
    route = respx.post(CHAT).respond(500, json={"error": {"message": "model crashed"}})
    b = configured()
    with pytest.raises(BackendServerError, match="model crashed"):
        run(b, lambda: b.generate(REQUEST))
    assert route.call_count == 2  # the tool request, then the plain one; no more
    assert b.refusals == []
    b = configured()
    with pytest.raises(BackendServerError):
        run(b, lambda: b.generate(REQUEST))
    assert "tools" in sent_json(route.calls[2])  # nothing was learned from the failure


@respx.mock
def test_stops_refused_are_dropped_once_and_remembered() -> None:
    route = respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(400, json={"error": "no tools"}),
            httpx.Response(200, json=content_answer("docker ps")),
            httpx.Response(400, json={"error": {"message": "Unsupported parameter"}}),
            httpx.Response(200, json=content_answer("docker ps -q")),
            httpx.Response(200, json=content_answer("docker ps -a")),
        ]
    )
    b = configured()
    # Right after the refused tool request, the plainest request: no stops either.
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps"
    assert "stop" not in sent_json(route.calls[1])
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps -q"
    assert "stop" in sent_json(route.calls[2]) and "stop" not in sent_json(route.calls[3])
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps -a"
    assert route.call_count == 5
    assert "stop" not in sent_json(route.calls[4]) and "tools" not in sent_json(route.calls[4])


@respx.mock
def test_a_server_that_ignores_tools_is_asked_plainly_from_then_on() -> None:
    # The model saw the tool declared but the server returned text naming it.
    route = respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(200, json=content_answer("execute_shell ls -la /tmp")),
            httpx.Response(200, json=content_answer('execute_shell "date"')),
        ]
    )
    b = configured()
    result = run(b, lambda: b.generate(REQUEST))
    assert result.command == "ls -la /tmp"  # the tool's name is never part of the command
    assert route.call_count == 1
    b = configured()  # a later run: learned from the cache
    assert run(b, lambda: b.generate(REQUEST)).command == "date"
    assert "tools" not in sent_json(route.calls[1])


@respx.mock
def test_text_around_an_unoffered_tool_is_asked_again_the_plain_way() -> None:
    route = respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(200, json=content_answer("I would call execute_shell for that.")),
            httpx.Response(200, json=content_answer("docker ps")),
        ]
    )
    b = configured()
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps"
    assert route.call_count == 2 and "tools" not in sent_json(route.calls[1])


@respx.mock
def test_a_server_returning_tool_calls_keeps_getting_the_tool() -> None:
    route = respx.post(CHAT).respond(200, json=tool_call_answer("docker ps"))
    b = configured()
    run(b, lambda: b.generate(REQUEST))
    run(b, lambda: b.generate(REQUEST))
    assert route.call_count == 2
    assert all("tools" in sent_json(call) and "stop" not in sent_json(call) for call in route.calls)


@respx.mock
def test_a_tool_name_with_nothing_after_it_is_no_command() -> None:
    respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(200, json=tool_call_answer("execute_shell")),
            httpx.Response(200, json=tool_call_answer("execute_shell   ")),
        ]
    )
    b = configured()
    with pytest.raises(NoUsableCommand):
        run(b, lambda: b.generate(REQUEST))


@respx.mock
def test_repair_request_after_an_answer_holding_commands() -> None:
    route = respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(200, json=tool_call_answer("docker ps\ndocker images")),
            httpx.Response(200, json=content_answer("docker ps")),
        ]
    )
    b = configured()
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps"
    repair = sent_json(route.calls[1])
    assert "tools" not in repair and repair["stop"] == list(TEXT_STOPS)
    assert repair["messages"][-2]["role"] == "assistant"
    assert "docker ps" in repair["messages"][-2]["content"]
    assert "could not be used" in repair["messages"][-1]["content"]


@respx.mock
def test_no_repair_after_prose_or_a_refusal() -> None:
    route = respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(400, json={"error": "no tools"}),
            httpx.Response(200, json=content_answer("I'm sorry, I can't help with that.")),
            httpx.Response(200, json=content_answer("The current date is 2019-03-28.")),
        ]
    )
    b = configured()
    with pytest.raises(NoUsableCommand, match="declined"):
        run(b, lambda: b.generate(REQUEST))
    assert route.call_count == 2  # the refused tool request and one answer; no repair
    with pytest.raises(NoUsableCommand, match="no command"):
        run(b, lambda: b.generate(REQUEST))
    assert route.call_count == 3


@respx.mock
def test_no_usable_command_after_the_repair() -> None:
    route = respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(200, json=tool_call_answer("ls\nls -a")),
            httpx.Response(200, json=content_answer("ls <your folder>")),
        ]
    )
    b = configured()
    with pytest.raises(NoUsableCommand, match="even after a repair"):
        run(b, lambda: b.generate(REQUEST))
    assert route.call_count == 2  # one request, one repair, no more


@respx.mock
def test_at_most_two_generations_on_first_contact() -> None:
    # Tools ignored (text back), then the plain answer also misses: no third generation.
    route = respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(200, json=content_answer("The command is ls or ls -a.")),
            httpx.Response(200, json=content_answer("ls\nls -a")),
        ]
    )
    b = configured()
    with pytest.raises(NoUsableCommand, match="several commands"):
        run(b, lambda: b.generate(REQUEST))
    assert route.call_count == 2


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


@respx.mock
def test_after_a_refused_tool_request_no_third_request() -> None:
    route = respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(500, json={"error": {"message": ""}}),
            httpx.Response(200, json=content_answer("ls\nls -a")),
        ]
    )
    b = configured()
    with pytest.raises(NoUsableCommand, match="several commands"):
        run(b, lambda: b.generate(REQUEST))
    assert route.call_count == 2


@respx.mock
def test_a_command_sized_answer_cap_by_default() -> None:
    route = respx.post(CHAT).respond(200, json=tool_call_answer("docker ps"))
    b = configured()
    run(b, lambda: b.generate(REQUEST))
    assert sent_json(route.calls[0])["max_tokens"] == MAX_TOKENS <= 256
