"""A line too long to parse is judged by its words: padding never hides a dangerous command."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safety import Assessment, Decision, Risk, assess

SIZES = (16_000, 16_385, 70_000, 1_000_000)  # just under and over the parse limit, up to 1 MB


def _pad(size: int) -> str:
    return "x" * size


# Each builds one single line of about `size` characters with the command at the start, in the
# middle or at the end, bare or behind sudo, env, an assignment or sh -c.
TEMPLATES = {
    "start": lambda p, cmd: f"{cmd} ; echo {p}",
    "middle": lambda p, cmd: f"echo {p[: len(p) // 2]} ; {cmd} ; echo {p[len(p) // 2 :]}",
    "end": lambda p, cmd: f"echo {p} ; {cmd}",
    "comment-after": lambda p, cmd: f"{cmd} # {p}",
    "assignment": lambda p, cmd: f"A={p} {cmd}",
    "env": lambda p, cmd: f"env A={p} {cmd}",
    "sudo-assignment": lambda p, cmd: f"sudo A={p} {cmd}",
    "sudo-chain": lambda p, cmd: "sudo " * (len(p) // 5) + cmd,
    "sh-c": lambda p, cmd: f"bash -c 'A={p} {cmd}'",
    "and-list": lambda p, cmd: f"true {p} && {cmd}",
}

DANGEROUS = ("rm -rf /", "rm -rf ~", "mkfs.ext4 /dev/sda", "dd if=/dev/zero of=/dev/sda")


def _within(result: Assessment, command: str) -> None:
    for finding in result.findings:
        start, end = finding.span
        assert 0 <= start <= end <= len(command)


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("where", sorted(TEMPLATES))
def test_padding_on_one_line_never_hides_rm_rf_root(where: str, size: int) -> None:
    command = TEMPLATES[where](_pad(size), "rm -rf /")
    result = assess(command)
    _within(result, command)
    assert result.risk is Risk.CRITICAL, (where, size, [f.rule_id for f in result.findings])
    assert result.decision is Decision.BLOCK


@pytest.mark.parametrize("dangerous", DANGEROUS)
@pytest.mark.parametrize("where", ["start", "middle", "end", "env", "sudo-assignment"])
def test_other_dangerous_commands_behind_17_kb(where: str, dangerous: str) -> None:
    command = TEMPLATES[where](_pad(17_000), dangerous)
    assert assess(command).risk is Risk.CRITICAL, command[:40] + "..." + command[-40:]


def test_the_reported_cases() -> None:
    x = "x" * 17_000
    assert assess(f"A={x} rm -rf /").decision is Decision.BLOCK
    assert assess(f"env A={x} rm -rf ~").decision is Decision.BLOCK
    result = assess("sudo " * 4000 + "rm -rf /")
    assert result.risk is Risk.CRITICAL
    assert "delete.root" in {f.rule_id for f in result.findings}


def test_a_harmless_long_line_is_high_with_the_reason() -> None:
    result = assess("echo " + "x" * 20_000)
    assert result.risk is Risk.HIGH
    assert not result.parsed
    assert [f.rule_id for f in result.findings] == ["parse.long-line"]


def test_many_short_lines_are_still_parsed_in_pieces() -> None:
    result = assess("echo hi\n" * 3_000)  # 24 KB of short lines: no line is too long
    assert result.risk is Risk.SAFE and result.parsed
    assert assess("echo hi\n" * 3_000 + "rm -rf /\n").risk is Risk.CRITICAL


def test_a_line_continuation_does_not_split_a_command() -> None:
    command = "A=1 \\\n rm -rf / " + "x" * 17_000
    assert assess(command).risk is Risk.CRITICAL


@pytest.mark.slow
def test_wrapper_chains_are_judged_in_bounded_time() -> None:
    start = time.perf_counter()
    result = assess("sudo env " * 20_000 + "rm -rf ~")
    assert time.perf_counter() - start < 30.0
    assert result.risk is Risk.CRITICAL
    assert "parse.too-deep" in {f.rule_id for f in result.findings}
    start = time.perf_counter()
    # `find -exec` is not a wrapper word: past the budget the chain is followed no further.
    result = assess("find . -exec " * 3_000 + "rm -rf / ;")
    assert time.perf_counter() - start < 30.0
    assert result.risk >= Risk.HIGH


@settings(max_examples=25, deadline=None)
@given(
    size=st.integers(16_385, 120_000),
    where=st.sampled_from(sorted(TEMPLATES)),
    dangerous=st.sampled_from(DANGEROUS),
    filler=st.sampled_from(["x", "a b ", "-", "é", "\\x"]),
)
@pytest.mark.slow
def test_no_padding_makes_a_dangerous_line_safe(
    size: int, where: str, dangerous: str, filler: str
) -> None:
    pad = (filler * (size // len(filler) + 1))[:size]
    if pad.endswith("\\"):
        pad = pad[:-1] + "x"  # a final backslash would escape the space after it, in bash too
    if where == "sh-c" or " " in filler and where in ("assignment", "env", "sudo-assignment"):
        pad = "x" * size  # a space would end the assignment word / quote: keep it one word
    command = TEMPLATES[where](pad, dangerous)
    result = assess(command)
    _within(result, command)
    assert result.risk is Risk.CRITICAL, (where, dangerous, filler, size)
