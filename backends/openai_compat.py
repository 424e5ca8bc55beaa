"""The shared client for servers that speak OpenAI's chat-completions API.

One request with the execute_shell tool forced; if the server rejects tools (a 400/422), one
retry asking for plain JSON; if the answer holds no usable command, one repair request.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from backends import chat_prompt
from backends.errors import BackendProtocolError, BackendUnavailable
from backends.http_backend import HttpBackend
from backends.parsing import ParsedCommand, parse_openai_message_detailed
from backends.protocol import GenerationRequest, Health
from backends.transport import BackendHTTPError
from config.model import Settings

#: Status codes with which servers say "I do not take this request shape" (tools, formats).
_SHAPE_REJECTED = frozenset({400, 422})
#: Model ids that are never chat models; skipped when caro picks a model itself.
_NOT_CHAT = ("embed", "whisper", "tts", "dall-e", "moderation", "rerank", "transcribe", "image")


def rejects_shape(exc: BackendHTTPError, *words: str) -> bool:
    """Did the server refuse the request's shape (tools, a format) rather than fail?

    400/422 say so directly; some servers (llama-cpp-python) answer a validation error with a
    500 naming the field, so a 4xx/5xx whose message names it counts too.
    """
    if exc.status in _SHAPE_REJECTED:
        return True
    text = exc.message.lower()
    return any(word in text for word in words)


def pick_model(ids: list[str] | tuple[str, ...]) -> str | None:
    """The first id that looks like a chat model, else the first id."""
    for model in ids:
        if not any(word in model.lower() for word in _NOT_CHAT):
            return model
    return ids[0] if ids else None


def model_ids(body: Any) -> tuple[str, ...]:
    """Model ids from an OpenAI `{"data": [{"id"}]}` list (or Ollama-like `{"models"}`)."""
    if not isinstance(body, dict):
        return ()
    items = body.get("data", body.get("models"))
    if not isinstance(items, list):
        return ()
    ids: list[str] = []
    for item in items:
        if isinstance(item, dict):
            model = item.get("id") or item.get("name") or item.get("model")
            if isinstance(model, str) and model:
                ids.append(model)
        elif isinstance(item, str):
            ids.append(item)
    return tuple(ids)


class OpenAICompatBackend(HttpBackend):
    """A CommandGenerator for any OpenAI-compatible server; subclasses set the details."""

    name: str = "openai-compatible"
    probe_path: ClassVar[str] = "/v1/models"
    #: response_format for the JSON retry; None where the server's support is unknown.
    json_format: ClassVar[dict[str, Any] | None] = chat_prompt.JSON_SCHEMA_FORMAT
    #: How this server is told to call the tool (vLLM needs the named form without extra flags).
    tool_choice: ClassVar[Any] = chat_prompt.TOOL_CHOICE
    #: The field that caps the answer's length, and the sampling temperature (None: leave out).
    max_tokens_key: ClassVar[str] = "max_tokens"
    temperature: ClassVar[float | None] = 0

    def __init__(self, settings: Settings, *, use_overrides: bool = True) -> None:
        super().__init__(settings, use_overrides=use_overrides)
        self._format_rejected = False

    # ------------------------------------------------------------------ probe and models

    async def _check(self, started: float) -> Health:
        self.check_ready()
        response = await self._get(self.probe_path, self.probe_timeout)
        self._models = model_ids(response.body)
        return self._health(True, started)

    async def list_models(self) -> tuple[str, ...]:
        if self._models is None:
            response = await self._get("/v1/models", self.timeout)
            self._models = model_ids(response.body)
        return self._models

    async def resolve_model(self) -> str:
        if self.configured_model:
            return self.configured_model
        model = pick_model(await self.list_models())
        if not model:
            raise BackendUnavailable(
                f"{self.name}: the server at {self.base_url} offers no models; load one, or set "
                f"[backend.{self.name}] model",
                backend=self.name,
            )
        return model

    # ------------------------------------------------------------------ generation

    async def _first_answer(self, request: GenerationRequest, model: str) -> Any:
        if not self._tools_rejected:
            payload = self._payload(model, chat_prompt.messages(request, json_answer=False))
            payload["tools"] = [chat_prompt.SHELL_TOOL]
            payload["tool_choice"] = self.tool_choice
            try:
                return (await self._post("/v1/chat/completions", payload)).body
            except BackendHTTPError as exc:
                if not rejects_shape(exc, "tool"):
                    raise
                self._tools_rejected = True  # this server (or model) takes no tools
        return await self._json_answer(model, chat_prompt.messages(request, json_answer=True))

    def _payload(self, model: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": model,
            "messages": messages,
            self.max_tokens_key: self.max_tokens,
            "stream": False,
        }
        if self.temperature is not None:
            payload["temperature"] = self.temperature
        return payload

    async def _json_answer(self, model: str, messages: list[dict[str, Any]]) -> Any:
        payload = self._payload(model, messages)
        if self.json_format is not None and not self._format_rejected:
            try:
                return (
                    await self._post(
                        "/v1/chat/completions", {**payload, "response_format": self.json_format}
                    )
                ).body
            except BackendHTTPError as exc:
                if not rejects_shape(exc, "response_format", "json_schema"):
                    raise
                self._format_rejected = True  # the instruction alone has to do
        return (await self._post("/v1/chat/completions", payload)).body

    def _parse(self, message: dict[str, Any]) -> ParsedCommand:
        return parse_openai_message_detailed(message)

    def _message(self, body: Any) -> dict[str, Any]:
        if isinstance(body, dict):
            choices = body.get("choices")
            if isinstance(choices, list) and choices and isinstance(choices[0], dict):
                message = choices[0].get("message")
                if isinstance(message, dict):
                    return message
                text = choices[0].get("text")  # a completions-style answer
                if isinstance(text, str):
                    return {"content": text}
            if "error" in body:
                raise BackendProtocolError(
                    f"{self.name}: the server reported an error: {body['error']}"[:400],
                    backend=self.name,
                )
        raise BackendProtocolError(
            f"{self.name}: the answer from {self.base_url} has no choices[0].message: "
            f"{json.dumps(body, default=str)[:200]}",
            backend=self.name,
        )
