"""What every remote backend shares: settings read once, one lazily made client, probe scaffold.

Subclasses (OpenAICompatBackend, OllamaBackend) add the wire format: `_check` for the probe,
`generate` for the answer.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from backends.reasons import plain_reason, short_reason
from backends.transport import JSONResponse, make_client, normalize_base_url, request_json
from caro_py.errors import BackendError
from caro_py.protocol import GeneratedCommand, Health
from config.model import DEFAULT_BASE_URLS, Settings

if TYPE_CHECKING:
    import httpx

    from caro_py.parsing import ParsedCommand

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
