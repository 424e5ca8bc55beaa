"""The grammar guard: code points tree-sitter-bash mishandles never reach it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from safety import Risk, assess
from safety.grammar import _defuse

# Found by fuzzing: each of these crashed tree-sitter-bash 0.25.1 in a fresh process.
CRASHERS = ["-\U000a4027X\u00f7\u00f3{\U000e6112", "{\U000e0000", "{\U0010ffff"]


def test_risky_code_points_keep_their_byte_length() -> None:
    for text in [*CRASHERS, "\U00030000 \U000f0000 \ud800"]:
        raw = text.encode("utf-8", "surrogatepass")
        assert len(_defuse(raw)) == len(raw)
    plain = "ls é 中 😀 \U0002a6d6".encode()
    assert _defuse(plain) == plain  # planes 0-2 pass untouched


def test_parsing_the_known_crashers_does_not_kill_the_process() -> None:
    # In a child process: before the guard, this died with SIGSEGV.
    code = textwrap.dedent(
        """
        from safety import grammar
        for cp in range(0xE0000, 0xE1000):
            for template in ("{%s", "-%sX{", "$%s", "%s=1"):
                grammar.parse((template % chr(cp)).encode())
        for text in CRASHERS:
            grammar.parse(text.encode())
        print("survived")
        """
    ).replace("CRASHERS", repr(CRASHERS))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert "survived" in result.stdout


def test_danger_beside_a_risky_code_point_is_still_seen() -> None:
    result = assess("rm -rf / # \U000e0041")
    assert result.risk is Risk.CRITICAL
    start, end = result.findings[0].span
    assert "rm -rf / # \U000e0041"[start:end].strip() != ""


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("r\\\nm -rf /", 'r""m -rf /'),  # the shell runs `rm`
        ('echo "a\\\nb"', 'echo "a""b"'),  # in double quotes too
        ("ls \\\n  -l", "ls \\\n  -l"),  # between words: the grammar reads that already
        ("echo 'r\\\nm'", "echo 'r\\\nm'"),  # single quotes keep it
        ("# note\\\nrm", "# note\\\nrm"),  # no continuation in a comment
    ],
)
def test_backslash_newline_inside_a_word_joins_it_without_moving_offsets(
    text: str, joined: str
) -> None:
    from safety.source import join_continuations

    assert join_continuations(text) == joined
    assert len(joined) == len(text)


@pytest.mark.parametrize(
    "command", ["time { rm -rf /; }", "time -p (rm -rf /)", "coproc x { rm -rf /; }"]
)
def test_time_and_coproc_keywords_do_not_hide_the_command_and_spans_stay(command: str) -> None:
    result = assess(command)
    assert result.risk is Risk.CRITICAL
    start, end = result.findings[0].span
    assert command[start:end] == "/" and start > command.index("rm")
