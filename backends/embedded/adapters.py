"""LoRA adapters for the embedded model: which one applies, whether it fits, attaching it.

The default shell adapter ships as package data (backends/embedded/data/shell-lora.gguf) with a JSON
card beside it recording, at least, the sha256 of the base model it was trained on. A user
adapter (``embedded.adapter_path``) may carry the same card (``NAME.json`` beside
``NAME.gguf``); an adapter whose recorded base differs from the loaded model is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from backends.embedded.llama_runtime import log_hint
from backends.embedded.models import DEFAULT_SHA256, ResolvedModel, known_sha256
from backends.errors import ModelError
from config.loader import expand_home
from config.model import EmbeddedSettings

DEFAULT_ADAPTER = "shell-lora.gguf"
DEFAULT_ADAPTER_CARD = "shell-lora.json"


@dataclass(frozen=True)
class AdapterInfo:
    path: Path
    sha256: str
    label: str
    base_sha256: str | None  # the base model it was trained on, from its JSON card
    shipped: bool
    # Its card says it was trained with retrieved examples in the prompt; an adapter
    # trained without them answers worse when shown some.
    reads_examples: bool = False


def shipped_adapter() -> tuple[Path, Path] | None:
    """(adapter GGUF, its JSON card) shipped as package data, when present."""
    data = resources.files("backends.embedded") / "data"
    gguf, card = data / DEFAULT_ADAPTER, data / DEFAULT_ADAPTER_CARD
    if not gguf.is_file():
        return None
    # Package data of an installed (not zipped) distribution lives on disk.
    return Path(str(gguf)), Path(str(card))


def _read_card(card: Path) -> dict[str, Any]:
    try:
        value = json.loads(card.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"The adapter card {card} cannot be read: {exc}", backend="embedded"
        ) from exc
    return value if isinstance(value, dict) else {}


def _card_for(adapter: Path) -> Path:
    return adapter.with_suffix(".json")


def resolve_adapter(
    settings: EmbeddedSettings,
    model: ResolvedModel,
    root: Path | None = None,
    *,
    hash_unknown: bool = True,
) -> AdapterInfo | None:
    """The LoRA adapter to apply, or None. Refuses one trained on a different base.

    ``hash_unknown=False`` (for ``--backends``) never hashes: an adapter not hashed before
    gets sha256 "unknown".
    """
    if settings.adapter_path:
        path = expand_home(settings.adapter_path)
        if not path.is_file():
            raise ModelError(
                f"embedded.adapter_path is {settings.adapter_path}, but there is no file there.",
                backend="embedded",
            )
        card, shipped = _card_for(path), False
    elif settings.default_adapter and model.sha256 == DEFAULT_SHA256:
        found = shipped_adapter()
        if found is None:
            return None
        path, card = found
        shipped = True
    else:
        return None
    facts = _read_card(card)
    base = facts.get("base_sha256")
    base = base.lower() if isinstance(base, str) else None
    if base is not None and model.sha256 is not None and base != model.sha256:
        raise ModelError(
            f"The LoRA adapter {path.name} was trained on a base model with sha256 {base}, "
            f"but the model loaded is {model.path.name} (sha256 {model.sha256}). An adapter "
            "only works on its own base: set embedded.model_path to that base, or remove "
            "embedded.adapter_path (or set embedded.default_adapter = false).",
            backend="embedded",
        )
    # Hashed once, then remembered by (size, mtime).
    sha = known_sha256(path, root, compute=hash_unknown)
    reads_examples = facts.get("trained_with_examples") is True
    return AdapterInfo(path, sha or "unknown", path.stem, base, shipped, reads_examples)


def apply_adapter(llm: Any, adapter: AdapterInfo) -> None:
    """Attach a LoRA adapter at run time, keeping the base weights mmap'd.

    ``Llama(lora_path=...)`` switches mmap off (a leftover from when adapters were merged
    into the weights), which would read the whole base into memory on every start.
    """
    import ctypes

    import llama_cpp

    handle = llama_cpp.llama_adapter_lora_init(llm.model, str(adapter.path).encode("utf-8"))
    if not handle:
        raise ModelError(
            f"llama.cpp could not load the LoRA adapter {adapter.path}{log_hint()}.",
            backend="embedded",
        )
    llm._stack.callback(llama_cpp.llama_adapter_lora_free, handle)
    adapters = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(handle)
    scales = (ctypes.c_float * 1)(1.0)
    if llama_cpp.llama_set_adapters_lora(llm.ctx, adapters, 1, scales):
        raise ModelError(
            f"llama.cpp could not apply the LoRA adapter {adapter.path}{log_hint()}.",
            backend="embedded",
        )
