"""Turn a risk level into a decision under the user's policy (level plus allow/deny lists)."""

from __future__ import annotations

import re
from functools import lru_cache

from safety.model import Decision, Finding, Policy, Risk

# Each level shifts the thresholds by one step; critical is never allowed silently.
_BASE: dict[str, dict[Risk, Decision]] = {
    "strict": {
        Risk.SAFE: Decision.ALLOW,
        Risk.MODERATE: Decision.CONFIRM,
        Risk.HIGH: Decision.BLOCK,
        Risk.CRITICAL: Decision.BLOCK,
    },
    "moderate": {
        Risk.SAFE: Decision.ALLOW,
        Risk.MODERATE: Decision.ALLOW,
        Risk.HIGH: Decision.CONFIRM,
        Risk.CRITICAL: Decision.BLOCK,
    },
    "permissive": {
        Risk.SAFE: Decision.ALLOW,
        Risk.MODERATE: Decision.ALLOW,
        Risk.HIGH: Decision.ALLOW,
        Risk.CRITICAL: Decision.CONFIRM,
    },
}


def resolve_policy(policy: Policy | str | None) -> Policy:
    """Accept a Policy, a level name or None (the default moderate policy)."""
    if policy is None:
        return Policy()
    if isinstance(policy, Policy):
        level = str(policy.level).strip().lower()
        if level == policy.level:
            return policy
        return Policy(level=level, allow=tuple(policy.allow), deny=tuple(policy.deny))
    return Policy(level=str(policy).strip().lower())


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    # A pattern that is not a valid regex still means something to its author: match it literally.
    try:
        return re.compile(pattern)
    except (re.error, TypeError, ValueError, RecursionError):
        return re.compile(re.escape(str(pattern)))


def _first_match(patterns: tuple[str, ...], command: str) -> tuple[str, re.Match[str]] | None:
    for pattern in patterns:
        match = _compile(pattern).search(command)
        if match:
            return pattern, match
    return None


def decide(command: str, risk: Risk, policy: Policy) -> tuple[Decision, list[Finding]]:
    """The decision for `risk` under `policy`, plus findings that explain list matches.

    Deny always tightens to block. Allow loosens to allow, but never for critical risk:
    under strict and moderate critical stays blocked, under permissive it stays a
    confirmation, so a critical command never runs silently. An unknown level falls
    back to strict (the safe reading of a typo), with a finding saying so.
    """
    notes: list[Finding] = []
    table = _BASE.get(policy.level)
    if table is None:
        table = _BASE["strict"]
        notes.append(
            Finding(
                "policy.unknown-level",
                "policy",
                f"Unknown safety level {policy.level!r}; using strict",
                (0, 0),
                risk,
            )
        )
    decision = table[risk]
    denied = _first_match(tuple(policy.deny), command)
    if denied is not None:
        pattern, match = denied
        notes.append(
            Finding(
                "policy.deny",
                "policy",
                f"Blocked by your deny pattern {pattern!r}",
                (match.start(), match.end()),
                risk,
            )
        )
        return Decision.BLOCK, notes
    allowed = _first_match(tuple(policy.allow), command)
    if allowed is not None and decision is not Decision.ALLOW:
        pattern, match = allowed
        if risk >= Risk.CRITICAL:
            notes.append(
                Finding(
                    "policy.allow-ignored",
                    "policy",
                    f"Your allow pattern {pattern!r} does not apply to critical commands",
                    (match.start(), match.end()),
                    risk,
                )
            )
        else:
            notes.append(
                Finding(
                    "policy.allow",
                    "policy",
                    f"Allowed by your allow pattern {pattern!r}",
                    (match.start(), match.end()),
                    risk,
                )
            )
            decision = Decision.ALLOW
    return decision, notes
