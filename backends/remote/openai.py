"""Any OpenAI-compatible endpoint (api.openai.com or another base_url), with an API key.

Never auto-detected unless `[backend.openai] enabled = true`. The key is read from the
environment variable the config names (`api_key_env`, default OPENAI_API_KEY), never from the
config file itself.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from backends.errors import BackendUnavailable
from backends.remote.openai_compat import OpenAICompatBackend
from config.model import Settings


class OpenAIBackend(OpenAICompatBackend):
    name = "openai"
    probe_path = "/v1/models"
    # OpenAI's newer models reject max_tokens and any temperature but the default.
    max_tokens_key = "max_completion_tokens"
    temperature = None
    # Reasoning models count their hidden reasoning against the cap: a command's worth of
    # tokens would leave nothing for the answer.
    default_max_tokens = 1024

    def __init__(self, settings: Settings, *, use_overrides: bool = True) -> None:
        super().__init__(settings, use_overrides=use_overrides)
        self.api_key_env = settings.backend_settings(self.name).api_key_env or "OPENAI_API_KEY"
        # A key pasted with its line ending is still the key; anything else a header cannot
        # carry is refused by name, never echoed (the HTTP library's error would print it).
        self.api_key = (os.environ.get(self.api_key_env) or "").strip() or None

    def headers(self) -> dict[str, str]:
        if not self.api_key:
            return {}
        if not all(" " <= ch <= "~" for ch in self.api_key):
            raise BackendUnavailable(
                f"openai: the API key in ${self.api_key_env} holds characters an HTTP header "
                "cannot carry (non-ASCII or control characters); set it again",
                backend=self.name,
            )
        return {"authorization": f"Bearer {self.api_key}"}

    def check_ready(self) -> None:
        host = urlsplit(self.base_url).hostname or ""
        # A local OpenAI-compatible server usually needs no key; OpenAI itself always does.
        if not self.api_key and host.endswith("openai.com"):
            raise BackendUnavailable(
                f"openai: no API key; set the environment variable {self.api_key_env} "
                "(or name another one with [backend.openai] api_key_env)",
                backend=self.name,
            )
