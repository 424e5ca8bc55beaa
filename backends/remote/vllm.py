"""vLLM's OpenAI-compatible server (default http://localhost:8000): probe /health."""

from __future__ import annotations

from backends.errors import BackendError
from backends.protocol import Health
from backends.reasons import short_reason
from backends.remote.openai_compat import OpenAICompatBackend, model_ids


class VLLMBackend(OpenAICompatBackend):
    name = "vllm"
    probe_path = "/health"

    async def _check(self, started: float) -> Health:
        await self._get("/health", self.probe_timeout)
        # /health has no body; the served model's id comes from /v1/models, within what is left
        # of the probe's time so a slow model list cannot turn an up server into a down one.
        left = self._time_left(started)
        try:
            if left < 0.01:
                return self._health(True, started, detail="models unknown: no time left")
            self._models = model_ids((await self._get("/v1/models", left)).body)
        except BackendError as exc:
            return self._health(True, started, detail=f"models unknown: {short_reason(exc)}")
        return self._health(True, started)
