"""The safety validator: judge a shell command's risk before anything runs it.

    >>> from safety import assess
    >>> assess("rm -rf ./build").risk.label
    'moderate'
    >>> assess("bash -c 'rm -rf /'").decision.value
    'block'

Stand-alone: it depends on tree-sitter and tree-sitter-bash only, never on the rest of caro.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from safety.vocabulary import LEVELS

if TYPE_CHECKING:
    from safety.engine import assess
    from safety.model import Assessment, Decision, Finding, Policy, Risk

__all__ = ["LEVELS", "Assessment", "Decision", "Finding", "Policy", "Risk", "assess"]

_MODEL_NAMES = frozenset({"Assessment", "Decision", "Finding", "Policy", "Risk"})


def __getattr__(name: str) -> Any:
    """The validator loads on first use (tree-sitter and the rules take ~90 ms), so
    ``safety.vocabulary`` stays free to import."""
    if name == "assess":
        from safety.engine import assess

        return assess
    if name in _MODEL_NAMES:
        from safety import model

        return getattr(model, name)
    raise AttributeError(f"module 'safety' has no attribute {name!r}")
