"""caro_py.confirm: the answers Execute? [y/N/e] understands (the pty tests drive it live)."""

from __future__ import annotations

import io

import pytest

from caro_py.confirm import PROMPT, PROMPT_HIGH, Answer, ask, interpret


@pytest.mark.parametrize(
    ("line", "needs_yes", "answer"),
    [
        ("y\n", False, Answer.RUN),
        ("Y\n", False, Answer.RUN),
        ("yes\n", False, Answer.RUN),
        ("\n", False, Answer.DECLINE),  # the default is No
        ("n\n", False, Answer.DECLINE),
        ("sure\n", False, Answer.DECLINE),
        ("e\n", False, Answer.EDIT),
        ("edit\n", False, Answer.EDIT),
        ("y\n", True, Answer.DECLINE),  # high risk: only the word itself
        ("YES\n", True, Answer.RUN),
        ("yes\n", True, Answer.RUN),
        ("e\n", True, Answer.EDIT),
        ("\n", True, Answer.DECLINE),
        ("r\n", False, Answer.REVISE),
        ("revise\n", True, Answer.REVISE),
        ("x\n", False, Answer.EXPLAIN),
        ("X\n", True, Answer.EXPLAIN),
        ("explain\n", False, Answer.EXPLAIN),
    ],
)
def test_interpret(line: str, needs_yes: bool, answer: Answer) -> None:
    assert interpret(line, needs_yes=needs_yes) is answer


def test_ask_writes_the_prompt_to_stderr_and_reads_a_line() -> None:
    err = io.StringIO()
    assert ask(needs_yes=False, stdin=io.StringIO("y\n"), stderr=err) is Answer.RUN
    assert err.getvalue() == PROMPT
    err = io.StringIO()
    assert ask(needs_yes=True, stdin=io.StringIO("y\n"), stderr=err) is Answer.DECLINE
    assert err.getvalue() == PROMPT_HIGH and "'yes'" in PROMPT_HIGH


def test_eof_declines() -> None:
    assert ask(needs_yes=False, stdin=io.StringIO(""), stderr=io.StringIO()) is Answer.DECLINE


@pytest.mark.parametrize(
    ("label", "shown"), [("high", "High risk."), ("critical", "Critical risk.")]
)
def test_the_yes_prompt_names_the_risk(label: str, shown: str) -> None:
    err = io.StringIO()
    ask(needs_yes=True, risk_label=label, stdin=io.StringIO("no\n"), stderr=err)
    assert err.getvalue().startswith(shown) and "Type 'yes'" in err.getvalue()
