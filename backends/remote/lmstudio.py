"""LM Studio's local server (default http://localhost:1234), OpenAI-compatible."""

from __future__ import annotations

from backends.errors import BackendError
from backends.remote.openai_compat import OpenAICompatBackend, pick_model


class LMStudioBackend(OpenAICompatBackend):
    name = "lmstudio"
    probe_path = "/v1/models"
    # LM Studio takes tool_choice as "none" | "auto" | "required"; models without native tool
    # support get its default tool prompt, and a server that answers in text anyway is asked
    # the plain way from then on.
    tool_choice = "required"

    async def resolve_model(self) -> str:
        if self.configured_model:
            return self.configured_model
        loaded = await self._loaded_model()
        return loaded or await super().resolve_model()

    async def _loaded_model(self) -> str | None:
        """The model LM Studio has in memory, from its own REST API (/api/v0/models)."""
        try:
            response = await self._get("/api/v0/models", self.probe_timeout * 3)
        except BackendError:
            return None  # older LM Studio: fall back to the first listed model
        items = response.body.get("data") if isinstance(response.body, dict) else None
        if not isinstance(items, list):
            return None
        loaded = [
            item["id"]
            for item in items
            if isinstance(item, dict)
            and isinstance(item.get("id"), str)
            and item.get("state") == "loaded"
            and item.get("type", "llm") in ("llm", "vlm")
        ]
        return pick_model(loaded)
