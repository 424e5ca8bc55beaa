"""The overhead benchmarks run end to end against their own local server (scripts/_chat_server.py).

They drive caro's own backends and pipeline, so an API change that breaks them fails here.
Only that they finish and print each figure's line is checked: the figures themselves depend
on the machine and belong in the README, not in a test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"

pytestmark = pytest.mark.slow


def run_script(name: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / name), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_bench_overhead_runs_through_the_pipeline() -> None:
    out = run_script("bench_overhead.py", "--runs", "1")
    assert "(a) fresh process: caro --json -n" in out
    assert "(c) in-process: caro pipeline.run" in out
    assert "caro over the raw call, in-process (c):" in out


def test_bench_detect_runs_through_selection() -> None:
    out = run_script("bench_detect.py", "--rounds", "1")
    assert "caro selection.generate(explicit)" in out
    assert "caro selection.generate(auto), 1 of 4 up" in out
