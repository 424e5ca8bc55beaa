"""The safety validator: judge a shell command's risk before anything runs it.

    >>> from safety import assess
    >>> assess("rm -rf ./build").risk.label
    'moderate'
    >>> assess("bash -c 'rm -rf /'").decision.value
    'block'

Stand-alone: it depends on tree-sitter and tree-sitter-bash only, never on the rest of caro.
"""

from safety.engine import assess
from safety.model import Assessment, Decision, Finding, Policy, Risk
from safety.policy import LEVELS

__all__ = ["LEVELS", "Assessment", "Decision", "Finding", "Policy", "Risk", "assess"]
