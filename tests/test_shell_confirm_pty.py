"""`r` (revise) and `x` (explain) at the confirm prompt, in a real pseudo-terminal, and the
history rows they leave (declined, ran). The server is tests/fakeserver.py, scripted so the
second answer differs from the first.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from tests import test_cli_pty
from tests.fakeserver import FakeChatServer, Reply, text_body, tool_call_body
from tests.test_cli_e2e import CRITICAL, SAFE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.pty,
    pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty"),
]
terminal = test_cli_pty.terminal  # the fixture: caro in a pty against the fake server
PROMPT = test_cli_pty.PROMPT
MODEL = "fake-coder-1"
REVISED = "echo revised-$((1+2))"


def history_rows() -> list[dict[str, object]]:
    path = Path(os.environ["XDG_DATA_HOME"]) / "caro" / "history.sqlite3"
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in db.execute("SELECT * FROM requests ORDER BY id")]
    finally:
        db.close()


def test_revise_regenerates_with_the_previous_command_and_asks_again(
    terminal, fake_server: FakeChatServer
) -> None:
    fake_server.queue(Reply(body=tool_call_body(SAFE, model=MODEL)))
    fake_server.queue(Reply(body=tool_call_body(REVISED, model=MODEL)))
    term = terminal("greet")
    term.expect(PROMPT)
    term.send("r\n")
    term.expect("What should change?")
    term.send("say revised instead\n")
    term.expect(REVISED)  # the new command is shown, judged ...
    term.expect(PROMPT)  # ... and asked about again
    term.send("y\n")
    assert term.finish() == 0
    assert "revised-3" in term.output and "caro-ran-42" not in term.output
    second = json.dumps(fake_server.chat_requests()[1]["body"]["messages"])
    assert "greet" in second and "say revised instead" in second
    assert json.dumps(SAFE)[1:-1] in second  # the previous command, as context
    row = history_rows()[-1]
    assert row["outcome"] == "ran" and row["command"] == REVISED and row["request"] == "greet"


def test_revising_into_a_critical_command_blocks_it(terminal, fake_server) -> None:
    fake_server.queue(Reply(body=tool_call_body(SAFE, model=MODEL)))
    fake_server.queue(Reply(body=tool_call_body(CRITICAL, model=MODEL)))
    term = terminal("greet")
    term.expect(PROMPT)
    term.send("r\n")
    term.expect("What should change?")
    term.send("format a disk too\n")
    assert term.finish() == 4
    assert "blocked" in term.output
    assert history_rows()[-1]["outcome"] == "blocked"


def test_an_empty_revision_keeps_the_command(terminal, fake_server) -> None:
    fake_server.answer_command(SAFE)
    term = terminal("greet")
    term.expect(PROMPT)
    term.send("r\n")
    term.expect("What should change?")
    term.send("\n")
    term.expect(PROMPT)
    term.send("n\n")
    assert term.finish() == 5
    assert len(fake_server.chat_requests()) == 1


def test_explain_shows_the_models_words_runs_nothing_and_asks_again(
    terminal, fake_server: FakeChatServer
) -> None:
    fake_server.queue(Reply(body=tool_call_body(SAFE, model=MODEL)))
    fake_server.queue(
        Reply(body=text_body("echo: prints its arguments\n$((40+2)): adds", model=MODEL))
    )
    term = terminal("greet")
    term.expect(PROMPT)
    term.send("x\n")
    term.expect("echo: prints its arguments")
    term.expect(PROMPT)
    term.send("n\n")
    assert term.finish() == 5
    assert "caro-ran-42" not in term.output
    explain_request = fake_server.chat_requests()[1]["body"]
    assert "tools" not in explain_request
    assert explain_request["messages"][-1]["content"] == SAFE
    row = history_rows()[-1]
    assert row["outcome"] == "declined" and row["executed"] == 0


def test_explain_failing_says_why_and_the_prompt_comes_back(terminal, fake_server) -> None:
    fake_server.queue(Reply(body=tool_call_body(SAFE, model=MODEL)))
    fake_server.queue(Reply(status=500, body={"error": {"message": "out of memory"}}))
    term = terminal("greet")
    term.expect(PROMPT)
    term.send("x\n")
    term.expect("cannot explain it")
    term.expect(PROMPT)
    term.send("y\n")
    assert term.finish() == 0
    assert "caro-ran-42" in term.output
