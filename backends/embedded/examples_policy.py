"""Whether the embedded model gets retrieved examples: one rule, for the model and for the app.

Unless ``[retrieval] enabled`` says, FunctionGemma-format models get them only with an adapter
whose card says it was trained with them (the shipped adapter is, since 2026-12-06; the one
before it was not, and scored lower with them: docs/MODEL_CARD.md); ChatML instruct models get
them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backends.embedded.adapters import AdapterInfo
    from config.model import Settings


def gets_examples(enabled: bool | None, profile: str, adapter: AdapterInfo | None) -> bool:
    """For a loaded model, whose prompt profile is known."""
    if enabled is not None:
        return enabled
    if profile == "functiongemma":
        return adapter is not None and adapter.reads_examples
    return True


def may_get_examples(settings: Settings) -> bool:
    """Before any load or download: False only when the embedded model is sure to go without,
    so the app can skip looking them up (the server backends use them only when enabled)."""
    enabled = settings.retrieval.enabled
    if enabled is not None:
        return enabled
    if not settings.embedded.enabled:
        return False
    if settings.model and settings.backend == "embedded":
        return True  # --model names another model: its format is known only at load
    from backends.embedded.adapters import resolve_adapter
    from backends.embedded.models import peek_model

    try:
        model = peek_model(settings.embedded)
        if model is None:
            return True  # not on disk yet: known only at load
        profile = settings.embedded.prompt_profile or model.profile_hint
        if profile is None and model.is_default_base:
            profile = "functiongemma"  # the pretrained base, which caro's adapter teaches it
        if profile != "functiongemma":
            return True
        adapter = resolve_adapter(settings.embedded, model, hash_unknown=False)
    except Exception:  # a guess must never cost the request; the model decides at load
        return True
    return gets_examples(None, profile, adapter)
