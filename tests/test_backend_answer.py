"""Reading an answer beyond the parser: tool names out of commands; what earns a repair turn."""

from __future__ import annotations

import pytest

from backends.remote.answer import looks_like_command, without_tool_name
from backends.remote.prompting import Prompting


@pytest.mark.parametrize(
    ("answer", "command"),
    [
        ("execute_shell ls /tmp", "ls /tmp"),
        ('execute_shell "date"', "date"),
        ("execute_shell 'ls -la'", "ls -la"),
        ("execute_shell: df -h", "df -h"),
        ("EXECUTE_SHELL  uptime", "uptime"),
        ('execute_shell echo "a b"', 'echo "a b"'),
        ("execute_shell", ""),
        ("ls /tmp", "ls /tmp"),
        ("execute_shell_helper --x", "execute_shell_helper --x"),  # another word entirely
        ("bash -c 'ls'", "bash -c 'ls'"),  # a real program keeps its name
    ],
)
def test_the_tool_name_is_never_part_of_the_command(answer: str, command: str) -> None:
    assert without_tool_name(answer) == command


@pytest.mark.parametrize(
    "answer",
    [
        "ls -la\nls -a",
        "```bash\nfind . -name '*.log'\n```",
        "$ grep -r TODO .",
        "sudo systemctl restart nginx && echo done",
        "execute_shell df -h",
        "Here you go:\ncd /tmp && ls",
    ],
)
def test_answers_worth_a_repair(answer: str) -> None:
    assert looks_like_command(answer)


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "I'm sorry, I can't help with that.",
        "The current date is 2019-03-28.",
        "Which containers do you mean?",
        "list files in current directory",
        '[{"id": "call_1", "function": {"name": "execute_shell"}}]',
    ],
)
def test_answers_not_worth_a_repair(answer: str) -> None:
    assert not looks_like_command(answer)


def test_what_is_learned_round_trips_and_bad_data_is_dropped() -> None:
    learned = Prompting(mode="text", refused={"tools", "stop"})
    assert Prompting.from_json(learned.to_json()) == learned
    odd = Prompting.from_json({"mode": "fast", "refused": ["tools", "colour", 3]})
    assert odd == Prompting(mode=None, refused={"tools"})
    assert Prompting.from_json({"refused": "tools"}) == Prompting()
