"""Ollama through its native API (default http://localhost:11434).

Probe GET /api/version; models from /api/ps (loaded) and /api/tags (installed); generate with
POST /api/chat, stream:false. Tool support depends on the model (a 400 "does not support
tools" otherwise): the tool request and the plain one are chosen as for any server
(backends/remote/http_backend.py); stops go in `options.stop`.
"""

from __future__ import annotations

from typing import Any

from backends import chat_prompt
from backends.command_text import ParsedCommand
from backends.errors import BackendError, BackendProtocolError, BackendUnavailable
from backends.protocol import Health
from backends.reasons import short_reason
from backends.remote.http_backend import HttpBackend
from backends.remote.ollama_message import parse_ollama_message_detailed
from backends.remote.openai_compat import pick_model
from backends.remote.transport import normalize_base_url


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
    chat_path = "/api/chat"

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

    def _read_message(self, message: dict[str, Any]) -> ParsedCommand:
        return parse_ollama_message_detailed(message)

    def _payload(self, model: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "model": model,
            "messages": messages,
            "stream": False,
            "options": {"temperature": 0, "num_predict": self.max_tokens},
        }

    def _add_tools(self, payload: dict[str, Any]) -> None:
        # Ollama has no tool_choice: a model that takes tools decides whether to call one.
        payload["tools"] = [chat_prompt.SHELL_TOOL]

    def _add_stops(self, payload: dict[str, Any], stops: list[str]) -> None:
        payload["options"]["stop"] = stops

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
