"""The settings caro runs with, as plain typed dataclasses with the defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

#: The embedded model's prompt formats (functiongemma.py and chatml.py in backends/embedded/).
PROMPT_PROFILES: tuple[str, ...] = ("functiongemma", "chatml")

# Detection order of the design card: local servers first, the in-process model last.
DEFAULT_ORDER: tuple[str, ...] = ("exo", "lmstudio", "ollama", "vllm", "embedded")
REMOTE_BACKENDS: tuple[str, ...] = ("exo", "lmstudio", "ollama", "vllm", "openai")
BACKEND_NAMES: tuple[str, ...] = (*REMOTE_BACKENDS, "embedded")

DEFAULT_BASE_URLS: dict[str, str] = {
    "exo": "http://localhost:52415",
    "lmstudio": "http://localhost:1234",
    "ollama": "http://localhost:11434",
    "vllm": "http://localhost:8000",
    "openai": "https://api.openai.com",
}


@dataclass
class BackendSettings:
    """One remote backend's table, e.g. [backend.lmstudio]."""

    enabled: bool = True
    base_url: str = ""
    model: str | None = None
    timeout_seconds: float | None = None  # None: use Settings.timeout_seconds
    api_key_env: str | None = None  # name of the environment variable holding the key
    # Cap on the answer's length in tokens (None: 1024, room for a reasoning model's thinking).
    # Lower it for servers with a small context window.
    max_tokens: int | None = None


@dataclass
class EmbeddedSettings:
    """The [embedded] table: the in-process llama.cpp model."""

    enabled: bool = True
    model: str | None = None  # a catalog id
    model_path: str | None = None  # a GGUF file the user has
    adapter_path: str | None = None  # a GGUF LoRA adapter
    default_adapter: bool = True  # apply the shipped shell adapter to the default base model
    prompt_profile: str | None = None  # "functiongemma" | "chatml"; None: from the GGUF metadata
    n_threads: int | None = None  # None: physical cores
    n_ctx: int = 1024
    max_tokens: int = 96
    grammar: bool = False  # llama.cpp JSON grammar for the chatml profile
    # llama.cpp's extra buffer types (CPU weight repacking, AMX). Off: they crash the first
    # decode on Intel CPUs with AMX (llama.cpp#20824); the README has the measured cost.
    extra_buffers: bool = False
    # Seconds the worker process keeps the model loaded after its last request; 0: the
    # worker serves one request and exits (no resident process).
    keep_alive: float = 300.0

    def with_model(self, model: str) -> EmbeddedSettings:
        """These settings with --model applied: a GGUF path or a catalog id."""
        if os.sep in model or model.endswith(".gguf"):
            return replace(self, model_path=model, model=None)
        return replace(self, model=model, model_path=None)


@dataclass
class RetrievalSettings:
    """The [retrieval] table: tldr examples of the routed tool in the model's prompt."""

    # None: on only where it was measured to help: embedded models whose adapter was trained
    # with examples, and ChatML models (not server backends, and not the shipped adapter,
    # which was trained without them); true or false: everywhere.
    enabled: bool | None = None
    k: int = 4  # examples shown, at most


@dataclass
class SafetySettings:
    """`safety = "strict"` or the [safety] table: level plus allow and deny patterns."""

    level: str = "moderate"  # strict | moderate | permissive
    allow: list[str] = field(default_factory=list)  # regular expressions over the whole command
    deny: list[str] = field(default_factory=list)


@dataclass
class HistorySettings:
    """The [history] table: the record of requests (caro_py/history.py)."""

    enabled: bool = True


def _default_backends() -> dict[str, BackendSettings]:
    return {
        name: BackendSettings(
            base_url=url,
            # The generic OpenAI-compatible backend is opt-in: it is never auto-detected.
            enabled=name != "openai",
            api_key_env="OPENAI_API_KEY" if name == "openai" else None,
        )
        for name, url in DEFAULT_BASE_URLS.items()
    }


@dataclass
class Settings:
    backend: str = "auto"  # "auto" or one of BACKEND_NAMES
    order: list[str] = field(default_factory=lambda: list(DEFAULT_ORDER))
    safety: SafetySettings = field(default_factory=SafetySettings)
    shell: str | None = None  # None: $SHELL, else sh
    timeout_seconds: float = 30.0
    probe_timeout_ms: int = 300
    detect_cache_seconds: float = 30.0
    fallback: bool = True
    model: str | None = None  # --model / CARO_MODEL: applies to the chosen backend
    base_url: str | None = None  # --base-url: applies to the chosen backend
    backends: dict[str, BackendSettings] = field(default_factory=_default_backends)
    embedded: EmbeddedSettings = field(default_factory=EmbeddedSettings)
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    history: HistorySettings = field(default_factory=HistorySettings)
    source: Path | None = None  # the config file these came from, if any
    verbose: bool = False  # -v: a run-time switch, never read from the file

    def backend_settings(self, name: str) -> BackendSettings:
        return self.backends.setdefault(
            name, BackendSettings(base_url=DEFAULT_BASE_URLS.get(name, ""))
        )

    def timeout_for(self, name: str) -> float:
        own = self.backend_settings(name).timeout_seconds if name in self.backends else None
        return own if own is not None else self.timeout_seconds
