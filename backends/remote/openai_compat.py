"""The shared client for servers that speak OpenAI's chat-completions API.

How a request is asked (the tool, or one plain turn) is decided in backends/remote/http_backend.py;
this module adds the wire format: the payload, the tool and its tool_choice, stop sequences,
and where the answer sits in a response.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from backends import chat_prompt
from backends.command_text import ParsedCommand
from backends.errors import BackendProtocolError, BackendUnavailable
from backends.protocol import Health
from backends.remote.http_backend import HttpBackend
from backends.remote.openai_message import parse_openai_message_detailed

#: Model ids that are never chat models; skipped when caro picks a model itself.
_NOT_CHAT = ("embed", "whisper", "tts", "dall-e", "moderation", "rerank", "transcribe", "image")


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
    #: How this server is told to call the tool: by name, which vLLM, OpenAI and llama.cpp's
    #: server honour by constraining the answer to the tool's arguments.
    tool_choice: ClassVar[Any] = chat_prompt.TOOL_CHOICE
    #: The field that caps the answer's length, and the sampling temperature (None: leave out).
    max_tokens_key: ClassVar[str] = "max_tokens"
    temperature: ClassVar[float | None] = 0

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

    def _add_tools(self, payload: dict[str, Any]) -> None:
        payload["tools"] = [chat_prompt.SHELL_TOOL]
        payload["tool_choice"] = self.tool_choice

    def _add_stops(self, payload: dict[str, Any], stops: list[str]) -> None:
        payload["stop"] = stops

    def _read_message(self, message: dict[str, Any]) -> ParsedCommand:
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
