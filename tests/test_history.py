"""The request history: rows caro records (run, failed, blocked, shown), `--history`,
`--clear-history`, file permissions, what is never stored, and turning it off.

caro runs as a real process against tests/fakeserver.py; declined and revised rows are
recorded in a real terminal in test_shell_confirm_pty.py.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from caro_py import history
from caro_py.jsonout import Result
from tests import test_cli_e2e
from tests.conftest import run_caro
from tests.fakeserver import FakeChatServer
from tests.test_cli_e2e import CRITICAL, SAFE, Caro, write_config

caro = test_cli_e2e.caro  # the fixture: caro against the fake server, fallback off

SECRET = "sk-do-not-store-this-0123456789"


def history_file() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "caro" / "history.sqlite3"


def listed(caro: Caro, *args: str) -> list[dict[str, object]]:
    done = caro("--history", "--json", *args)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["file"] == str(history_file())
    return list(data["entries"])


def test_run_failed_blocked_and_shown_requests_are_recorded(
    caro: Caro, fake_server: FakeChatServer, tmp_path: Path
) -> None:
    fake_server.answer_command(SAFE)
    assert caro("--yes", "greet").returncode == 0
    fake_server.answer_command("exit 3")
    assert caro("--yes", "fail on purpose").returncode == 3
    fake_server.answer_command(CRITICAL)
    assert caro("format", "a", "disk").returncode == 4
    fake_server.answer_command(SAFE)
    assert caro("--json", "greet", "quietly").returncode == 0

    entries = listed(caro)
    assert [e["outcome"] for e in entries] == ["ran", "failed", "blocked", "shown"]
    assert [e["exit_code"] for e in entries] == [0, 3, 4, 0]
    assert [e["executed"] for e in entries] == [True, True, False, False]
    assert [e["origin"] for e in entries] == ["pipe", "pipe", "pipe", "json"]
    first = entries[0]
    assert first["request"] == "greet" and first["command"] == SAFE
    assert first["backend"] == "lmstudio" and first["model"] == "fake-coder-1"
    assert first["risk"] == "safe" and first["decision"] in ("allow", "confirm")
    assert first["cwd"] == str(tmp_path / "work")
    assert entries[2]["risk"] == "critical" and entries[2]["decision"] == "block"
    assert set(first) == set(history.COLUMNS)


def test_history_lists_the_latest_n_oldest_first(caro: Caro, fake_server) -> None:
    fake_server.answer_command(SAFE)
    for word in ("one", "two", "three"):
        assert caro(word).returncode == 0
    assert [e["request"] for e in listed(caro, "-n", "2")] == ["two", "three"]
    text = caro("--history")
    assert text.returncode == 0
    assert text.stdout.count(SAFE) == 3 and text.stdout.index("one") < text.stdout.index("three")


@pytest.mark.parametrize("args", [["-n", "0"], ["-n", "x"], ["more", "words"]])
def test_history_rejects_bad_counts_and_request_text(caro: Caro, args: list[str]) -> None:
    done = caro("--history", *args)
    assert done.returncode == 2 and "--history" in done.stderr and "Traceback" not in done.stderr


def test_the_file_is_private_and_holds_no_keys_or_environment(
    caro: Caro, fake_server: FakeChatServer
) -> None:
    fake_server.answer_command(SAFE)
    done = caro("greet", env={"OPENAI_API_KEY": SECRET, "CARO_SOMETHING": SECRET})
    assert done.returncode == 0
    path = history_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert SECRET.encode() not in path.read_bytes()
    assert b"greet" in path.read_bytes()


def test_the_file_is_0600_even_under_a_loose_umask(tmp_path: Path) -> None:
    path = tmp_path / "data" / "history.sqlite3"
    old = os.umask(0)
    try:
        history.record(Result(request="r", command="c"), origin="pipe", cwd="/", path=path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_turned_off_in_config_nothing_is_recorded(caro: Caro, fake_server) -> None:
    write_config("fallback = false\n[history]\nenabled = false\n")
    fake_server.answer_command(SAFE)
    assert caro("--yes", "greet").returncode == 0
    assert not history_file().exists()


def test_clear_history_deletes_every_row(caro: Caro, fake_server) -> None:
    fake_server.answer_command(SAFE)
    assert caro("greet").returncode == 0
    done = caro("--clear-history", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["cleared"] == 1
    assert listed(caro) == []
    assert b"greet" not in history_file().read_bytes()  # vacuumed, not just unlinked rows


def test_a_broken_history_file_warns_and_the_request_still_works(
    caro: Caro, fake_server: FakeChatServer
) -> None:
    path = history_file()
    path.parent.mkdir(parents=True)
    path.write_text("this is not a database, it is text" * 100)
    fake_server.answer_command(SAFE)
    done = caro("greet")
    assert done.returncode == 0 and done.stdout == SAFE + "\n"
    assert "could not record the history" in done.stderr
    listing = run_caro(["--history"])
    assert listing.returncode == 1 and "history file" in listing.stderr
    assert "Traceback" not in listing.stderr


def test_history_config_table_is_checked(caro: Caro) -> None:
    write_config("[history]\nenabled = 3\n")
    done = caro("--show-config")
    assert done.returncode == 2 and "history.enabled" in done.stderr
