"""The rule table: what is dangerous, how bad, and why, with examples the tests run.

Every rule is data in safety/rules/*.toml (see table.py for how one is read): it names or
describes a check (safety.checks.*) and carries commands it must match and look-alikes it
must not; tests/test_safety_rules.py runs every example. `{target}` in a message is
replaced by what the rule matched.
"""

from __future__ import annotations

from safety.rules.rule import Rule
from safety.rules.table import RULES

__all__ = ["COMMAND_RULES", "FALLBACK_RULES", "PROGRAM_RULES", "RULES", "RULES_BY_ID", "Rule"]

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
COMMAND_RULES: tuple[Rule, ...] = tuple(r for r in RULES if not (r.program or r.fallback))
FALLBACK_RULES: tuple[Rule, ...] = tuple(r for r in RULES if r.fallback)
PROGRAM_RULES: tuple[Rule, ...] = tuple(r for r in RULES if r.program)
