"""Backend names to backend objects. Modules load only when their backend is asked for.

``register`` puts another factory behind a name: the door tests use for fakes, so a fake
goes through the same selection, fallback and checks as the real backend.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
from collections.abc import Callable
from typing import Protocol, cast

from backends.errors import BackendUnavailable, SelectionError
from backends.protocol import CommandGenerator, PlatformContext
from config.model import BACKEND_NAMES, Settings

#: name -> (module, class) of every remote backend.
_REMOTE: dict[str, tuple[str, str]] = {
    "exo": ("backends.remote.exo", "ExoBackend"),
    "lmstudio": ("backends.remote.lmstudio", "LMStudioBackend"),
    "ollama": ("backends.remote.ollama", "OllamaBackend"),
    "vllm": ("backends.remote.vllm", "VLLMBackend"),
    "openai": ("backends.remote.openai", "OpenAIBackend"),
}


class Factory(Protocol):
    def __call__(
        self, settings: Settings, *, use_overrides: bool, context: PlatformContext | None
    ) -> CommandGenerator: ...


_REGISTERED: dict[str, Factory] = {}


def register(name: str, factory: Factory) -> Callable[[], None]:
    """Serve ``name`` (one of BACKEND_NAMES) from ``factory``; returns the call that undoes it.

    For the embedded backend the checks before it (switched off, llama-cpp-python missing)
    still run first.
    """
    check_name(name)
    previous = _REGISTERED.get(name)
    _REGISTERED[name] = factory

    def undo() -> None:
        if previous is None:
            _REGISTERED.pop(name, None)
        else:
            _REGISTERED[name] = previous

    return undo


def check_name(name: str) -> str:
    if name not in BACKEND_NAMES:
        raise SelectionError(
            f"unknown backend {name!r}; choose one of: {', '.join(BACKEND_NAMES)} (or auto)"
        )
    return name


def create_backend(
    name: str,
    settings: Settings,
    *,
    use_overrides: bool = True,
    context: PlatformContext | None = None,
) -> CommandGenerator:
    """A backend object for `name`; `use_overrides` applies --model/--base-url to it.

    ``context``, where known, lets the embedded backend describe its prefix cache in a probe.
    """
    check_name(name)
    if name == "embedded":
        if not use_overrides and (settings.model or settings.base_url):
            # --model/--base-url named another backend's model; the fallback keeps its own.
            settings = dataclasses.replace(settings, model=None, base_url=None)
        return _embedded(settings, use_overrides, context)
    factory = _REGISTERED.get(name)
    if factory is not None:
        return factory(settings, use_overrides=use_overrides, context=context)
    module_name, class_name = _REMOTE[name]
    cls = getattr(importlib.import_module(module_name), class_name)
    return cast(CommandGenerator, cls(settings, use_overrides=use_overrides))


def _embedded(
    settings: Settings, use_overrides: bool, context: PlatformContext | None
) -> CommandGenerator:
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
    factory = _REGISTERED.get("embedded")
    if factory is not None:
        return factory(settings, use_overrides=use_overrides, context=context)
    try:
        from backends.embedded.worker.client import WorkerBackend
    except ImportError as exc:
        raise BackendUnavailable(
            f"the embedded backend cannot load: {exc}", backend="embedded"
        ) from None
    # The model runs in a worker process (backends/embedded/worker): a crash there is an error here.
    backend = WorkerBackend(settings, use_overrides=use_overrides, context=context)
    return cast(CommandGenerator, backend)
