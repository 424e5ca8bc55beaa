"""`caro --check`: what run_check prints and the exit code it returns."""

from __future__ import annotations

import json

import pytest

from caro_py.check import run_check
from safety import Policy


def test_json_output_is_one_object(capsys: pytest.CaptureFixture[str]) -> None:
    code = run_check("rm -rf ~", as_json=True, policy=Policy())
    out = capsys.readouterr().out
    assert code == 4
    assert out.count("\n") == 1
    data = json.loads(out)
    assert data["decision"] == "block" and data["risk"] == "critical"
    assert data["command"] == "rm -rf ~"
    assert data["findings"][0]["rule_id"] == "delete.home"


def test_allowed_command_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check("ls -la", as_json=True, policy=Policy()) == 0
    assert json.loads(capsys.readouterr().out)["decision"] == "allow"


def test_confirm_exits_zero_but_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check("git push --force", as_json=False, policy=Policy()) == 0
    out = capsys.readouterr().out
    assert "needs confirmation" in out and "git.force-push" in out


def test_table_output_names_the_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check("bash -c 'rm -rf /'", as_json=False, policy=Policy()) == 4
    out = capsys.readouterr().out
    assert "critical" in out and "delete.root" in out and "blocked" in out


def test_policy_and_lists_are_honoured(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check("git push --force", as_json=True, policy=Policy(level="strict")) == 4
    assert run_check("ls", as_json=True, policy=Policy(deny=("^ls$",))) == 4
    capsys.readouterr()
