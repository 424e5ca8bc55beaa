"""Property tests: assess() never raises and always comes back, whatever it is given."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safety import Assessment, Risk, assess

SHELLISH = st.text(
    alphabet=st.sampled_from(list("rm -f/~$(){}[]|&;<>'\"`\\\n*.#=!:@x0\x00")), max_size=300
)
# A few seconds per call is the bound; the limit here is generous so the test is not timing-flaky.
BOUND_S = 30.0


def _check(result: Assessment, command: str) -> None:
    assert isinstance(result, Assessment)
    assert result.risk in Risk
    for finding in result.findings:
        start, end = finding.span
        assert 0 <= start <= end <= len(command)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=500))
def test_never_raises_on_arbitrary_text(command: str) -> None:
    _check(assess(command), command)


@settings(max_examples=300, deadline=None)
@given(SHELLISH, st.sampled_from(["bash", "zsh", "sh", "fish", "pwsh"]))
def test_never_raises_on_shell_like_text(command: str, shell: str) -> None:
    _check(assess(command, shell=shell, request=command[:50]), command)


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=200))
def test_nul_and_binary_bytes(raw: bytes) -> None:
    command = raw.decode("latin-1") + "\x00"
    _check(assess(command), command)
    # A NUL never hides what stands on its own line after it.
    tail = command + "\nrm -rf / \x00"
    hiding = ("'", '"', "`", "<<", "\\")  # quotes or a here-doc make the line data, not code
    assert assess(tail).risk >= Risk.HIGH or any(h in command for h in hiding)


@pytest.mark.slow
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(["a|", ")", "echo hi; ", "\x00", '"', "$(", "x" * 7 + "\n", "<<"]))
def test_one_megabyte_inputs_return_in_bounded_time(piece: str) -> None:
    command = piece * (1_000_000 // len(piece))
    start = time.perf_counter()
    result = assess(command)
    elapsed = time.perf_counter() - start
    _check(result, command)
    assert elapsed < BOUND_S
    # Too big to check fully means it is never silently safe (unless it is only blanks).
    if command.strip(" \x00"):
        assert result.risk >= Risk.MODERATE or piece in ("x" * 7 + "\n",)
