"""caro_py.execute: the user's shell, the real terminal, the command's own exit code."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from caro_py.errors import UsageError
from caro_py.execute import run_in_shell


def test_exit_code_is_the_commands_own() -> None:
    assert run_in_shell("exit 7", "/bin/sh") == 7
    assert run_in_shell("true", "/bin/sh") == 0


def test_runs_in_the_given_shell_with_its_syntax(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    # $((...)) arithmetic proves a shell ran it (nothing in caro expands it).
    assert run_in_shell(f"echo $((6*7)) > {out}", "/bin/sh") == 0
    assert out.read_text().strip() == "42"


def test_killed_by_a_signal_reports_128_plus_n() -> None:
    assert run_in_shell("kill -TERM $$", "/bin/sh") == 128 + signal.SIGTERM


def test_missing_shell_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot start"):
        run_in_shell("true", str(tmp_path / "no-shell"))


def test_output_streams_to_the_inherited_stdout(tmp_path: Path) -> None:
    # In a child process, so the inherited file descriptors are ones we can read.
    code = (
        "from caro_py.execute import run_in_shell; import sys;"
        "sys.exit(run_in_shell('echo streamed; echo to-err >&2; exit 3', '/bin/sh'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20)
    assert done.returncode == 3
    assert done.stdout == "streamed\n" and done.stderr == "to-err\n"


def test_json_mode_moves_the_commands_stdout_to_stderr() -> None:
    code = (
        "from caro_py.execute import run_in_shell; import sys;"
        "sys.exit(run_in_shell('echo hidden', '/bin/sh', stdout_to_stderr=True))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20)
    assert done.returncode == 0
    assert done.stdout == "" and done.stderr == "hidden\n"


def test_ctrl_c_reaches_the_child_and_gives_130(tmp_path: Path) -> None:
    """SIGINT to the whole process group (what the terminal does): 130, no traceback."""
    marker = tmp_path / "started"
    code = (
        "from caro_py.execute import run_in_shell; import sys;"
        f"sys.exit(run_in_shell('touch {marker}; exec sleep 20', '/bin/sh'))"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own group, so we can signal it like a terminal would
    )
    deadline = time.monotonic() + 15
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.exists()
    os.killpg(child.pid, signal.SIGINT)
    out, err = child.communicate(timeout=15)
    assert child.returncode == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
