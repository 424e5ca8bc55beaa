"""The tool a command line uses, looking through wrappers and the values of their options."""

from __future__ import annotations

import pytest

from caro_py.explain import programs
from caro_py.knowledge.command_tool import tool_of


@pytest.mark.parametrize(
    ("command", "tool"),
    [
        ("ls -la", "ls"),
        ("LANG=C /usr/bin/sort -u file", "sort"),
        # An option's value is not the tool: sudo -u USER, -g GROUP, -D DIR; env -u NAME.
        ("sudo -u postgres psql", "psql"),
        ("sudo -g staff -D /srv make", "make"),
        ("sudo -Eu bob make", "make"),
        ("sudo -h buildhost make", "make"),
        ("sudo --user=bob make", "make"),
        ("sudo --user bob make", "make"),
        ("env -u HOME -C /tmp ls", "ls"),
        ("nice -n 10 tar -czf a.tgz src", "tar"),
        ("timeout 5 curl https://example.com", "curl"),
        ("timeout -s KILL 5 curl https://example.com", "curl"),
        ("ionice -c 3 rsync -a a b", "rsync"),
        ("stdbuf -oL tail -f log", "tail"),
        ("sudo FOO=1 make", "make"),
        # tldr's spellings: an option choice and placeholders.
        ("sudo {{[-u|--user]}} {{user}} {{command}}", "sudo"),
        ("sudo {{[-u|--user]}} {{user}} apt update", "apt"),
        # What the wrapper runs is no tool of its own: the wrapper is the tool.
        ("nohup ./server.sh > server.log 2>&1 &", "nohup"),
        ("nohup python3 server.py &", "nohup"),
        ("time bash deploy.sh", "time"),
        ("timeout 10s ./slow.sh", "timeout"),
        ("sudo !!", "sudo"),
        ("sudo -i", "sudo"),
        ("env | sort", "env"),
        ("env DEBUG=1 bash deploy.sh", "env"),
        ("command -v git", "command"),
        ("sudo -e /etc/hosts", "sudo"),
        # ...but an interpreter given options runs a tool's worth of work.
        ("sudo python3 -m http.server 80", "python3"),
        # xargs is a tool of its own, whatever it runs.
        ("xargs -I {} rm {}", "xargs"),
        ("", None),
    ],
)
def test_tool_of(command: str, tool: str | None) -> None:
    assert tool_of(command) == tool


def test_explain_lists_the_wrapped_program_not_an_options_value() -> None:
    assert programs("sudo -u postgres psql") == [("sudo", None), ("psql", None)]
    assert [name for name, _ in programs("nice -n 10 xargs -I {} wc -l {}")] == [
        "nice",
        "xargs",
        "wc",
    ]
    assert programs("ls > out.txt") == [("ls", None)]
