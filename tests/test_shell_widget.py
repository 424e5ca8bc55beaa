"""The hotkey widgets of `caro init bash|zsh|fish`, driven in tmux with the real shells.

Each test starts the shell in its own tmux server with an rc file that evals caro's snippet,
types a request, presses Alt-j, and reads the line back through a second binding (Ctrl-X d)
that writes the shell's own line buffer and cursor to a file. The happy path uses the real
embedded model; blocked, high-risk and Ctrl-C cases use tests/fakeserver.py (a real loopback
HTTP server) for a deterministic answer.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fakeserver import FakeChatServer, Reply, tool_call_body

pytestmark = [
    pytest.mark.slow,
    pytest.mark.pty,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux (Debian package tmux)"),
]

SHELLS = ("bash", "zsh", "fish")
CRITICAL = "mkfs.ext4 /dev/sdz9"
HIGH = "git reset --hard"
SAFE = "echo caro-ran-$((40+2))"

# Per shell: the rc file (prompt, the snippet, the dump binding) and the command starting it.
RC: dict[str, str] = {
    "bash": """PS1='READY> '
eval "$(caro init bash)"
__dump() { printf '%s\\n%s' "$READLINE_POINT" "$READLINE_LINE" > "$CARO_TEST_DUMP"; }
bind -x '"\\C-xd": __dump'
""",
    "zsh": """PROMPT='READY> '
eval "$(caro init zsh)"
__dump() { print -rn -- "$CURSOR"$'\\n'"$BUFFER" > "$CARO_TEST_DUMP"; }
zle -N __dump
bindkey '^Xd' __dump
""",
    "fish": """function fish_prompt; echo -n 'READY> '; end
caro init fish | source
function __dump; begin; commandline -C; commandline; end > $CARO_TEST_DUMP; end
bind \\cxd __dump
""",
}


def start_command(shell: str, rc: Path) -> list[str]:
    if shell == "bash":
        return ["bash", "--noprofile", "--rcfile", str(rc), "-i"]
    if shell == "zsh":
        return ["zsh", "-d", "-i"]  # ZDOTDIR points at rc's folder (.zshrc)
    return ["fish", "--no-config", "-C", f"source {rc}"]


class Shell:
    """One interactive shell in its own tmux server."""

    def __init__(self, shell: str, home: Path, config: Path, rc_first: str = "") -> None:
        self.socket = f"caro-test-{os.getpid()}-{time.monotonic_ns()}"
        self.home = home
        self.dump = home / "line.dump"
        rc = home / (".zshrc" if shell == "zsh" else f"rc.{shell}")
        rc.write_text(rc_first + RC[shell], encoding="utf-8")
        env = {
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(home),
            "ZDOTDIR": str(home),
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "CARO_CONFIG": str(config),
            "CARO_TEST_DUMP": str(self.dump),
            "XDG_DATA_HOME": os.environ["XDG_DATA_HOME"],
            "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME", str(home / "cache")),
            "XDG_CONFIG_HOME": str(home / "config"),
            # The session's own worker directory: `env -i` would otherwise send caro to the
            # user's default one (<tmp>/caro-<uid>) and its running worker.
            "XDG_RUNTIME_DIR": os.environ["XDG_RUNTIME_DIR"],
        }
        if os.environ.get("CARO_CACHE_DIR"):
            env["CARO_CACHE_DIR"] = os.environ["CARO_CACHE_DIR"]
        launch = ["env", "-i", *(f"{k}={v}" for k, v in env.items())]
        launch += start_command(shell, rc)
        self.tmux("new-session", "-d", "-x", "160", "-y", "40", "-c", str(home), *launch)
        # Where tmux put its socket, to remove it afterwards (kill-server leaves it behind).
        self.socket_path = self.tmux("display-message", "-p", "#{socket_path}").strip()
        self.wait_screen("READY> ")

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            timeout=20,
        )
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J")

    def wait_screen(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.screen():
            if time.monotonic() > deadline:
                raise AssertionError(f"never saw {text!r}; screen:\n{self.screen()}")
            time.sleep(0.1)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-l", text)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", *keys)

    def line(self) -> tuple[str, int]:
        """The shell's line buffer and cursor, as the shell itself holds them."""
        self.dump.unlink(missing_ok=True)
        self.keys("C-x", "d")
        deadline = time.monotonic() + 10
        while not self.dump.exists() or not self.dump.read_text(encoding="utf-8"):
            if time.monotonic() > deadline:
                raise AssertionError(f"the line was not dumped; screen:\n{self.screen()}")
            time.sleep(0.05)
        time.sleep(0.1)  # let the write finish
        cursor, _, buffer = self.dump.read_text(encoding="utf-8").partition("\n")
        return buffer.removesuffix("\n"), int(cursor)

    def close(self) -> None:
        self.tmux("kill-server")
        if self.socket_path:
            Path(self.socket_path).unlink(missing_ok=True)


def history_rows() -> list[dict[str, object]]:
    path = Path(os.environ["XDG_DATA_HOME"]) / "caro" / "history.sqlite3"
    if not path.exists():
        return []
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in db.execute("SELECT * FROM requests ORDER BY id")]
    except sqlite3.OperationalError:  # the table is being made right now
        return []
    finally:
        db.close()


def wait_rows(count: int, timeout: float = 120) -> list[dict[str, object]]:
    """Wait until caro recorded `count` requests (it records just before it answers)."""
    deadline = time.monotonic() + timeout
    while len(rows := history_rows()) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"caro recorded {len(rows)} requests, not {count}")
        time.sleep(0.1)
    time.sleep(0.5)  # the widget puts the answer on the line after caro exits
    return rows


