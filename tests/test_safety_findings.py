"""Findings say exactly why: deny-list blocks, moves onto /dev/null, sudoers edits, mass kills."""

from __future__ import annotations

import pytest

from safety import Decision, Policy, Risk, assess


def test_a_deny_pattern_block_is_explained_by_a_finding() -> None:
    result = assess("ls -la", policy=Policy(deny=(r"^ls\b",)))
    assert result.decision is Decision.BLOCK
    assert result.risk is Risk.SAFE  # the risk stays as judged; the policy blocks it
    deny = [f for f in result.findings if f.rule_id == "policy.deny"]
    assert len(deny) == 1
    assert "^ls\\\\b" in deny[0].message and "deny pattern" in deny[0].message
    assert deny[0].span == (0, 2)


def test_no_deny_finding_when_the_pattern_does_not_match() -> None:
    result = assess("ls -la", policy=Policy(deny=("curl",)))
    assert result.decision is Decision.ALLOW
    assert not result.findings


def test_moving_a_file_onto_dev_null_is_one_accurate_finding() -> None:
    result = assess("mv file /dev/null")
    assert [f.rule_id for f in result.findings] == ["delete.to-null"]
    assert "destroys" in result.findings[0].message
    assert result.findings[0].span == (3, 7)
    assert result.risk is Risk.HIGH


def test_moving_several_files_onto_dev_null_names_each_once() -> None:
    result = assess("mv -f ./a ./b /dev/null")
    assert [(f.rule_id, f.span) for f in result.findings] == [
        ("delete.to-null", (6, 9)),
        ("delete.to-null", (10, 13)),
    ]


def test_moving_home_onto_dev_null_is_still_critical() -> None:
    assert assess("mv ~ /dev/null").risk is Risk.CRITICAL


@pytest.mark.parametrize(
    "command",
    [
        "visudo",
        "sudo visudo",
        "visudo -f /etc/sudoers.d/x",
        "sudo vim /etc/sudoers",
        "sudoedit /etc/sudoers.d/deploy",
        "vipw",
        "killall -9 python",
        "pkill -9 -u root",
        "kill -9 $(pgrep .)",
        "pgrep . | xargs kill -9",
        "kill -9 $(ps aux | awk '{print $2}')",
        "pkill -KILL -u $USER",
        "sh -c 'killall -9 node'",
    ],
)
def test_sudoers_edits_and_mass_kills_need_at_least_confirmation(command: str) -> None:
    result = assess(command)
    assert result.risk >= Risk.HIGH, [f.rule_id for f in result.findings]
    assert result.decision is not Decision.ALLOW


@pytest.mark.parametrize(
    "command",
    [
        "kill 1234",
        "kill -9 1234",
        "pkill -f my_script.py",
        "pkill -9 -f my_script.py",
        "killall firefox",
        "kill $(cat server.pid)",
        "kill $(pgrep -f my_script.py)",
        "ps aux | grep my_server | awk '{print $2}' | xargs kill",
        "visudo -c",
        "cat /etc/sudoers",
        "pgrep -u root",
    ],
)
def test_targeted_kills_and_sudoers_reads_are_allowed(command: str) -> None:
    result = assess(command)
    assert result.risk <= Risk.MODERATE, [f.rule_id for f in result.findings]
    assert result.decision is not Decision.BLOCK


def test_echo_e_decodes_newlines_into_startup_lines_like_printf() -> None:
    # Each line appended to ~/.bashrc is judged as a command of its own, with either spelling.
    for command in (
        "echo -e 'alias ls=ls\\nrm -rf ~' >> ~/.bashrc",
        "printf 'alias ls=ls\\nrm -rf ~' >> ~/.bashrc",
    ):
        assert assess(command).risk >= Risk.HIGH, command
    assert assess("echo 'alias ls=ls\\nrm -rf ~' >> ~/.bashrc").risk < Risk.HIGH
