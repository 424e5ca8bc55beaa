"""The walk's shape: a frozen result the checks read, parts that each do one job and reach
one another only through WalkState, and no import cycle among the safety modules."""

from __future__ import annotations

import ast
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from safety.walk import Walker, walk
from safety.walk_state import WalkState

SAFETY = Path(__file__).resolve().parent.parent / "safety"


def test_the_walk_is_a_frozen_record_of_tuples() -> None:
    walked = walk(":(){ :|:& };:")
    assert isinstance(walked.invocations, tuple)
    assert isinstance(walked.functions, tuple)
    with pytest.raises(FrozenInstanceError):
        walked.truncated = True  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        walked.invocations[0].pipe = None  # type: ignore[misc]
    (bomb,) = walked.functions
    # Counted while its body was walked, though the record is frozen.
    assert (bomb.name, bomb.self_calls, bomb.self_piped, bomb.self_background) == (
        ":",
        2,
        True,
        True,
    )


def test_each_command_is_stamped_with_where_it_runs() -> None:
    walked = walk("cd /srv && sudo rm -rf data | tee log &")
    rm = next(inv for inv in walked.invocations if inv.name == "rm")
    assert rm.via == ("sudo",)
    assert rm.cwd == "/srv"
    assert rm.background
    tee = next(inv for inv in walked.invocations if inv.name == "tee")
    assert (tee.stage, tee.pipe_size, tee.stdin_kind) == (1, 2, "pipe")


def test_what_the_grammar_cannot_read_is_scanned_by_words() -> None:
    walked = walk("rm -rf / '")
    assert walked.parse_errors
    assert any(inv.name == "rm" for inv in walked.invocations)
    foreign = walk("rm -rf /tmp/x", words_only=True)
    assert [inv.name for inv in foreign.invocations].count("rm") == 2  # tree and word scan


def test_every_call_a_part_makes_is_defined_by_a_part() -> None:
    declared = [
        name
        for name, value in vars(WalkState).items()
        if callable(value) and getattr(value, "__code__", None) is not None
    ]
    undefined = [name for name in declared if getattr(Walker, name) is vars(WalkState)[name]]
    assert undefined == ["__init__", "result", "text_of", "span_of"]


def _module_imports(path: Path) -> set[str]:
    """safety modules `path` imports when it loads (not inside functions or TYPE_CHECKING)."""
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    found.add(sub if _path_of(sub) else node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, (ast.If, ast.Try, ast.ClassDef, ast.With)):
                visit(getattr(node, "body", []))
                visit(getattr(node, "orelse", []))

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return {name for name in found if name.split(".")[0] == "safety"}


def _path_of(module: str) -> Path | None:
    base = SAFETY.parent.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.exists():
            return path
    return None


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    done: set[str] = set()

    def cycle_from(name: str, trail: list[str]) -> list[str] | None:
        if name in trail:
            return [*trail[trail.index(name) :], name]
        if name in done or name not in graph:
            return None
        for other in sorted(graph[name]):
            found = cycle_from(other, [*trail, name])
            if found:
                return found
        done.add(name)
        return None

    return [c for name in sorted(graph) if (c := cycle_from(name, []))]


def test_no_import_cycle_among_safety_modules() -> None:
    graph: dict[str, set[str]] = {}
    for path in SAFETY.rglob("*.py"):
        parts = path.relative_to(SAFETY.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        graph[name] = _module_imports(path)
    assert "safety.facts" in graph["safety.walk_state"]
    assert _cycles(graph) == []


def test_the_cycle_check_sees_a_cycle_and_skips_type_checking(tmp_path: Path) -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}})[0] == ["a", "b", "c", "a"]
    assert _cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []
    module = tmp_path / "m.py"
    module.write_text("from safety.walk import walk\nif TYPE_CHECKING:\n    import safety.engine\n")
    assert _module_imports(module) == {"safety.walk"}
