"""vLLM, Exo and the generic OpenAI endpoint: what each adds to the shared client."""

from __future__ import annotations

import httpx
import pytest
import respx

from backends.remote.exo import ExoBackend
from backends.remote.openai import OpenAIBackend
from backends.remote.vllm import VLLMBackend
from caro_py.errors import BackendUnavailable
from tests._backend_fixtures import (
    REQUEST,
    content_answer,
    make_settings,
    models_list,
    run,
    sent_json,
    slow_response,
    tool_call_answer,
)

VLLM = "http://localhost:8000"
EXO = "http://localhost:52415"


# --------------------------------------------------------------------------- vLLM


@respx.mock
def test_vllm_probe_uses_health_then_models() -> None:
    health_route = respx.get(f"{VLLM}/health").respond(200)
    respx.get(f"{VLLM}/v1/models").respond(200, json=models_list("Qwen/Qwen2.5-7B-Instruct"))
    b = VLLMBackend(make_settings())
    health = run(b, b.probe)
    assert health.up and health.models == ("Qwen/Qwen2.5-7B-Instruct",)
    assert health_route.called


@respx.mock
def test_vllm_probe_down_on_health_failure() -> None:
    respx.get(f"{VLLM}/health").respond(503)
    b = VLLMBackend(make_settings())
    health = run(b, b.probe)
    assert not health.up and "503" in (health.detail or "")


@respx.mock
def test_vllm_slow_model_list_still_reads_as_up() -> None:
    respx.get(f"{VLLM}/health").respond(200)
    respx.get(f"{VLLM}/v1/models").mock(side_effect=lambda r: slow_response(5, models_list("x")))
    b = VLLMBackend(make_settings(probe_timeout_ms=150))
    health = run(b, b.probe)
    assert health.up and "models unknown" in (health.detail or "")


@respx.mock
def test_vllm_generate_uses_the_served_model_id() -> None:
    respx.get(f"{VLLM}/v1/models").respond(200, json=models_list("Qwen/Qwen2.5-7B-Instruct"))
    route = respx.post(f"{VLLM}/v1/chat/completions").respond(
        200, json=tool_call_answer("docker ps", model="Qwen/Qwen2.5-7B-Instruct")
    )
    b = VLLMBackend(make_settings())
    result = run(b, lambda: b.generate(REQUEST))
    assert result.command == "docker ps" and result.model == "Qwen/Qwen2.5-7B-Instruct"
    body = sent_json(route.calls[0])
    assert body["model"] == "Qwen/Qwen2.5-7B-Instruct"
    assert body["tool_choice"] == {"type": "function", "function": {"name": "execute_shell"}}


# --------------------------------------------------------------------------- Exo


@respx.mock
def test_exo_probe_and_json_retry_without_response_format() -> None:
    respx.get(f"{EXO}/v1/models").respond(200, json=models_list("llama-3.2-1b"))
    route = respx.post(f"{EXO}/v1/chat/completions").mock(
        side_effect=[
            httpx.Response(400, json={"detail": "tools not supported"}),
            httpx.Response(200, json=content_answer('{"command": "docker ps"}')),
        ]
    )
    b = ExoBackend(make_settings())
    assert run(b, b.probe).up
    b = ExoBackend(make_settings())
    assert run(b, lambda: b.generate(REQUEST)).command == "docker ps"
    retry = sent_json(route.calls[1])
    assert "response_format" not in retry and "tools" not in retry
    assert retry["model"] == "llama-3.2-1b"


# --------------------------------------------------------------------------- generic OpenAI


@respx.mock
def test_openai_sends_the_key_from_the_named_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_KEY", "sk-test-123")
    settings = make_settings()
    own = settings.backend_settings("openai")
    own.api_key_env, own.model, own.base_url = "MY_KEY", "gpt-4o-mini", "https://api.openai.com/v1"
    own.max_tokens = 200
    route = respx.post("https://api.openai.com/v1/chat/completions").respond(
        200, json=tool_call_answer("docker ps", model="gpt-4o-mini-2024-07-18")
    )
    b = OpenAIBackend(settings)
    result = run(b, lambda: b.generate(REQUEST))
    assert route.calls[0].request.headers["authorization"] == "Bearer sk-test-123"
    body = sent_json(route.calls[0])
    assert body["max_completion_tokens"] == 200 and "max_tokens" not in body
    assert "temperature" not in body
    assert result.model == "gpt-4o-mini-2024-07-18"


def test_openai_without_a_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    b = OpenAIBackend(make_settings())
    with pytest.raises(BackendUnavailable, match="OPENAI_API_KEY"):
        run(b, lambda: b.generate(REQUEST))
    health = run(b, b.probe)
    assert not health.up and "OPENAI_API_KEY" in (health.detail or "")


def test_a_key_a_header_cannot_carry_is_refused_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-\x01-123")
    b = OpenAIBackend(make_settings(base_url="http://127.0.0.1:8080"))
    with pytest.raises(BackendUnavailable, match="OPENAI_API_KEY") as caught:
        run(b, lambda: b.generate(REQUEST))
    assert "sk-secret" not in str(caught.value)
    health = run(b, b.probe)
    assert not health.up and "sk-secret" not in (health.detail or "")


def test_a_key_pasted_with_its_line_ending_still_works(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-123\r\n")
    assert OpenAIBackend(make_settings()).headers() == {"authorization": "Bearer sk-test-123"}


@respx.mock
def test_openai_compatible_local_server_needs_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    respx.get("http://127.0.0.1:8080/v1/models").respond(200, json=models_list("local"))
    route = respx.post("http://127.0.0.1:8080/v1/chat/completions").respond(
        200, json=tool_call_answer("ls")
    )
    b = OpenAIBackend(make_settings(base_url="http://127.0.0.1:8080"))
    assert run(b, lambda: b.generate(REQUEST)).command == "ls"
    assert "authorization" not in route.calls[0].request.headers
