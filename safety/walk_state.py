"""What the walk carries: the context a statement runs in, the value a word evaluates to, what
flows out of a command, and the walk-wide record the parts of the walker fill in.

The walker is assembled from one part per job (safety.walk): traversal, redirection, word
evaluation, recording and hand-off. `WalkState` holds what they share and names the calls they
make on one another, so no part imports another.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from safety.facts import DYN_SET, PATH_MARK, FunctionDef, Invocation, Redirect, Span, Walk, Word
from safety.source import Mapper

if TYPE_CHECKING:
    from tree_sitter import Node  # imported by the grammar on first use, not here

PARSE_BUDGET_S = 1.0  # grammar error recovery can be quadratic on garbage: cap its time


@dataclass
class Flow:
    """What a statement sends down a pipe, as far as we can tell."""

    text: str | None = None
    download: bool = False
    decoded: bool = False
    secret: bool = False
    paths: list[str] | None = None
    picked: bool = False  # the secret is one value picked out of a credential file
    unread: bool = False  # text read from a file or the network that no one here can see


@dataclass
class Val:
    """What one word node evaluates to."""

    text: str
    split: bool = False  # unquoted expansion: subject to word splitting
    subst: bool = False
    download: bool = False
    secret: bool = False
    picked: bool = False
    unknown: bool = False  # from input, a function or script argument: anything at all
    array: bool = False  # "${a[@]}": one word per element, quoted or not


@dataclass
class Ctx:
    """Where a statement stands: its source, nesting, variables, directory and pipe position."""

    mapper: Mapper
    src: bytes
    depth: int = 0
    via: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    cwd: list[str | None] = field(default_factory=lambda: [None])  # shared by a whole source
    function: str | None = None
    infinite: bool = False
    background: bool = False
    pipe: int | None = None
    stage: int = 0
    pipe_size: int = 1
    stdin: Flow | None = None
    stdin_kind: str | None = None

    def but(self, **changes: Any) -> Ctx:
        """This context with `changes`, like dataclasses.replace at a quarter of its cost: the
        walk copies a context for every source, pipe stage, substitution and function body."""
        if not changes.keys() <= _CTX_FIELDS:
            raise TypeError(f"Ctx has no field {sorted(changes.keys() - _CTX_FIELDS)}")
        new = object.__new__(Ctx)
        new.__dict__.update(self.__dict__, **changes)
        return new


_CTX_FIELDS = frozenset(f.name for f in fields(Ctx))


def top_ctx() -> Ctx:
    """The context outside any source: what a first walk or word scan starts from."""
    return Ctx(Mapper("", 0, None), b"")


def fresh(ctx: Ctx) -> Ctx:
    """`ctx` outside any pipe: for substitutions, function bodies and nested code."""
    return ctx.but(pipe=None, stage=0, pipe_size=1, stdin=None, stdin_kind=None)


# Parameters whose value is whatever the caller passes: never known here.
POSITIONAL = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "9", "@", "*"})

DEFAULT_ENV = {
    "HOME": "~",
    "PWD": ".",
    "IFS": " \t\n",
    "TMPDIR": "/tmp",
    "USER": DYN_SET,
    "PATH": PATH_MARK,
}


class WalkState:
    """The walk-wide record, and the calls the parts of the walker make on one another.

    Each call below is defined by one part (named beside it); the assembled walker has them all.
    """

    def __init__(self, command: str, original: str) -> None:
        self.command = command
        self.original = original
        self.deadline = time.perf_counter() + PARSE_BUDGET_S
        self.invocations: list[Invocation] = []
        self.functions: list[FunctionDef] = []
        self.parse_errors: list[Span] = []
        self.too_deep: list[Span] = []
        self.truncated = False
        self.grammar_missing = False
        self.long_lines: list[Span] = []  # lines too long to parse, judged by their words
        self.long_scanned = 0
        self.pipes = 0
        self.scan_pipes = 100_000  # pipeline ids for the word scan, apart from the grammar's
        self.functions_open: list[int] = []  # indexes of definitions being walked, innermost last

    def result(self) -> Walk:
        return Walk(
            command=self.command,
            original=self.original,
            invocations=tuple(self.invocations),
            functions=tuple(self.functions),
            parse_errors=tuple(self.parse_errors),
            long_lines=tuple(self.long_lines),
            too_deep=tuple(self.too_deep),
            truncated=self.truncated,
            grammar_missing=self.grammar_missing,
        )

    # ---- node text and place ------------------------------------------------------------

    def text_of(self, node: Node, ctx: Ctx) -> str:
        return ctx.src[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def span_of(self, node: Node, ctx: Ctx) -> Span:
        return ctx.mapper.span(node.start_byte, node.end_byte)

    # ---- traversal (safety.traversal) ---------------------------------------------------

    def walk_source(self, text: str, mapper: Mapper, parent: Ctx, via: str | None = None) -> Flow:
        raise NotImplementedError

    def scan_words(self, text: str, mapper: Mapper, ctx: Ctx, limit: int) -> None:
        raise NotImplementedError

    def walk_block(self, node: Node, ctx: Ctx) -> Flow:
        raise NotImplementedError

    def walk(self, node: Node, ctx: Ctx) -> Flow:
        raise NotImplementedError

    def walk_command(self, node: Node, ctx: Ctx, redirects: list[Redirect]) -> Flow:
        raise NotImplementedError

    # ---- pipes and redirections (safety.redirection) ------------------------------------

    def stages_of(self, node: Node, ctx: Ctx) -> list[tuple[Node, list[Redirect]]]:
        raise NotImplementedError

    def walk_pipeline(
        self, stages: list[tuple[Node, list[Redirect]]], ctx: Ctx, first_stdin: Flow | None = None
    ) -> Flow:
        raise NotImplementedError

    def walk_redirected(self, node: Node, ctx: Ctx) -> Flow:
        raise NotImplementedError

    def redirect(self, node: Node, ctx: Ctx) -> Redirect:
        raise NotImplementedError

    # ---- word evaluation (safety.evaluation) --------------------------------------------

    def words(self, node: Node, ctx: Ctx) -> list[Word]:
        raise NotImplementedError

    def evaluate(self, node: Node, ctx: Ctx, quoted: bool = False) -> Val:
        raise NotImplementedError

    def walk_substitutions(self, node: Node, ctx: Ctx) -> None:
        raise NotImplementedError

    def assignments(self, node: Node, ctx: Ctx) -> list[tuple[str, Word]]:
        raise NotImplementedError

    # ---- recording (safety.recording) and hand-off (safety.handoff) ---------------------

    def add(self, inv: Invocation, ctx: Ctx) -> Flow:
        raise NotImplementedError

    def nested(self, text: str, word: Word, ctx: Ctx, via: str) -> None:
        raise NotImplementedError

    def follow_installed(self, inv: Invocation, ctx: Ctx) -> None:
        raise NotImplementedError

    def follow_code(self, inv: Invocation, ctx: Ctx) -> None:
        raise NotImplementedError
