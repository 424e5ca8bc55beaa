"""Rules: the safety net for tools no other rule knows."""

from __future__ import annotations

from safety.checks import net
from safety.rules.rule import HIGH, MOD, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        "safetynet.destructive-bulk",
        "safety-net",
        HIGH,
        "{target}: a destructive sub-command of a tool the rules do not know, applied to "
        "everything or without asking",
        net.destructive_verb_in_bulk,
        matches=(
            "foocli destroy --all --force",
            "acmectl cluster delete prod-us-east --no-prompt",
            "stackctl teardown --env production --yes",
            "acme-cli db:drop --force",
            "tenantctl deleteAll --yes",
        ),
        non_matches=(
            "foocli destroy --help",
            "xyz purge --dry-run",
            "acmectl cluster list",
            "pip uninstall -y requests",
            "foocli delete widget-7",
        ),
    ),  # fmt: skip
    Rule(
        "safetynet.destructive-verb",
        "safety-net",
        MOD,
        "{target}: a destructive sub-command of a tool the rules do not know; check what it "
        "removes",
        net.destructive_verb,
        matches=("foocli delete widget-7", "xyz purge cache", "orgtool --wipe"),
        non_matches=(
            "foocli list",
            "xyz purge --dry-run",
            "pip uninstall requests",
            "foocli delete --help",
        ),
    ),  # fmt: skip
)
