"""Recall on dangerous commands and false blocks on harmless look-alikes, over the corpus."""

from __future__ import annotations

import pytest

from safety import Decision, Risk, assess
from tests.safety_corpus import DANGEROUS, HARMLESS

LEVEL = {"critical": Risk.CRITICAL, "high": Risk.HIGH}


def test_corpus_is_large_enough() -> None:
    assert len(DANGEROUS) >= 150
    assert len(HARMLESS) >= 300
    assert len(set(DANGEROUS)) == len(DANGEROUS)
    assert len(set(HARMLESS)) == len(HARMLESS)


def test_recall_and_false_blocks(capsys: pytest.CaptureFixture[str]) -> None:
    missed = [
        (cmd, want, assess(cmd).risk.label)
        for cmd, want in DANGEROUS
        if assess(cmd).risk < LEVEL[want]
    ]
    blocked = [cmd for cmd in HARMLESS if assess(cmd).decision is Decision.BLOCK]
    confirmed = [cmd for cmd in HARMLESS if assess(cmd).decision is Decision.CONFIRM]
    recall = 1 - len(missed) / len(DANGEROUS)
    false_block = len(blocked) / len(HARMLESS)
    with capsys.disabled():
        print(
            f"\nsafety corpus: recall {recall:.2%} "
            f"({len(DANGEROUS) - len(missed)}/{len(DANGEROUS)}), "
            f"false blocks {false_block:.2%} ({len(blocked)}/{len(HARMLESS)}), "
            f"harmless asking confirmation {len(confirmed)}/{len(HARMLESS)}"
        )
    # Every command here was fixed against: a miss or a false block is a regression.
    assert missed == [], f"missed: {missed}"
    assert blocked == [], f"blocked: {blocked}"


def test_dangerous_commands_are_never_allowed_silently() -> None:
    allowed = [cmd for cmd, _ in DANGEROUS if assess(cmd).decision is Decision.ALLOW]
    assert allowed == []
