"""The walk's shape: a frozen result the checks read, parts that each do one job and reach
one another only through WalkState, and no import cycle among the safety modules."""

from __future__ import annotations

import ast
from dataclasses import FrozenInstanceError, fields
from pathlib import Path

import pytest

from safety import assess
from safety.facts import Invocation, Redirect, Word
from safety.recording import stamped
from safety.walk import Walker, walk
from safety.walk_state import WalkState, top_ctx

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


def test_code_handed_on_runs_inside_the_wrappers_around_it() -> None:
    walked = walk("sudo sh -c 'rm -rf /srv/data'")
    rm = next(inv for inv in walked.invocations if inv.name == "rm")
    assert rm.via == ("sudo", "sh -c")
    # A rule that asks how a command was reached sees the whole way.
    listed = (
        "git ls-remote --heads origin | awk '{print \":\"$2}' | xargs sh -c 'git push o \"$@\"' _"
    )
    assert "git.push-listed" in {f.rule_id for f in assess(listed).findings}


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


def test_placing_a_command_keeps_every_field_it_was_built_with() -> None:
    # A non-default value for every field, so a field `stamped` forgets shows up here.
    built = Invocation(
        argv=[Word("rm", (0, 2))],
        span=(0, 2),
        redirects=[Redirect(">", None, Word("f", (3, 4)), (2, 4))],
        assigns=[("A", Word("1", (0, 1)))],
        pipe=7,
        stage=1,
        stdin_kind="pipe",
        stdin_text="x",
        stdin_download=True,
        stdin_decoded=True,
        stdin_secret=True,
        stdin_paths=["a"],
        pipe_size=2,
        via=("sudo",),
        background=True,
        in_infinite_loop=True,
        function="f",
        cwd="/srv",
        extra_args=True,
        selective=True,
    )
    assert all(getattr(built, f.name) != f.default for f in fields(Invocation) if f.init)
    ctx = top_ctx().but(via=("sh -c",), pipe=9, stage=0, pipe_size=3, function="g")
    ctx.cwd[0] = "/tmp"
    placed = stamped(built, ctx)
    place = {"via", "pipe", "stage", "pipe_size", "background", "in_infinite_loop"}
    place |= {"function", "cwd"}
    for f in fields(Invocation):
        if f.name not in place:
            assert getattr(placed, f.name) == getattr(built, f.name), f.name
    assert (placed.via, placed.pipe, placed.stage, placed.pipe_size) == (("sh -c", "sudo"), 9, 0, 3)
    assert (placed.background, placed.in_infinite_loop, placed.function, placed.cwd) == (
        False,
        False,
        "g",
        "/tmp",
    )


def test_a_context_copy_refuses_a_field_it_does_not_have() -> None:
    ctx = top_ctx()
    assert ctx.but(pipe=3).pipe == 3 and ctx.pipe is None
    with pytest.raises(TypeError):
        ctx.but(stdinkind="pipe")
