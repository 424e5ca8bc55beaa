"""Backend names to backend objects. Modules load only when their backend is asked for."""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
from typing import cast

from caro_py.errors import BackendUnavailable, UsageError
from caro_py.protocol import CommandGenerator
from config.model import BACKEND_NAMES, Settings

#: name -> (module, class) of every remote backend.
_REMOTE: dict[str, tuple[str, str]] = {
    "exo": ("backends.exo", "ExoBackend"),
    "lmstudio": ("backends.lmstudio", "LMStudioBackend"),
    "ollama": ("backends.ollama", "OllamaBackend"),
    "vllm": ("backends.vllm", "VLLMBackend"),
    "openai": ("backends.openai", "OpenAIBackend"),
}


def backend_names() -> tuple[str, ...]:
    return BACKEND_NAMES


def check_name(name: str) -> str:
    if name not in BACKEND_NAMES:
        raise UsageError(
            f"unknown backend {name!r}; choose one of: {', '.join(BACKEND_NAMES)} (or auto)"
        )
    return name


def create_backend(
    name: str, settings: Settings, *, use_overrides: bool = True
) -> CommandGenerator:
    """A backend object for `name`; `use_overrides` applies --model/--base-url to it."""
    check_name(name)
    if name == "embedded":
        if not use_overrides and (settings.model or settings.base_url):
            # --model/--base-url named another backend's model; the fallback keeps its own.
            settings = dataclasses.replace(settings, model=None, base_url=None)
        return _embedded(settings, use_overrides)
    module_name, class_name = _REMOTE[name]
    cls = getattr(importlib.import_module(module_name), class_name)
    return cast(CommandGenerator, cls(settings, use_overrides=use_overrides))


def _embedded(settings: Settings, use_overrides: bool) -> CommandGenerator:
    if not settings.embedded.enabled:
        raise BackendUnavailable(
            "the embedded backend is switched off ([embedded] enabled = false)", backend="embedded"
        )
    # llama_cpp itself loads only with the model (it is slow to import); finding it is cheap
    # and turns a missing install into a clear message before anything else is tried.
    if importlib.util.find_spec("llama_cpp") is None:
        raise BackendUnavailable(
            "the embedded backend needs llama-cpp-python, which is not installed "
            "(pip install llama-cpp-python); or start a local server (Ollama, LM Studio, vLLM, "
            "Exo) and pick it with --backend",
            backend="embedded",
        )
    try:
        from backends.worker.client import WorkerBackend
    except ImportError as exc:
        raise BackendUnavailable(
            f"the embedded backend cannot load: {exc}", backend="embedded"
        ) from None
    # The model runs in a worker process (backends/worker): a crash there is an error here.
    return cast(CommandGenerator, WorkerBackend(settings, use_overrides=use_overrides))
