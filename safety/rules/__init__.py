"""The rule table: what is dangerous, how bad, and why, with examples the tests run.

Each rule names a check (safety.checks.*) and carries commands it must match and look-alikes
it must not; tests/test_safety_rules.py runs every example. `{target}` in a message is
replaced by what the rule matched.
"""

from __future__ import annotations

from safety.rules import (
    code,
    deletion,
    disk,
    environment,
    fork_bombs,
    infra,
    limits,
    net,
    network,
    privilege,
    processes,
    security,
    system_files,
    table,
)
from safety.rules.rule import Rule

__all__ = ["COMMAND_RULES", "PROGRAM_RULES", "RULES", "RULES_BY_ID", "Rule"]

# Table order is kept: findings for one place come out in it.
RULES: tuple[Rule, ...] = (
    *deletion.RULES,
    *disk.RULES,
    *fork_bombs.RULES,
    *privilege.RULES,
    *system_files.RULES,
    *processes.RULES,
    *security.RULES,
    *network.RULES,
    *code.RULES,
    *infra.RULES,
    *environment.RULES,
    *table.RULES,
    *limits.RULES,
    *net.RULES,
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
COMMAND_RULES: tuple[Rule, ...] = tuple(r for r in RULES if not r.program)
PROGRAM_RULES: tuple[Rule, ...] = tuple(r for r in RULES if r.program)
