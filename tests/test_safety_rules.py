"""Every rule in the table fires on its own examples and stays quiet on its look-alikes."""

from __future__ import annotations

import pytest

from safety import Risk, assess
from safety.rules import RULES, RULES_BY_ID

MATCHES = [(rule.id, cmd) for rule in RULES for cmd in rule.matches]
NON_MATCHES = [(rule.id, cmd) for rule in RULES for cmd in rule.non_matches]
# Rules about the validator's own limits are exercised in test_safety_api.py and
# test_safety_long_lines.py instead (their examples are too large to write as data).
LIMIT_RULES = {"parse.too-large", "parse.too-deep", "parse.long-line"}


@pytest.mark.parametrize(("rule_id", "command"), MATCHES)
def test_rule_matches_its_examples(rule_id: str, command: str) -> None:
    found = [f.rule_id for f in assess(command).findings]
    assert rule_id in found, f"{rule_id} did not fire on {command!r}; got {found}"


@pytest.mark.parametrize(("rule_id", "command"), NON_MATCHES)
def test_rule_ignores_its_look_alikes(rule_id: str, command: str) -> None:
    found = [f.rule_id for f in assess(command).findings]
    assert rule_id not in found, f"{rule_id} fired on look-alike {command!r}"


def test_every_rule_has_examples_both_ways() -> None:
    for rule in RULES:
        if rule.id in LIMIT_RULES:
            continue
        assert rule.matches, f"{rule.id} has no matching example"
        assert rule.non_matches, f"{rule.id} has no non-matching example"


def test_rule_ids_are_unique_and_messages_are_one_line() -> None:
    assert len(RULES_BY_ID) == len(RULES)
    for rule in RULES:
        assert "\n" not in rule.message
        assert rule.message.strip() and not rule.message.endswith(".")


def test_the_table_covers_the_required_categories() -> None:
    categories = {rule.category for rule in RULES}
    required = {
        "deletion", "disk", "fork-bomb", "permissions", "privilege", "system-files", "power",
        "processes", "firewall", "scheduler", "history", "exfiltration", "reverse-shell",
        "download-exec", "git", "containers", "truncation", "environment", "parse",
    }  # fmt: skip
    assert required <= categories


@pytest.mark.parametrize("rule", [r for r in RULES if r.risk is Risk.CRITICAL], ids=lambda r: r.id)
def test_critical_rule_examples_are_blocked_by_default(rule) -> None:  # noqa: ANN001
    for command in rule.matches:
        assert assess(command).decision.value == "block", command


def test_every_data_rule_pattern_compiles() -> None:
    """Data rules compile their patterns on first use (start-up time): a broken one must fail
    here, never inside assess."""
    from safety.checks.table import TableCheck

    checks = [rule.check for rule in RULES if isinstance(rule.check, TableCheck)]
    assert checks, "no data rules found"
    for check in checks:
        for key in ("text", "unless", "cwd", "name"):
            getattr(check, key)  # compiles, or raises re.error naming the pattern


@pytest.mark.parametrize(
    "name", ["os.system", "deletion._hidden", "deletion.no_such_check", "deletion", "base.only"]
)
def test_a_data_rule_can_name_only_a_real_check(name: str) -> None:
    from safety.checks.named import named_check

    with pytest.raises(ValueError, match="unknown check"):
        named_check(name)
