"""A rule of the table: what is dangerous, how bad, why, and examples the tests run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from safety.checks.base import is_fallback_check, is_program_check
from safety.model import Risk

CRIT, HIGH, MOD = Risk.CRITICAL, Risk.HIGH, Risk.MODERATE


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    risk: Risk
    message: str
    check: Callable[[Any], Any]
    matches: tuple[str, ...] = ()
    non_matches: tuple[str, ...] = ()

    @property
    def program(self) -> bool:
        return is_program_check(self.check)

    @property
    def fallback(self) -> bool:
        """The safety net: judged only where no other rule found anything."""
        return is_fallback_check(self.check)