def widget_running() -> bool:
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--widget" in args and any(arg.endswith(b"caro") for arg in args[:2]):
            return True
    return False


@pytest.fixture
def start_shell(tmp_path: Path) -> Iterator[Callable[..., Shell]]:
    opened: list[Shell] = []

    def start(shell: str, config_text: str, rc_first: str = "") -> Shell:
        if shutil.which(shell) is None:
            pytest.skip(f"needs {shell} (Debian package {shell})")
        home = tmp_path / f"home-{shell}"
        home.mkdir()
        config = home / "config.toml"
        config.write_text(config_text, encoding="utf-8")
        opened.append(Shell(shell, home, config, rc_first))
        return opened[-1]

    yield start
    for shell in opened:
        shell.close()


def fake_config(server: FakeChatServer) -> str:
    return (
        'fallback = false\n[backend]\nuse = "lmstudio"\n'
        f'[backend.lmstudio]\nbase_url = "{server.url}"\n'
    )


@pytest.mark.model
@pytest.mark.parametrize("shell", SHELLS)
def test_the_key_puts_the_embedded_models_command_on_the_line(start_shell, shell: str) -> None:
    sh = start_shell(shell, 'backend = "embedded"\n')
    request = "list the files in this folder"
    sh.type(request)
    sh.keys("M-j")
    rows = wait_rows(1)
    line, cursor = sh.line()
    # The line now holds exactly the command caro generated (and recorded), cursor at its end.
    assert rows[0]["origin"] == "widget" and rows[0]["outcome"] == "inserted"
    assert rows[0]["backend"] == "embedded"
    assert line == rows[0]["command"] and line != request and line.strip()
    assert cursor == len(line)
    assert not list(sh.home.glob("caro-ran*"))  # nothing ran: the widget never runs it
    shown = [row.rstrip() for row in sh.screen().splitlines() if row.strip()]
    assert shown[-1] == f"READY> {line}", sh.screen()


@pytest.mark.parametrize("shell", SHELLS)
def test_a_blocked_command_leaves_the_request_on_the_line(
    start_shell, fake_server: FakeChatServer, shell: str
) -> None:
    fake_server.answer_command(CRITICAL)
    sh = start_shell(shell, fake_config(fake_server))
    sh.type("format the spare disk")
    sh.keys("M-j")
    rows = wait_rows(1)
    assert rows[0]["outcome"] == "blocked" and rows[0]["command"] == CRITICAL
    assert sh.line()[0] == "format the spare disk"
    assert "blocked" in sh.screen()


@pytest.mark.parametrize("shell", SHELLS)
def test_high_risk_is_named_next_to_the_command(
    start_shell, fake_server: FakeChatServer, shell: str
) -> None:
    fake_server.answer_command(HIGH)
    sh = start_shell(shell, fake_config(fake_server))
    sh.type("throw away my changes")
    sh.keys("M-j")
    wait_rows(1)
    assert sh.line() == (HIGH, len(HIGH))
    assert "high risk" in sh.screen()


@pytest.mark.parametrize("shell", SHELLS)
def test_ctrl_c_cancels_and_restores_the_line(
    start_shell, fake_server: FakeChatServer, shell: str
) -> None:
    fake_server.queue(Reply(body=tool_call_body(SAFE, model="fake-coder-1"), delay_s=30))
    sh = start_shell(shell, fake_config(fake_server))
    sh.type("greet me slowly")
    sh.keys("M-j")
    deadline = time.monotonic() + 20
    while not fake_server.chat_requests():  # caro is now waiting on the server
        assert time.monotonic() < deadline, sh.screen()
        time.sleep(0.05)
    sh.keys("C-c")
    rows = wait_rows(1, timeout=20)
    assert rows[0]["outcome"] == "interrupted"
    # caro records the row just before it exits: give it that moment.
    deadline = time.monotonic() + 20
    while widget_running():
        assert time.monotonic() < deadline, "caro --widget still running after Ctrl-C"
        time.sleep(0.05)
    assert sh.line() == ("greet me slowly", len("greet me slowly"))
    # ... and on screen: the prompt and the request, drawn again in full.
    shown = [row for row in sh.screen().splitlines() if row.strip()]
    assert shown[-1].rstrip() == "READY> greet me slowly", sh.screen()


@pytest.mark.parametrize("shell", SHELLS)
def test_an_empty_line_does_nothing(start_shell, fake_server: FakeChatServer, shell: str) -> None:
    fake_server.answer_command(SAFE)
    sh = start_shell(shell, fake_config(fake_server))
    sh.type("   ")
    sh.keys("M-j")
    time.sleep(1)
    assert sh.line()[0] == "   "
    assert history_rows() == [] and fake_server.chat_requests() == []


# CARO_KEY in each shell's own notation, set before the snippet is loaded: Ctrl-X j.
OTHER_KEY = {
    "bash": "CARO_KEY='\\C-xj'\n",
    "zsh": "CARO_KEY='^Xj'\n",
    "fish": "set -g CARO_KEY \\cxj\n",
}


@pytest.mark.parametrize("shell", SHELLS)
def test_caro_key_binds_another_key_instead(
    start_shell, fake_server: FakeChatServer, shell: str
) -> None:
    fake_server.answer_command(SAFE)
    sh = start_shell(shell, fake_config(fake_server), rc_first=OTHER_KEY[shell])
    sh.type("greet")
    sh.keys("M-j")  # no longer bound to caro
    time.sleep(1)
    assert history_rows() == []
    sh.keys("C-u")
    sh.type("greet")
    sh.keys("C-x", "j")
    wait_rows(1)
    assert sh.line() == (SAFE, len(SAFE))
