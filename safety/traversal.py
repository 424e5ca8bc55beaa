"""Traversal: source text to syntax trees (or, where the grammar cannot read it, to words),
and every statement in them in order: lists, compound statements, functions, loops,
declarations and simple commands."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from safety import grammar
from safety.dataflow import reads_secret_file, redirected_stdin
from safety.expand import scanned_values
from safety.facts import (
    DYN,
    DYN_SET,
    SECRET_VAR,
    UNKNOWN_VAR,
    FunctionDef,
    Invocation,
    Redirect,
    Word,
)
from safety.keywords import blank_prefix_keywords
from safety.lexer import scan
from safety.redirection import STATEMENT_SKIP
from safety.source import Mapper, split_chunks
from safety.walk_state import DEFAULT_ENV, Ctx, Flow, WalkState, fresh

if TYPE_CHECKING:
    from tree_sitter import Node
from safety.wrappers import leading_assignments

MAX_DEPTH = 12  # nested sh -c / eval / substitution levels we follow
MAX_LOOP_VALUES = 6
LONG_SCAN_LIMIT = 4_000_000  # characters of such lines the word scan reads, sh -c included

# Word nodes that can stand outside a command (inside [[ ]], case, arithmetic).
_BARE_WORDS = frozenset(
    {"word", "string", "raw_string", "concatenation", "simple_expansion", "expansion",
     "number", "ansi_c_string"}
)  # fmt: skip


def first_error(node: Node) -> Node:
    """The first ERROR or missing node under `node` (for a useful span)."""
    while True:
        if node.type == "ERROR" or node.is_missing:
            return node
        nxt = next((c for c in node.children if c.has_error), None)
        if nxt is None:
            return node
        node = nxt


class Traversal(WalkState):
    """The traversal part of the walker."""

    def walk_source(self, text: str, mapper: Mapper, parent: Ctx, via: str | None = None) -> Flow:
        """Parse `text` as shell code and walk it; spans map through `mapper`."""
        if parent.depth > MAX_DEPTH:
            self.too_deep.append(mapper.span(0, len(text.encode("utf-8", "surrogatepass"))))
            return Flow()
        env = dict(DEFAULT_ENV)
        env.update(parent.env)
        ctx = Ctx(
            mapper=mapper,
            src=b"",
            depth=parent.depth + 1,
            via=parent.via + ((via,) if via else ()),
            env=env,
            cwd=[parent.cwd[0]],
            function=parent.function,
            background=parent.background,
            infinite=parent.infinite,
        )
        flow = Flow()
        for offset, chunk, too_long in split_chunks(text):
            if self.truncated:
                break
            sub_mapper = mapper.shift(offset, chunk)
            if too_long:
                self.long_lines.append(sub_mapper.chars(0, len(chunk)))
                budget = LONG_SCAN_LIMIT - self.long_scanned
                self.long_scanned += len(chunk)
                if len(chunk) > budget:
                    self.truncated = True  # what lies past the budget is judged by nothing
                self.scan_words(chunk, sub_mapper, ctx, max(budget, 0))
                continue
            src = chunk.encode("utf-8", "surrogatepass")
            if time.perf_counter() > self.deadline:
                # Grammar time is spent (pathological input): the word scan judges the rest.
                self.parse_errors.append(sub_mapper.span(0, len(src)))
                break
            src, tree = blank_prefix_keywords(src, grammar.parse)
            if tree is None:
                self.grammar_missing = True
                self.parse_errors.append(sub_mapper.span(0, len(src)))
                continue
            root = tree.root_node
            if root.has_error:
                bad = first_error(root)
                self.parse_errors.append(sub_mapper.span(bad.start_byte, bad.end_byte))
            flow = self.walk_block(root, ctx.but(mapper=sub_mapper, src=src))
        return flow

    def scan_words(self, text: str, mapper: Mapper, ctx: Ctx, limit: int) -> None:
        """Judge `text` by its words (the forgiving lexer), for what the grammar cannot read."""
        top = 0
        for segment in scan(text, limit):
            words = [
                Word(value, mapper.chars(*word.span))
                for word in segment.words
                for value in scanned_values(word.text)
            ]
            assigns, words = leading_assignments(words)
            redirects = [
                Redirect(
                    r.op,
                    r.fd,
                    Word(r.target.text, mapper.chars(*r.target.span)) if r.target else None,
                    mapper.chars(*r.span),
                )
                for r in segment.redirects
            ]
            inv = Invocation(
                argv=words,
                span=mapper.chars(*segment.span),
                redirects=redirects,
                assigns=assigns,
                stdin_kind="pipe" if segment.stage > 0 else None,
            )
            sub = ctx
            if segment.pipe is not None:
                top = max(top, segment.pipe)
                sub = ctx.but(pipe=self.scan_pipes + segment.pipe, stage=segment.stage, pipe_size=2)
            self.add(inv, sub)
            if self.truncated:
                break
        self.scan_pipes += top + 1

    def walk_block(self, node: Node, ctx: Ctx) -> Flow:
        """Walk the statements among `node`'s children in order; returns the last one's flow."""
        flow = Flow()
        children = node.children
        for i, child in enumerate(children):
            if not child.is_named or child.type in STATEMENT_SKIP:
                continue
            if self.truncated:
                break
            nxt = children[i + 1] if i + 1 < len(children) else None
            sub = ctx
            if nxt is not None and not nxt.is_named and nxt.type == "&":
                sub = ctx.but(background=True)
            flow = self.walk(child, sub)
        return flow

    def walk(self, node: Node, ctx: Ctx) -> Flow:
        """Walk one statement; returns what it prints."""
        step = _STATEMENTS.get(node.type)
        if step is None:
            return self.walk_block(node, ctx)
        return step(self, node, ctx)

    def walk_list(self, node: Node, ctx: Ctx) -> Flow:
        for child in node.children:
            if child.is_named and child.type not in STATEMENT_SKIP:
                self.walk(child, ctx)
        return Flow()

    def walk_assignments(self, node: Node, ctx: Ctx) -> Flow:
        assigns = self.assignments(node, ctx)
        self.add(Invocation(argv=[], span=self.span_of(node, ctx), assigns=assigns), ctx)
        return Flow()

    def walk_unset(self, node: Node, ctx: Ctx) -> Flow:
        words = [Word(self.text_of(c, ctx), self.span_of(c, ctx)) for c in node.children]
        for w in words[1:]:
            ctx.env.pop(w.text, None)
        self.add(Invocation(argv=words, span=self.span_of(node, ctx)), ctx)
        return Flow()

    def walk_bare_redirect(self, node: Node, ctx: Ctx) -> Flow:
        """A bare redirect as a statement: `$(< file)` prints the file, `$(> f)` empties it."""
        r = self.redirect(node, ctx)
        self.add(Invocation(argv=[], span=self.span_of(node, ctx), redirects=[r]), ctx)
        return reads_secret_file([r])

    def walk_error(self, node: Node, ctx: Ctx) -> Flow:
        self.parse_errors.append(self.span_of(node, ctx))
        return self.walk_block(node, ctx)

    def walk_bare_word(self, node: Node, ctx: Ctx) -> Flow:
        """A bare word outside a command (inside [[ ]], case, arithmetic): evaluate it so
        substitutions within are still walked."""
        self.evaluate(node, ctx)
        return Flow()

    def walk_function(self, node: Node, ctx: Ctx) -> Flow:
        name_node = node.child_by_field_name("name")
        name = self.text_of(name_node, ctx) if name_node is not None else ""
        span = self.span_of(node, ctx)
        self.functions.append(FunctionDef(name=name, span=span))
        body = node.child_by_field_name("body")
        if body is not None:
            # Open while its body is walked, so the recorder counts the calls of itself.
            self.functions_open.append(len(self.functions) - 1)
            try:
                self.walk(body, fresh(ctx).but(function=name))
            finally:
                self.functions_open.pop()
        # A record so rules can see the definition (e.g. a function named `rm`).
        self.add(
            Invocation(argv=[Word("function", span), Word(name, span)], span=span),
            fresh(ctx),
        )
        return Flow()

    def walk_declaration(self, node: Node, ctx: Ctx) -> Flow:
        assigns: list[tuple[str, Word]] = []
        words: list[Word] = []
        for child in node.children:
            if child.type == "variable_assignment":
                assigns.extend(self.assignments(child, ctx))
            elif not child.is_named:
                words.append(Word(child.type, self.span_of(child, ctx)))
            else:
                val = self.evaluate(child, ctx)
                words.append(Word(val.text, self.span_of(child, ctx)))
        self.add(Invocation(argv=words, span=self.span_of(node, ctx), assigns=assigns), ctx)
        return Flow()

    def walk_for(self, node: Node, ctx: Ctx) -> Flow:
        var_node = node.child_by_field_name("variable")
        var = self.text_of(var_node, ctx) if var_node is not None else ""
        values: list[str] = []
        dynamic = unknown = secret = False
        for child in node.children_by_field_name("value"):
            val = self.evaluate(child, ctx)
            secret = secret or val.secret
            unknown = unknown or val.unknown or (val.subst and val.text.strip() in (DYN, DYN_SET))
            parts = val.text.split() if val.split else [val.text]
            if val.split or any(ch in val.text for ch in (DYN, DYN_SET)):
                dynamic = dynamic or any(DYN in p or DYN_SET in p for p in parts)
            values.extend(parts)
        body = node.child_by_field_name("body")
        if body is None:
            return Flow()
        if values and not dynamic and len(values) <= MAX_LOOP_VALUES:
            for value in values:
                ctx.env[var] = value
                self.walk(body, ctx)
        else:
            ctx.env[var] = DYN_SET if values else DYN
            if unknown:
                ctx.env[UNKNOWN_VAR + var] = "1"  # `for f in $(cat list)`: whatever the file says
            if secret:
                ctx.env[SECRET_VAR + var] = "whole"  # each value is a piece of the credential
            self.walk(body, ctx)
        return Flow()

    def walk_loop(self, node: Node, ctx: Ctx) -> Flow:
        infinite = False
        if node.type == "c_style_for_statement":
            infinite = node.child_by_field_name("condition") is None
        else:
            cond = node.child_by_field_name("condition")
            text = self.text_of(cond, ctx).strip().rstrip(";").strip() if cond is not None else ""
            truthy = text in ("true", ":", "[ 1 ]", "((1))", "(( 1 ))", "[[ 1 ]]", "/bin/true")
            until = node.child_count > 0 and node.children[0].type == "until"
            infinite = text in ("false", "/bin/false") if until else truthy
        self.walk_block(node, ctx.but(infinite=ctx.infinite or infinite))
        return Flow()

    def walk_command(self, node: Node, ctx: Ctx, redirects: list[Redirect]) -> Flow:
        """A simple command: its words evaluated, its redirects applied, then recorded."""
        assigns: list[tuple[str, Word]] = []
        argv: list[Word] = []
        redirects = list(redirects)
        for child in node.children:
            kind = child.type
            if kind == "variable_assignment":
                assigns.extend(self.assignments(child, ctx))
            elif kind in ("file_redirect", "herestring_redirect"):
                redirects.append(self.redirect(child, ctx))
            elif kind == "command_name":
                inner = child.named_children[0] if child.named_child_count else child
                argv.extend(self.words(inner, ctx))
            elif child.is_named and kind not in ("comment",):
                argv.extend(self.words(child, ctx))
        stdin, stdin_kind = redirected_stdin(redirects, ctx.stdin, ctx.stdin_kind)
        inv = Invocation(
            argv=argv,
            span=self.span_of(node, ctx),
            redirects=redirects,
            assigns=assigns,
            stdin_kind=stdin_kind,
            stdin_text=stdin.text if stdin else None,
            stdin_download=bool(stdin and stdin.download),
            stdin_decoded=bool(stdin and stdin.decoded),
            stdin_secret=bool(stdin and stdin.secret),
            stdin_paths=stdin.paths if stdin else None,
        )
        return self.add(inv, ctx)


if TYPE_CHECKING:
    Step = Callable[[Traversal, Node, Ctx], Flow]

# How each kind of statement node is walked; any other kind is walked as a block.
_STATEMENTS: dict[str, Step] = {
    "command": lambda w, node, ctx: w.walk_command(node, ctx, []),
    "pipeline": lambda w, node, ctx: w.walk_pipeline(w.stages_of(node, ctx), ctx),
    "redirected_statement": lambda w, node, ctx: w.walk_redirected(node, ctx),
    "list": Traversal.walk_list,
    "function_definition": Traversal.walk_function,
    "variable_assignment": Traversal.walk_assignments,
    "variable_assignments": Traversal.walk_assignments,
    "declaration_command": Traversal.walk_declaration,
    "unset_command": Traversal.walk_unset,
    "for_statement": Traversal.walk_for,
    "while_statement": Traversal.walk_loop,
    "until_statement": Traversal.walk_loop,
    "c_style_for_statement": Traversal.walk_loop,
    "command_substitution": lambda w, node, ctx: w.walk_block(node, fresh(ctx)),
    "process_substitution": lambda w, node, ctx: w.walk_block(node, fresh(ctx)),
    "file_redirect": Traversal.walk_bare_redirect,
    "ERROR": Traversal.walk_error,
    **dict.fromkeys(_BARE_WORDS, Traversal.walk_bare_word),
}
