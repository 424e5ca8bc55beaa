"""scripts/check_examples.py: topic commands run in the sandbox; the verdicts are written back."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import check_examples  # noqa: E402
from _examples import load_topics  # noqa: E402

needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap not installed")

TOPICS = [
    # runs, prints, and its alternative prints the same
    {"topic": "head-two", "category": "text", "command": "head -n 2 notes.txt",
     "alternatives": ["head -2 notes.txt"], "requests": ["first 2 lines of notes.txt"]},
    # changes the tree without printing
    {"topic": "mkdir-out", "category": "files", "command": "mkdir out", "requests": ["mkdir out"]},
    # grep finds nothing: exit 1
    {"topic": "grep-none", "category": "text", "command": "grep zebra notes.txt",
     "requests": ["find zebra in notes.txt"], "checked": True},
    # exits 0 but neither prints nor changes anything: execution cannot judge it
    {"topic": "touch-old", "category": "files", "command": "touch notes.txt",
     "requests": ["touch notes.txt"]},
    # an "alternative" that is not equivalent
    {"topic": "wc-lines", "category": "text", "command": "wc -l notes.txt",
     "alternatives": ["wc -l < notes.txt"], "requests": ["count lines in notes.txt"]},
    # needs its setup: a git repository made in the sandbox's copy
    {"topic": "git-short", "category": "vcs", "command": "git status --short",
     "requests": ["short git status"], "setup": "git init -q"},
    {"topic": "git-nosetup", "category": "vcs", "command": "git status --short",
     "requests": ["short git status"]},
    # runs, but prints something else each time: listed as unstable
    {"topic": "clock-ns", "category": "system", "command": "date +%s%N",
     "requests": ["nanoseconds since the epoch"]},
    # the safety validator blocks it: never run
    {"topic": "wipe", "category": "files", "command": "rm -rf /", "requests": ["wipe"]},
]  # fmt: skip


def write(path: Path, topics: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(t) + "\n" for t in topics))


@needs_bwrap
def test_checker_records_what_runs_in_the_sandbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "topics.jsonl"
    write(path, TOPICS)
    assert check_examples.main([str(path)]) == 0
    checked = {t.topic: t.checked for t in load_topics(path)}
    assert checked == {
        "head-two": True,
        "mkdir-out": True,
        "grep-none": False,
        "touch-old": False,
        "wc-lines": False,
        "git-short": True,
        "git-nosetup": False,
        "clock-ns": True,
        "wipe": False,
    }
    out = capsys.readouterr().out
    assert "exit 1" in out and "no output and no change" in out
    assert "alternative gives a different result: wc -l < notes.txt" in out
    assert "blocked by the safety validator" in out
    assert "UNSTABLE clock-ns" in out and "UNSTABLE head-two" not in out
    assert "9 topics, 9 requests; checked 9: 4 run in the sandbox" in out
    assert "1 of those that run give another result on a second run" in out
    # Everything else in the objects is kept as written.
    assert load_topics(path)[0].alternatives == ("head -2 notes.txt",)


@needs_bwrap
def test_dry_run_and_only_leave_other_topics_alone(tmp_path: Path) -> None:
    path = tmp_path / "topics.jsonl"
    write(path, TOPICS)
    before = path.read_text()
    assert check_examples.main([str(path), "--dry-run"]) == 0
    assert path.read_text() == before
    assert check_examples.main([str(path), "--only", "git-"]) == 0
    checked = {t.topic: t.checked for t in load_topics(path)}
    assert checked["git-short"] is True and checked["git-nosetup"] is False
    assert checked["grep-none"] is True  # not checked this time: left as it was
    assert checked["head-two"] is None


def test_a_malformed_file_is_a_clear_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "topics.jsonl"
    path.write_text('{"topic": "x", "command": "ls", "requests": ["ls"]}\n')
    assert check_examples.main([str(path)]) == 2
    assert "topics.jsonl:1: missing category" in capsys.readouterr().err
    assert check_examples.main([str(tmp_path / "absent.jsonl")]) == 2
