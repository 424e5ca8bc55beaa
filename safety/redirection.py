"""Pipes and redirections: how statements connect. Pipeline stages in order, each reading what
the one before printed; here-docs, here-strings and `< file` as a command's input; redirect
targets as words."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from safety.dataflow import piped, reads_secret_file
from safety.facts import Invocation, Redirect, Word
from safety.paths import is_secret
from safety.walk_state import Ctx, Flow, WalkState, fresh

if TYPE_CHECKING:
    from tree_sitter import Node

_BACKQUOTED = re.compile(r"(?<!\\)`((?:\\.|[^`\\]){1,4000})`", re.S)
STATEMENT_SKIP = frozenset({"comment", "heredoc_body", "heredoc_start", "heredoc_end"})


class Redirection(WalkState):
    """The pipes-and-redirections part of the walker."""

    def stages_of(self, node: Node, ctx: Ctx) -> list[tuple[Node, list[Redirect]]]:
        """Pipeline stages, flattened: tree-sitter nests `a | b 2>&1 | c` as a redirected
        pipeline inside a pipeline; the redirect belongs to the last inner stage."""
        out: list[tuple[Node, list[Redirect]]] = []
        for child in node.children:
            if not child.is_named or child.type in STATEMENT_SKIP:
                continue
            if child.type == "pipeline":
                out.extend(self.stages_of(child, ctx))
            elif child.type == "redirected_statement":
                body = child.child_by_field_name("body")
                heredoc = any(c.type == "heredoc_redirect" for c in child.children)
                if body is not None and body.type == "pipeline" and not heredoc:
                    inner = self.stages_of(body, ctx)
                    redirects = [
                        self.redirect(c, ctx)
                        for c in child.children
                        if c.type in ("file_redirect", "herestring_redirect")
                    ]
                    if inner:
                        last, extra = inner[-1]
                        inner[-1] = (last, extra + redirects)
                    out.extend(inner)
                else:
                    out.append((child, []))
            else:
                out.append((child, []))
        return out

    def walk_pipeline(
        self, stages: list[tuple[Node, list[Redirect]]], ctx: Ctx, first_stdin: Flow | None = None
    ) -> Flow:
        """Walk the stages in order, each reading what the one before printed."""
        self.pipes += 1
        pid = self.pipes
        flow = first_stdin
        kind = "heredoc" if first_stdin is not None else None
        acc = Flow()
        for i, (stage, redirects) in enumerate(stages):
            sub = ctx.but(pipe=pid, stage=i, pipe_size=len(stages), stdin=flow, stdin_kind=kind)
            out = self.walk_body(stage, sub, redirects) if redirects else self.walk(stage, sub)
            acc = piped(acc, out)
            flow = acc
            kind = "pipe"
        return acc

    def walk_redirected(self, node: Node, ctx: Ctx) -> Flow:
        """A statement with redirects: here-docs feed it (or the pipeline they start)."""
        body = node.child_by_field_name("body")
        redirects: list[Redirect] = []
        heredoc_text: str | None = None
        continuation: list[Node] = []
        after: list[Node] = []
        for child in node.children:
            if child.type == "heredoc_redirect":
                redirect, text, cont, rest = self.heredoc(child, ctx)
                redirects.append(redirect)
                heredoc_text = text
                continuation.extend(cont)
                after.extend(rest)
            elif child.type in ("file_redirect", "herestring_redirect"):
                redirects.append(self.redirect(child, ctx))
        stdin = Flow(text=heredoc_text) if heredoc_text is not None else None
        if continuation and body is not None:
            # `cat <<EOF | sh`: the here-doc feeds the first stage of a pipeline.
            self.pipes += 1
            pid = self.pipes
            stages = [st for node_ in continuation for st in self.stages_of(node_, ctx)]
            size = len(stages) + 1
            first = ctx.but(pipe=pid, stage=0, pipe_size=size, stdin=stdin, stdin_kind="heredoc")
            acc = self.walk_body(body, first, redirects)
            for i, (stage, extra) in enumerate(stages, start=1):
                sub = ctx.but(pipe=pid, stage=i, pipe_size=size, stdin=acc, stdin_kind="pipe")
                out = self.walk_body(stage, sub, extra) if extra else self.walk(stage, sub)
                acc = piped(acc, out)
            flow = acc
        elif body is not None and body.type == "pipeline" and stdin is None:
            stages = self.stages_of(body, ctx)
            if stages:
                last, extra = stages[-1]
                stages[-1] = (last, extra + redirects)
            flow = self.walk_pipeline(stages, ctx)
        elif body is not None:
            sub = ctx
            if stdin is not None:
                sub = ctx.but(stdin=stdin, stdin_kind="heredoc")
            flow = self.walk_body(body, sub, redirects)
        else:
            self.add(Invocation(argv=[], span=self.span_of(node, ctx), redirects=redirects), ctx)
            flow = reads_secret_file(redirects)
        for stmt in after:
            self.walk(stmt, fresh(ctx))
        return flow

    def walk_body(self, body: Node, ctx: Ctx, redirects: list[Redirect]) -> Flow:
        """Walk `body` with `redirects` applied to what they belong to."""
        if body.type == "command":
            return self.walk_command(body, ctx, redirects)
        if body.type == "list" and body.named_child_count >= 2:
            # The grammar hangs `a && b > f` on the list; in bash the redirect is b's alone.
            *first, last = [c for c in body.named_children if c.type != "comment"]
            for stmt in first:
                self.walk(stmt, ctx)
            return self.walk_body(last, ctx, redirects)
        # Redirects around a compound statement apply to everything inside; keep them on a
        # command-less record so write and device rules still see them.
        self.add(Invocation(argv=[], span=self.span_of(body, ctx), redirects=redirects), ctx)
        for r in redirects:
            if r.op == "<" and r.target is not None and r.fd in (None, "0"):
                # `while read l; do ...; done < file`: the loop reads the file.
                ctx = ctx.but(stdin=Flow(secret=is_secret(r.target.text)), stdin_kind="file")
        return self.walk(body, ctx)

    def heredoc(self, node: Node, ctx: Ctx) -> tuple[Redirect, str, list[Node], list[Node]]:
        """A here-doc's redirect and text, the pipe stages it feeds and the statements after it."""
        text = ""
        cont: list[Node] = []
        rest: list[Node] = []
        start = next((c for c in node.children if c.type == "heredoc_start"), None)
        quoted = start is not None and any(q in self.text_of(start, ctx) for q in "'\"\\")
        for child in node.children:
            if child.type == "heredoc_body":
                text = self.text_of(child, ctx)
                if not quoted:
                    # `$(...)` and backquotes in the body run as the here-doc is read (the
                    # grammar parses the first kind only).
                    self.walk_substitutions(child, ctx)
                    span = self.span_of(child, ctx)
                    for m in _BACKQUOTED.finditer(text):
                        self.nested(m.group(1), Word(m.group(1), span), ctx, "here-doc")
            elif child.is_named and child.type not in (
                "heredoc_start",
                "heredoc_end",
                "heredoc_content",
            ):
                first = child.children[0] if child.child_count else None
                if child.type == "pipeline" and first is not None and first.type in ("|", "|&"):
                    cont.append(child)
                elif child.type in ("file_redirect", "herestring_redirect"):
                    continue
                else:
                    rest.append(child)
        span = self.span_of(node, ctx)
        return Redirect("<<", None, None, span), text, cont, rest

    def redirect(self, node: Node, ctx: Ctx) -> Redirect:
        """One redirect node; its target is evaluated like any word."""
        span = self.span_of(node, ctx)
        fd = None
        op = ""
        target: Word | None = None
        for child in node.children:
            if child.type == "file_descriptor":
                fd = self.text_of(child, ctx)
            elif not child.is_named:
                op += child.type
            elif target is None:
                val = self.evaluate(child, ctx)
                target = Word(
                    val.text, self.span_of(child, ctx), val.subst, val.download, val.secret
                )
        if node.type == "herestring_redirect":
            op = "<<<"
        if node.type == "file_redirect" and re.search(r"(?<!\\)\n", self.text_of(node, ctx)):
            # The grammar lets a redirect target sit on the next line; bash does not.
            self.parse_errors.append(span)
        return Redirect(op or ">", fd, target, span)
