"""The text reader: every answer shape models write as text, and the answers that must never run."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backends.answer_text import parse_text, parse_text_detailed
from backends.errors import NoUsableCommand

# --------------------------------------------------------------------------- text shapes


@pytest.mark.parametrize(
    ("answer", "command"),
    [
        ("ls -la", "ls -la"),
        ("$ ls -la", "ls -la"),
        ("  docker ps  \n", "docker ps"),
        ("`docker ps`", "docker ps"),
        ('{"command": "docker ps"}', "docker ps"),
        ('{"cmd": "df -h"}', "df -h"),
        ('{"command": "$ uname -a"}', "uname -a"),
        ('Here you go: {"command": "df -h"} -- hope that helps', "df -h"),
        ("```bash\ndocker ps\n```", "docker ps"),
        ("Sure! Here is the command:\n```sh\n$ docker ps\n```\nIt lists containers.", "docker ps"),
        ('```json\n{"command": "free -m"}\n```', "free -m"),
        ("Use `docker ps` to list the running containers.", "docker ps"),
        ("The command is: docker ps", "docker ps"),
        ("Here is the command:\ndocker ps", "docker ps"),
        ("<think>ps or docker ps? docker ps.</think>docker ps", "docker ps"),
        ("<think>\nlong reasoning\n</think>\n\n```bash\ndocker ps\n```", "docker ps"),
        ("find . -name '*.log' -mtime +7 \\\n  -delete", "find . -name '*.log' -mtime +7 -delete"),
        ("ps aux |\n  grep python", "ps aux | grep python"),
        ('{"name": "execute_shell", "arguments": {"command": "uptime"}}', "uptime"),
        ('{"name": "run_shell", "parameters": {"cmd": "uptime"}}', "uptime"),
        ('echo "a: b"', 'echo "a: b"'),
        # Shell words that are also English must still read as commands.
        ('for f in *.txt; do echo "$f"; done', 'for f in *.txt; do echo "$f"; done'),
        ("if [ -f x ]; then cat x; fi", "if [ -f x ]; then cat x; fi"),
        ("yes | head -3", "yes | head -3"),
        ("command -v git", "command -v git"),
        ("which python3", "which python3"),
        ("time make", "time make"),
    ],
)
def test_text_shapes_yield_the_command(answer: str, command: str) -> None:
    assert parse_text(answer) == command


def test_json_explanation_is_kept() -> None:
    parsed = parse_text_detailed('{"command": "ls", "explanation": "lists files"}')
    assert (parsed.command, parsed.explanation, parsed.source) == ("ls", "lists files", "json")


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "   \n\t",
        "<think>only thinking, then nothing</think>",
        "<think>cut off before the answer",
        "ls\npwd",
        "```\nls -la\npwd\n```",
        "```bash\nls\n```\nor\n```bash\nls -a\n```",
        '{"command": "ls"} or {"command": "ls -a"}',
        '{"command": ""}',
        '{"command": "cd /tmp\\nrm -rf build"}',
        "To list files: ls -la\nTo see hidden ones: ls -a",
        "I'm sorry, but I can't help with that.",
        "I cannot do that.",
        "Sorry, that would delete your system.",
        "As an AI, I won't run commands.",
        "Could you please clarify which directory you mean?",
        "Which container do you mean?",
        "Please specify the file name.",
        "I need more details about the target host.",
        "The answer depends on your distribution.",
        "not a command, sorry",
        "there is no such tool",
        '{"answer": 42}',
        "```bash\n```",
        '{"command": "rm -rf /tmp/x',
        '[{"name": "execute_shell", "arguments": {"command": "ls"',
    ],
)
def test_unusable_answers_raise(answer: str) -> None:
    with pytest.raises(NoUsableCommand):
        parse_text(answer)


def test_refusal_wins_over_an_inline_example() -> None:
    with pytest.raises(NoUsableCommand, match="declined"):
        parse_text("I can't run `rm -rf /` for you; it would destroy the system.")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_only_ever_raises_no_usable_command(text: str) -> None:
    try:
        command = parse_text(text)
    except NoUsableCommand:
        return
    assert isinstance(command, str) and command.strip() and "\n" not in command


@pytest.mark.parametrize(
    "answer", ["<your command here>", "```bash\n<your command here>\n```", "`ls <dir>`"]
)
def test_placeholders_in_free_text_are_unusable(answer: str) -> None:
    with pytest.raises(NoUsableCommand):
        parse_text(answer)
