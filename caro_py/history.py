"""The history of requests caro answered: one SQLite file in the user's data directory.

One row per request: when, the words, the command, backend and model, risk, the policy's
decision, what became of it (outcome), caro's exit code and the directory it was asked in.
Nothing else: no environment, no API keys, no command output. The file is created 0600
in a 0700 directory. `[history] enabled = false` turns recording off.

sqlite3 is imported only inside these functions (start-up stays fast).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from caro_py.errors import CaroError

if TYPE_CHECKING:
    import sqlite3

    from caro_py.jsonout import Result

FILE_NAME = "history.sqlite3"
APP_NAME = "caro"
DEFAULT_LIMIT = 20

# Column -> SQL type. The order is the order of `--history --json` fields.
COLUMNS: dict[str, str] = {
    "id": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "time": "TEXT NOT NULL",  # UTC, ISO 8601, seconds
    "request": "TEXT",
    "command": "TEXT",
    "backend": "TEXT",
    "model": "TEXT",
    "risk": "TEXT",  # safe | moderate | high | critical
    "decision": "TEXT",  # the policy's: allow | confirm | block
    "outcome": "TEXT NOT NULL",  # see OUTCOMES
    "executed": "INTEGER NOT NULL",  # 1 when caro ran the command
    "exit_code": "INTEGER NOT NULL",  # caro's exit status (the command's own when it ran)
    "cwd": "TEXT",
    "origin": "TEXT NOT NULL",  # prompt | json | widget | pipe
}
# What became of a request.
OUTCOMES: tuple[str, ...] = (
    "ran",  # caro ran it and it exited 0
    "failed",  # caro ran it and it exited non-zero
    "declined",  # the user said no
    "blocked",  # the safety policy refused it
    "shown",  # printed only (dry run, --json, or not a terminal)
    "inserted",  # put on the shell's line by the hotkey; the shell runs it, if anyone does
    "interrupted",  # Ctrl-C
    "error",  # no command (backend down, no usable answer, ...)
)


class HistoryError(CaroError):
    """The history file could not be opened, read or written (exit 1)."""

    exit_code = 1
    type_name = "history"


@dataclass(frozen=True)
class Entry:
    """One row, as stored."""

    id: int
    time: str
    request: str | None
    command: str | None
    backend: str | None
    model: str | None
    risk: str | None
    decision: str | None
    outcome: str
    executed: bool
    exit_code: int
    cwd: str | None
    origin: str

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in COLUMNS}


def history_path(env: Mapping[str, str] | None = None) -> Path:
    """The file: CARO_HISTORY_FILE when set, else <user data dir>/caro/history.sqlite3."""
    env = os.environ if env is None else env
    if env.get("CARO_HISTORY_FILE"):
        return Path(env["CARO_HISTORY_FILE"]).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / FILE_NAME


def outcome_of(result: Result, *, widget: bool) -> str:
    """What became of the request, from the finished Result."""
    if result.executed:
        return "ran" if result.exit_code == 0 else "failed"
    if result.error:
        kind = result.error["type"]
        return kind if kind in ("blocked", "declined", "interrupted") else "error"
    return "inserted" if widget else "shown"


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating 0600 in a 0700 directory when new) and make sure the table exists."""
    import sqlite3

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Made by hand first, so the file never exists with looser permissions.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        os.chmod(path, 0o600)  # the umask may have cut 0600 down, never up; be exact
    with guarded(path):
        db = sqlite3.connect(path, timeout=5)
        try:
            columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
            db.execute(f"CREATE TABLE IF NOT EXISTS requests ({columns})")
        except sqlite3.Error:
            db.close()
            raise
    return db


@contextlib.contextmanager
def guarded(path: Path) -> Iterator[None]:
    """Turn sqlite3 errors into HistoryError naming the file."""
    import sqlite3

    try:
        yield
    except sqlite3.Error as exc:
        raise HistoryError(f"history file {path}: {exc}") from None


def record(result: Result, *, origin: str, cwd: str, path: Path) -> None:
    """Append one row for a finished request."""
    import datetime

    row = {
        "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "request": result.request,
        "command": result.command,
        "backend": result.backend,
        "model": result.model,
        "risk": result.risk,
        "decision": result.decision,
        "outcome": outcome_of(result, widget=origin == "widget"),
        "executed": int(result.executed),
        "exit_code": result.exit_code,
        "cwd": cwd,
        "origin": origin,
    }
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    db = connect(path)
    try:
        with guarded(path), db:
            db.execute(f"INSERT INTO requests ({names}) VALUES ({marks})", tuple(row.values()))
    finally:
        db.close()


def latest(path: Path, limit: int = DEFAULT_LIMIT) -> list[Entry]:
    """The newest `limit` rows, oldest first (so the newest is printed last)."""
    if not path.exists():
        return []
    db = connect(path)
    try:
        with guarded(path):
            rows = db.execute(
                f"SELECT {', '.join(COLUMNS)} FROM requests ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
    finally:
        db.close()
    entries = [dict(zip(COLUMNS, row, strict=True)) for row in reversed(rows)]
    return [Entry(**{**entry, "executed": bool(entry["executed"])}) for entry in entries]


def clear(path: Path) -> int:
    """Delete every row; return how many there were. The file itself stays (still 0600)."""
    if not path.exists():
        return 0
    db = connect(path)
    try:
        with guarded(path):
            with db:
                count = int(db.execute("SELECT COUNT(*) FROM requests").fetchone()[0])
                db.execute("DELETE FROM requests")
            db.execute("VACUUM")  # the deleted text must not linger in free pages
    finally:
        db.close()
    return count
