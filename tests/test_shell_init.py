"""`caro init bash|zsh|fish` and the `caro --widget` contract the snippets rely on."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from caro_py.shell_init import SHELLS, is_init, snippet, widget_line
from tests import test_cli_e2e
from tests.conftest import run_caro
from tests.fakeserver import FakeChatServer
from tests.test_cli_e2e import CRITICAL, HIGH, SAFE, Caro

caro = test_cli_e2e.caro  # the fixture: caro against the fake server, fallback off

# How each shell checks a script's syntax without running it.
SYNTAX_CHECK = {"bash": ["bash", "-n"], "zsh": ["zsh", "-n"], "fish": ["fish", "--no-execute"]}


@pytest.mark.parametrize("shell", SHELLS)
def test_init_prints_the_snippet_and_writes_nothing(shell: str, tmp_path: Path) -> None:
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    done = run_caro(["init", shell], env={"HOME": str(home)}, cwd=work)
    assert done.returncode == 0, done.stderr
    assert done.stdout == snippet(shell) and "__caro_widget" in done.stdout
    assert done.stderr == ""
    assert list(home.iterdir()) == []  # nothing written: the user adds the eval line
    assert list(work.iterdir()) == []


@pytest.mark.parametrize("shell", SHELLS)
def test_the_snippet_is_valid_syntax_for_its_shell(shell: str, tmp_path: Path) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"needs {shell} (Debian package {shell})")
    script = tmp_path / f"snippet.{shell}"
    script.write_text(snippet(shell), encoding="utf-8")
    done = subprocess.run([*SYNTAX_CHECK[shell], str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_init_is_only_init_and_one_known_shell() -> None:
    assert is_init(("init", "zsh"))
    assert not is_init(("init",))
    assert not is_init(("init", "tcsh"))
    assert not is_init(("init", "zsh", "please"))
    assert not is_init(("initialise", "zsh"))


def test_after_dashdash_or_with_p_init_is_a_request(caro: Caro, fake_server) -> None:
    fake_server.answer_command(SAFE)
    for args in (["--", "init", "zsh"], ["-p", "init zsh"]):
        done = caro(*args)
        assert done.returncode == 0 and done.stdout == SAFE + "\n", done.stderr
    sent = [r["body"]["messages"][-1]["content"] for r in fake_server.chat_requests()]
    assert sent == ["init zsh", "init zsh"]


def test_widget_prints_risk_tab_command_and_nothing_else(
    caro: Caro, fake_server: FakeChatServer
) -> None:
    fake_server.answer_command(HIGH)
    done = caro("--widget", "-p", "throw away my changes")
    assert done.returncode == 0, done.stderr
    assert done.stdout == widget_line("high", HIGH) == f"high\t{HIGH}\n"
    assert "Execute?" not in done.stderr


def test_widget_blocked_prints_nothing_on_stdout_and_says_why(caro: Caro, fake_server) -> None:
    fake_server.answer_command(CRITICAL)
    done = caro("--widget", "-p", "format a disk")
    assert done.returncode == 4
    assert done.stdout == "" and "blocked" in done.stderr


def test_widget_backend_down_exits_3_with_nothing_on_stdout(tmp_path: Path) -> None:
    test_cli_e2e.write_config("fallback = false\n")
    port = test_cli_e2e.closed_port()
    done = run_caro(
        ["--backend", "lmstudio", "--base-url", f"http://127.0.0.1:{port}", "--widget", "-p", "x"]
    )
    assert done.returncode == 3 and done.stdout == "" and "Traceback" not in done.stderr
