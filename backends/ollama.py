"""Ollama through its native API (default http://localhost:11434).

Probe GET /api/version; models from /api/ps (loaded) and /api/tags (installed); generate with
POST /api/chat, tools and stream:false, falling back to `format` with a JSON schema when the
model takes no tools.
"""

from __future__ import annotations

from typing import Any

from backends import chat_prompt
from backends.errors import BackendError, BackendProtocolError, BackendUnavailable
from backends.http_backend import HttpBackend
from backends.openai_compat import pick_model, rejects_shape
from backends.parsing import ParsedCommand, parse_ollama_message_detailed
from backends.protocol import GenerationRequest, Health
from backends.reasons import short_reason
from backends.transport import BackendHTTPError, normalize_base_url


def _names(body: Any) -> tuple[str, ...]:
    items = body.get("models") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return ()
    names = []
    for item in items:
        if isinstance(item, dict):
            name = item.get("model") or item.get("name")
            if isinstance(name, str) and name:
                names.append(name)
    return tuple(names)


class OllamaBackend(HttpBackend):
    name = "ollama"

    @staticmethod
    def normalize_url(url: str) -> str:
        return normalize_base_url(url).removesuffix("/api")

    # ------------------------------------------------------------------ probe and models

    async def _check(self, started: float) -> Health:
        version = (await self._get("/api/version", self.probe_timeout)).body
        if not isinstance(version, dict) or "version" not in version:
            return self._health(False, started, detail="/api/version did not answer like Ollama")
        detail = f"ollama {version['version']}"
        left = self._time_left(started)  # the probe's budget is shared
        try:
            if left < 0.01:
                return self._health(True, started, detail=detail + "; models unknown")
            self._models = _names((await self._get("/api/tags", left)).body)
        except BackendError as exc:
            detail += f"; models unknown: {short_reason(exc)}"
        return self._health(True, started, detail=detail)

    async def resolve_model(self) -> str:
        if self.configured_model:
            return self.configured_model
        try:  # a model already in memory answers at once
            loaded = _names((await self._get("/api/ps", self.probe_timeout * 3)).body)
        except BackendError:
            loaded = ()
        model = pick_model(loaded)
        if model:
            return model
        if self._models is None:
            self._models = _names((await self._get("/api/tags", self.timeout)).body)
        model = pick_model(self._models)
        if not model:
            raise BackendUnavailable(
                f"ollama: no models installed at {self.base_url}; run `ollama pull <model>` "
                "or set [backend.ollama] model",
                backend=self.name,
            )
        return model

    # ------------------------------------------------------------------ generation

    def _parse(self, message: dict[str, Any]) -> ParsedCommand:
        return parse_ollama_message_detailed(message)

    def _payload(self, model: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "model": model,
            "messages": messages,
            "stream": False,
            "options": {"temperature": 0, "num_predict": self.max_tokens},
        }

    async def _first_answer(self, request: GenerationRequest, model: str) -> Any:
        if not self._tools_rejected:
            payload = self._payload(model, chat_prompt.messages(request, json_answer=False))
            payload["tools"] = [chat_prompt.SHELL_TOOL]
            try:
                return (await self._post("/api/chat", payload)).body
            except BackendHTTPError as exc:
                # "... does not support tools": the model's template has no tool slot.
                if not rejects_shape(exc, "tools"):
                    raise
                self._tools_rejected = True
        return await self._json_answer(model, chat_prompt.messages(request, json_answer=True))

    async def _json_answer(self, model: str, messages: list[dict[str, Any]]) -> Any:
        payload = self._payload(model, messages)
        payload["format"] = chat_prompt.COMMAND_SCHEMA
        try:
            return (await self._post("/api/chat", payload)).body
        except BackendHTTPError as exc:
            if not rejects_shape(exc, "format"):
                raise
        payload["format"] = "json"  # Ollama before 0.5 takes only "json", not a schema
        return (await self._post("/api/chat", payload)).body

    def _message(self, body: Any) -> dict[str, Any]:
        message = body.get("message") if isinstance(body, dict) else None
        if isinstance(message, dict):
            return message
        if isinstance(body, dict) and "error" in body:
            raise BackendProtocolError(
                f"ollama: the server reported an error: {body['error']}"[:400], backend=self.name
            )
        raise BackendProtocolError(
            f"ollama: the answer from {self.base_url} has no message: {str(body)[:200]}",
            backend=self.name,
        )
