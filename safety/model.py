"""The values the validator hands back: risk levels, decisions, findings, policies."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class Risk(enum.IntEnum):
    """How bad running the command could be; ordered so max() picks the worst."""

    SAFE = 0
    MODERATE = 1
    HIGH = 2
    CRITICAL = 3

    @property
    def label(self) -> str:
        return self.name.lower()


class Decision(str, enum.Enum):
    """What the caller should do with the command under the active policy."""

    ALLOW = "allow"
    CONFIRM = "confirm"
    BLOCK = "block"


@dataclass(frozen=True)
class Finding:
    """One reason for concern: which rule fired, why, and where in the command."""

    rule_id: str
    category: str
    message: str
    span: tuple[int, int]  # character offsets into Assessment.command, end exclusive
    risk: Risk

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "category": self.category,
            "message": self.message,
            "span": [self.span[0], self.span[1]],
            "risk": self.risk.label,
        }


@dataclass(frozen=True)
class Policy:
    """The user's safety settings: a level plus allow and deny regexes over the whole command."""

    level: str = "moderate"  # strict | moderate | permissive
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessment:
    command: str
    risk: Risk
    findings: tuple[Finding, ...]
    decision: Decision
    policy: Policy
    parsed: bool  # False when the shell grammar could not parse the whole command

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (the command itself is left to the caller)."""
        return {
            "risk": self.risk.label,
            "decision": self.decision.value,
            "findings": [f.to_dict() for f in self.findings],
            "policy": self.policy.level,
            "parsed": self.parsed,
        }
