"""The interactive flow in a real pseudo-terminal: Execute? [y/N/e], editing, 'yes' for high
risk, EOF, Ctrl-C. caro runs as a separate process whose controlling terminal is the pty.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.fakeserver import FakeChatServer
from tests.test_cli_e2e import CRITICAL, HIGH, SAFE, UNPARSEABLE, write_config

pytestmark = [
    pytest.mark.slow,
    pytest.mark.pty,
    pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty"),
]

# Make the pty the child's controlling terminal (so Ctrl-C becomes SIGINT), then become caro.
WRAPPER = (
    "import fcntl, os, sys, termios;"
    "fcntl.ioctl(0, termios.TIOCSCTTY, 0);"
    "os.execv(sys.executable, [sys.executable, '-m', 'caro_py', *sys.argv[1:]])"
)
PROMPT = "Execute? [y/N/e/r/x]"


class Terminal:
    def __init__(self, args: list[str], cwd: Path) -> None:
        master, slave = os.openpty()
        env = {**os.environ, "TERM": "dumb", "NO_COLOR": "1", "COLUMNS": "200"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WRAPPER, *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        os.close(slave)
        self.fd = master
        self.output = ""
        self._seen = 0  # expect() looks only after what it matched last

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            return False
        if not data:
            return False
        self.output += data.decode("utf-8", "replace")
        return True

    def expect(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output[self._seen :]:
            if time.monotonic() > deadline or not self._read(0.1):
                if text in self.output[self._seen :]:
                    break
                raise AssertionError(f"did not see {text!r}; output so far:\n{self.output}")
        self._seen = self.output.index(text, self._seen) + len(text)

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def finish(self, timeout: float = 20) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read(0.1):
            if self.proc.poll() is not None and not select.select([self.fd], [], [], 0)[0]:
                break
        code = self.proc.wait(timeout=max(deadline - time.monotonic(), 1))
        os.close(self.fd)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def wait_for_descendant(root: int, name: str, timeout: float = 20) -> None:
    """Return once a process under `root` runs the program `name` (Linux /proc; elsewhere
    a short pause is the best there is)."""
    if not Path("/proc/self/stat").exists():
        time.sleep(1)
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        parents: dict[int, int] = {}
        names: dict[int, str] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                text = stat.read_text()
            except OSError:  # gone since the listing
                continue
            pid = int(stat.parent.name)
            # "PID (COMM) STATE PPID ...": COMM may hold spaces and brackets.
            names[pid] = text[text.index("(") + 1 : text.rindex(")")]
            parents[pid] = int(text[text.rindex(")") + 2 :].split()[1])
        for pid, comm in names.items():
            up = parents.get(pid)
            while comm == name and up is not None:
                if up == root:
                    return
                up = parents.get(up)
        time.sleep(0.02)
    raise AssertionError(f"no {name!r} process started under pid {root}")


@pytest.fixture
def terminal(fake_server: FakeChatServer, tmp_path: Path) -> Iterator:
    write_config("fallback = false\n")
    work = tmp_path / "work"
    work.mkdir()
    opened: list[Terminal] = []

    def start(*args: str) -> Terminal:
        base = ["--backend", "lmstudio", "--base-url", fake_server.url]
        term = Terminal([*base, *args], cwd=work)
        opened.append(term)
        return term

    yield start
    for term in opened:
        term.kill()


def test_y_runs_the_command_live(terminal, fake_server: FakeChatServer) -> None:
    fake_server.answer_command(f"{SAFE}; exit 9")
    term = terminal("greet")
    term.expect(PROMPT)
    term.send("y\n")
    assert term.finish() == 9
    assert "caro-ran-42" in term.output


@pytest.mark.parametrize("keys", ["\n", "n\n", "no\n", "whatever\n"])
def test_anything_but_y_declines_with_exit_5(terminal, fake_server, keys: str) -> None:
    fake_server.answer_command(SAFE)
    term = terminal("greet")
    term.expect(PROMPT)
    term.send(keys)
    assert term.finish() == 5
    assert "caro-ran-42" not in term.output and "declined" in term.output


def test_eof_at_the_prompt_declines(terminal, fake_server: FakeChatServer) -> None:
    fake_server.answer_command(SAFE)
    term = terminal("greet")
    term.expect(PROMPT)
    term.send("\x04")  # Ctrl-D on an empty line: end of input
    assert term.finish() == 5
    assert "caro-ran-42" not in term.output


def test_ctrl_c_at_the_prompt_exits_130_cleanly(terminal, fake_server: FakeChatServer) -> None:
    fake_server.answer_command(SAFE)
    term = terminal("greet")
    term.expect(PROMPT)
    term.send("\x03")
    assert term.finish() == 130
    assert "Traceback" not in term.output and "caro-ran-42" not in term.output


def test_ctrl_c_while_the_command_runs_gives_130(terminal, fake_server: FakeChatServer) -> None:
    fake_server.answer_command("echo started-$((1+1)); sleep 30")
    term = terminal("wait a while")
    term.expect(PROMPT)
    term.send("y\n")
    term.expect("started-2")
    # Ctrl-C only once `sleep` has exec'd: one landing while the shell forks it can be lost
    # by the half-made child (a shell race, not caro's), and bash would then wait 30 s.
    wait_for_descendant(term.proc.pid, "sleep")
    term.send("\x03")
    assert term.finish() == 130
    assert "Traceback" not in term.output


def test_edit_prefills_the_line_then_rechecks_and_asks_again(terminal, fake_server) -> None:
    fake_server.answer_command(SAFE)
    term = terminal("greet")
    term.expect(PROMPT)
    term.send("e\n")
    term.expect("Edit the command")
    term.expect(SAFE)  # readline shows the command, ready to edit
    term.send("\x05 && echo edited-$((2+3))\r")  # Ctrl-E: end of line, then append
    term.expect(PROMPT)  # the edited command is assessed and confirmed again
    term.send("y\n")
    assert term.finish() == 0
    assert "caro-ran-42" in term.output and "edited-5" in term.output


def test_editing_into_a_critical_command_blocks_it(terminal, fake_server) -> None:
    fake_server.answer_command(SAFE)
    term = terminal("greet")
    term.expect(PROMPT)
    term.send("e\n")
    term.expect(SAFE)
    term.send(f"\x15{CRITICAL}\r")  # Ctrl-U: clear the line, then type another command
    assert term.finish() == 4
    assert "blocked" in term.output


def test_high_risk_needs_the_word_yes(terminal, fake_server: FakeChatServer) -> None:
    fake_server.answer_command(HIGH)
    term = terminal("throw away my changes")
    term.expect("Type 'yes' to run it")
    term.send("y\n")  # not enough for a high-risk command
    assert term.finish() == 5

    term = terminal("throw away my changes")
    term.expect("Type 'yes' to run it")
    term.send("yes\n")
    code = term.finish()
    # It ran: outside a repository git itself refuses (128); caro passes its code on.
    assert code == 128, term.output
    assert "not a git repository" in term.output


def test_unparseable_text_is_shown_with_a_warning_and_the_user_decides(
    terminal, fake_server
) -> None:
    fake_server.answer_command(UNPARSEABLE)
    term = terminal("greet")
    term.expect("could not be parsed as shell")
    term.expect(PROMPT)
    term.send("n\n")
    assert term.finish() == 5

    term = terminal("greet")
    term.expect(PROMPT)
    term.send("y\n")
    # It ran: the shell itself rejects the stray parenthesis (syntax error, exit 2).
    assert term.finish() == 2, term.output
    assert "caro-ran-42" not in term.output and "syntax error" in term.output.lower()


def test_critical_under_permissive_says_critical_risk(terminal, fake_server) -> None:
    fake_server.answer_command(CRITICAL)
    term = terminal("--safety", "permissive", "format a disk")
    term.expect("Critical risk. Type 'yes' to run it")
    term.send("no\n")
    assert term.finish() == 5


def test_critical_is_blocked_without_a_prompt(terminal, fake_server: FakeChatServer) -> None:
    fake_server.answer_command(CRITICAL)
    term = terminal("format a disk")
    assert term.finish() == 4
    assert PROMPT not in term.output and "blocked" in term.output


def test_stdin_not_a_terminal_but_stdout_is_does_not_run(fake_server, tmp_path: Path) -> None:
    """Request piped in, output on a terminal: caro cannot ask, so it does not run."""
    write_config("fallback = false\n")
    fake_server.answer_command(SAFE)
    master, slave = os.openpty()
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "caro_py",
                "--backend",
                "lmstudio",
                "--base-url",
                fake_server.url,
            ],  # fmt: skip
            input=b"greet\n",
            stdout=slave,
            stderr=subprocess.PIPE,
            cwd=REPO,
            timeout=30,
        )
    finally:
        os.close(slave)
        os.close(master)
    assert done.returncode == 0
    assert b"cannot ask" in done.stderr


def test_ctrl_c_while_waiting_for_the_backend_gives_130(terminal, fake_server) -> None:
    from tests.fakeserver import Reply

    fake_server.answer_command(SAFE)
    fake_server.queue(Reply(body=None, delay_s=8.0))
    term = terminal("greet")
    term.expect("asking lmstudio")  # the spinner on stderr while the server thinks
    term.send("\x03")
    assert term.finish() == 130
    assert "Traceback" not in term.output, term.output
    assert PROMPT not in term.output


def test_escape_sequences_in_the_answer_are_shown_not_obeyed(terminal, fake_server) -> None:
    # A hostile answer: on a raw terminal the ESC sequences would erase the line and show
    # only `ls -la`, while the truncate runs.
    fake_server.answer_command("truncate -s0 thesis.tex # \x1b[2K\x1b[Gls -la")
    term = terminal("list files")
    term.expect("Type 'yes' to run it")  # high risk: a bare y is not enough
    term.send("\n")
    assert term.finish() == 5
    assert "\x1b[2K" not in term.output and "\x1b[G" not in term.output
    assert "truncate -s0 thesis.tex # \\x1b[2K\\x1b[Gls -la" in term.output
    assert "text.hidden-characters" in term.output
