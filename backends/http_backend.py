"""What every remote backend shares: settings read once, one lazily made client, probe scaffold.

Subclasses (OpenAICompatBackend, OllamaBackend) add the wire format: `_check` for the probe,
and for `generate`: the first answer, the JSON-only answer, where the message sits in a
response, and how a message is parsed.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from backends import chat_prompt
from backends.errors import BackendError, NoUsableCommand
from backends.protocol import GeneratedCommand, GenerationRequest, Health
from backends.reasons import plain_reason, short_reason
from backends.transport import JSONResponse, make_client, normalize_base_url, request_json
from config.model import DEFAULT_BASE_URLS, Settings

if TYPE_CHECKING:
    import httpx

    from backends.parsing import ParsedCommand

#: The answer's length cap when the config sets none.
MAX_TOKENS = 1024


class HttpBackend:
    """Base of the backends that talk HTTP to a server."""

    name: str = "http"

    def __init__(self, settings: Settings, *, use_overrides: bool = True) -> None:
        own = settings.backend_settings(self.name)
        # --base-url and --model name the backend caro picks, never its fallbacks.
        override_url = settings.base_url if use_overrides else None
        self.base_url = self.normalize_url(
            override_url or own.base_url or DEFAULT_BASE_URLS.get(self.name, "")
        )
        self.configured_model = (settings.model if use_overrides else None) or own.model
        self.timeout = settings.timeout_for(self.name)
        self.max_tokens = own.max_tokens or MAX_TOKENS
        self.probe_timeout = settings.probe_timeout_ms / 1000
        self._client: httpx.AsyncClient | None = None
        self._models: tuple[str, ...] | None = None
        self._tools_rejected = False
        self.requests_made = 0

    @staticmethod
    def normalize_url(url: str) -> str:
        return normalize_base_url(url)

    def headers(self) -> dict[str, str]:
        return {}

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = make_client(self.base_url, headers=self.headers())
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _get(self, path: str, timeout: float) -> JSONResponse:
        return await request_json(self.client, "GET", path, backend=self.name, timeout=timeout)

    async def _post(self, path: str, payload: dict[str, Any]) -> JSONResponse:
        self.requests_made += 1
        return await request_json(
            self.client, "POST", path, backend=self.name, timeout=self.timeout, payload=payload
        )

    # ------------------------------------------------------------------ probe

    async def probe(self) -> Health:
        """Up or down with the reason; never raises."""
        started = time.perf_counter()
        try:
            return await self._check(started)
        except BackendError as exc:
            return self._health(False, started, detail=short_reason(exc))
        except Exception as exc:  # a probe reports down instead of raising
            return self._health(False, started, detail=f"the probe failed: {plain_reason(exc)}")

    async def _check(self, started: float) -> Health:
        """One probe's requests; a BackendError raised here means down."""
        raise NotImplementedError

    def _time_left(self, started: float) -> float:
        """What is left of the probe's budget, shared by its requests."""
        return self.probe_timeout - (time.perf_counter() - started)

    def _health(self, up: bool, started: float, *, detail: str | None = None) -> Health:
        return Health(
            name=self.name,
            up=up,
            latency_ms=(time.perf_counter() - started) * 1000,
            models=self._models or (),
            base_url=self.base_url,
            detail=detail,
        )

    # ------------------------------------------------------------------ generation

    async def generate(self, request: GenerationRequest) -> GeneratedCommand:
        """First answer, parse; if it holds no usable command, one repair request; else give up."""
        started = time.perf_counter()
        self.check_ready()
        model = await self.resolve_model()
        resolved = time.perf_counter()
        body = await self._first_answer(request, model)
        message = self._message(body)
        try:
            parsed = self._parse(message)
        except NoUsableCommand as first:
            repair = chat_prompt.repair_messages(request, _answer_text(message), first.message)
            body = await self._json_answer(model, repair)
            try:
                parsed = self._parse(self._message(body))
            except NoUsableCommand as second:
                raise NoUsableCommand(
                    f"{self.name} ({model}) gave no usable command, even after a repair "
                    f"request: {second.message}",
                    raw=second.raw,
                    backend=self.name,
                ) from None
        done = time.perf_counter()
        return self._result(parsed, model, body, started, resolved, done)

    def check_ready(self) -> None:
        """Raise BackendUnavailable when the backend cannot work as configured (e.g. no key)."""

    async def resolve_model(self) -> str:
        raise NotImplementedError

    async def _first_answer(self, request: GenerationRequest, model: str) -> Any:
        """The response body to the request as asked first (tools where the server takes them)."""
        raise NotImplementedError

    async def _json_answer(self, model: str, messages: list[dict[str, Any]]) -> Any:
        """The response body to ``messages`` with the answer asked for as plain JSON."""
        raise NotImplementedError

    def _message(self, body: Any) -> dict[str, Any]:
        """The assistant message in a response body; BackendProtocolError when there is none."""
        raise NotImplementedError

    def _parse(self, message: dict[str, Any]) -> ParsedCommand:
        """The command in an assistant message; NoUsableCommand when it holds none."""
        raise NotImplementedError

    def _result(
        self,
        parsed: ParsedCommand,
        model: str,
        body: Any,
        started: float,
        resolved: float,
        done: float,
    ) -> GeneratedCommand:
        reported = body.get("model") if isinstance(body, dict) else None
        return GeneratedCommand(
            command=parsed.command,
            backend=self.name,
            model=reported if isinstance(reported, str) and reported else model,
            explanation=parsed.explanation,
            raw=body,
            timings_ms={
                "model_lookup": (resolved - started) * 1000,
                "generate": (done - started) * 1000,
                "requests": float(self.requests_made),
            },
        )


def _answer_text(message: dict[str, Any]) -> str:
    """The previous answer as text, for the repair turn."""
    content = message.get("content")
    if isinstance(content, str) and content.strip():
        return content
    calls = message.get("tool_calls")
    return json.dumps(calls, default=str) if calls else ""
