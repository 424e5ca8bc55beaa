"""Walk a bash syntax tree and list every simple command as it would run.

Every command is found wherever it stands (lists, pipelines, subshells, substitutions,
functions, loops, here-docs), wrappers are unwrapped (sudo, env, xargs, find -exec), and
code handed to another shell (sh -c, eval, ssh, a pipe into bash) is parsed again.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from functools import cache
from typing import Any

from safety import code as code_reader
from safety import grammar, interp, persist
from safety.checks.startup import appended_text
from safety.commands import (
    OTHER_INTERPRETERS,
    SHELLS,
    interpreter_code,
    is_downloader,
    is_interpreter,
    is_shell,
    reads_code_from_stdin,
    write_targets,
)
from safety.exfil import secret_content
from safety.expand import brace_expand, scanned_values, unescape_word
from safety.facts import (
    DYN,
    DYN_SET,
    PATH_MARK,
    SECRET_VAR,
    UNKNOWN_VAR,
    FunctionDef,
    Invocation,
    Redirect,
    Span,
    Word,
)
from safety.keywords import blank_prefix_keywords
from safety.lexer import scan
from safety.paths import is_secret, normalise
from safety.source import Mapper, join_continuations, split_chunks
from safety.textops import MAX_TEXT, decode_escapes, emulate
from safety.wrappers import (
    CHAIN_WORDS,
    SIMPLE_WRAPPERS,
    find_is_selective,
    find_start_paths,
    leading_assignments,
    unwrap,
)

# Filters that pick one value out of what they read (`grep KEY .env | cut -d= -f2`).
PICKERS = frozenset({"grep", "egrep", "fgrep", "rg", "cut", "awk", "gawk", "sed", "jq", "yq"})

MAX_DEPTH = 12  # nested sh -c / eval / substitution levels we follow
MAX_INVOCATIONS = 20_000
MAX_WRAPPERS = 16  # sudo/env/nice... around one command; more are judged as too deep
MAX_CHAIN_WORDS = 400_000  # words one wrapper chain may copy before it is followed no further
WRAPPER_NAMES = CHAIN_WORDS | SIMPLE_WRAPPERS
MAX_LOOP_VALUES = 6
LONG_SCAN_LIMIT = 4_000_000  # characters of such lines the word scan reads, sh -c included
PARSE_BUDGET_S = 1.0  # grammar error recovery can be quadratic on garbage: cap its time

_MARKERS = frozenset((DYN, DYN_SET, PATH_MARK))
_BACKQUOTED = re.compile(r"(?<!\\)`((?:\\.|[^`\\]){1,4000})`", re.S)
_SUBSTITUTIONS = ("command_substitution", "process_substitution")
# Commands whose output is (a filtered part of) a file's content.
_FILE_READERS = frozenset(
    {"cat", "head", "tail", "tac", "sort", "uniq", "cut", "awk", "gawk", "grep", "egrep",
     "sed", "jq", "yq", "tr", "paste", "column", "shuf", "readlink"}
)  # fmt: skip
_STATEMENT_SKIP = frozenset({"comment", "heredoc_body", "heredoc_start", "heredoc_end"})


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
class Ctx:
    mapper: Mapper
    src: bytes
    depth: int = 0
    via: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    cwd: list[str | None] = field(default_factory=lambda: [None])
    function: str | None = None
    infinite: bool = False
    background: bool = False
    pipe: int | None = None
    stage: int = 0
    pipe_size: int = 1
    stdin: Flow | None = None
    stdin_kind: str | None = None


@dataclass
class Val:
    text: str
    split: bool = False  # unquoted expansion: subject to word splitting
    subst: bool = False
    download: bool = False
    secret: bool = False
    picked: bool = False
    unknown: bool = False  # from input, a function or script argument: anything at all
    array: bool = False  # "${a[@]}": one word per element, quoted or not


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


def skip_wrapper_words(argv: list[Word]) -> list[Word]:
    """`argv` past its leading wrapper names, options, numbers and NAME=value words."""
    i = 0
    while i < len(argv) - 1:
        text = argv[i].text
        if (
            text in WRAPPER_NAMES
            or text.startswith("-")
            or text.replace(".", "").isdigit()
            or "=" in text
            and text.split("=", 1)[0].isidentifier()
        ):
            i += 1
            continue
        break
    return argv[i:]


MAX_GLOB_NAMES = 8  # known commands a glob in a command name is judged as
_GLOB_CHARS = re.compile(r"[*?\[]")


@cache
def known_command_names() -> tuple[str, ...]:
    """Every command name a rule, wrapper or code reader knows, for `/bin/r? -rf /`."""
    from safety.rules import COMMAND_RULES

    names = set(WRAPPER_NAMES) | SHELLS | OTHER_INTERPRETERS
    names |= {"python", "python3", "mkfs", "sudo", "doas", "su", "eval", "source", "."}
    for rule in COMMAND_RULES:
        names.update(getattr(rule.check, "commands", None) or ())
    return tuple(sorted(names))


def glob_command_names(name: str) -> list[str]:
    """The known commands a command name written as a glob could run (`r?`, `r[m]`)."""
    if not _GLOB_CHARS.search(name):
        return []
    return [n for n in known_command_names() if fnmatchcase(n, name)][:MAX_GLOB_NAMES]


def first_error(node: Any) -> Any:
    """The first ERROR or missing node under `node` (for a useful span)."""
    while True:
        if node.type == "ERROR" or node.is_missing:
            return node
        nxt = next((c for c in node.children if c.has_error), None)
        if nxt is None:
            return node
        node = nxt


def _fill(text: str, token: str, value: str, tail: str) -> str:
    """Put a listed value in place of xargs' -I token: whole where the token starts a word
    (`rm -rf {}`, `sh -c 'rm -rf {}'`), its last part after a prefix (`dir/{}`)."""
    if token not in text:
        return text
    out: list[str] = []
    for i, piece in enumerate(text.split(token)):
        if i:
            before = out[-1][-1:] if out and out[-1] else ""
            out.append(value if before in ("", " ", "\t", "'", '"', "=") else tail)
        out.append(piece)
    return "".join(out)


class Walker:
    def __init__(self, command: str, original: str | None = None) -> None:
        # Joined where a backslash-newline splits a word; same length, so spans stay put.
        self.command = join_continuations(command)
        self.original = command if original is None else original  # before sanitising
        self.deadline = time.perf_counter() + PARSE_BUDGET_S
        self.invocations: list[Invocation] = []
        self.functions: list[FunctionDef] = []
        self.parse_errors: list[Span] = []
        self.too_deep: list[Span] = []
        self.truncated = False
        self.grammar_missing = False
        self.long_lines: list[Span] = []  # lines too long to parse, judged by their words
        self._long_scanned = 0
        self._pipes = 0
        self._scan_pipes = 100_000  # pipeline ids for the word scan, apart from the grammar's
        self._functions_open: list[FunctionDef] = []  # definitions being walked, innermost last

    # ---- entry points -------------------------------------------------------------------

    def run(self) -> None:
        self.walk_source(self.command, Mapper(self.command, 0, None), Ctx(Mapper("", 0, None), b""))

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
                budget = LONG_SCAN_LIMIT - self._long_scanned
                self._long_scanned += len(chunk)
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
            flow = self.walk_block(root, replace(ctx, mapper=sub_mapper, src=src))
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
                argv=words, span=mapper.chars(*segment.span), redirects=redirects, assigns=assigns
            )
            sub = ctx
            if segment.pipe is not None:
                top = max(top, segment.pipe)
                sub = replace(
                    ctx, pipe=self._scan_pipes + segment.pipe, stage=segment.stage, pipe_size=2
                )
            if segment.stage > 0:
                inv.stdin_kind = "pipe"
            self.add(inv, sub)
            if self.truncated:
                break
        self._scan_pipes += top + 1

    # ---- statements ---------------------------------------------------------------------

    def text_of(self, node: Any, ctx: Ctx) -> str:
        return ctx.src[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def span_of(self, node: Any, ctx: Ctx) -> Span:
        return ctx.mapper.span(node.start_byte, node.end_byte)

    def walk_block(self, node: Any, ctx: Ctx) -> Flow:
        """Walk the statements among `node`'s children in order; returns the last one's flow."""
        flow = Flow()
        children = node.children
        for i, child in enumerate(children):
            if not child.is_named or child.type in _STATEMENT_SKIP:
                continue
            if self.truncated:
                break
            nxt = children[i + 1] if i + 1 < len(children) else None
            sub = ctx
            if nxt is not None and not nxt.is_named and nxt.type == "&":
                sub = replace(ctx, background=True)
            flow = self.walk(child, sub)
        return flow

    def walk(self, node: Any, ctx: Ctx) -> Flow:
        kind = node.type
        if kind == "command":
            return self.walk_command(node, ctx, [])
        if kind == "pipeline":
            return self.walk_pipeline(self.stages_of(node, ctx), ctx)
        if kind == "redirected_statement":
            return self.walk_redirected(node, ctx)
        if kind == "list":
            for child in node.children:
                if child.is_named and child.type not in _STATEMENT_SKIP:
                    self.walk(child, ctx)
            return Flow()
        if kind == "function_definition":
            return self.walk_function(node, ctx)
        if kind in ("variable_assignment", "variable_assignments"):
            assigns = self.assignments(node, ctx)
            self.add(Invocation(argv=[], span=self.span_of(node, ctx), assigns=assigns), ctx)
            return Flow()
        if kind == "declaration_command":
            return self.walk_declaration(node, ctx)
        if kind == "unset_command":
            words = [Word(self.text_of(c, ctx), self.span_of(c, ctx)) for c in node.children]
            for w in words[1:]:
                ctx.env.pop(w.text, None)
            self.add(Invocation(argv=words, span=self.span_of(node, ctx)), ctx)
            return Flow()
        if kind == "for_statement":
            return self.walk_for(node, ctx)
        if kind in ("while_statement", "until_statement", "c_style_for_statement"):
            return self.walk_loop(node, ctx)
        if kind in ("command_substitution", "process_substitution"):
            return self.walk_block(node, self.fresh(ctx))
        if kind == "file_redirect":
            # A bare redirect as a statement: `$(< file)` prints the file, `$(> f)` empties it.
            r = self.redirect(node, ctx)
            self.add(Invocation(argv=[], span=self.span_of(node, ctx), redirects=[r]), ctx)
            return Flow(secret=r.op == "<" and r.target is not None and is_secret(r.target.text))
        if kind == "ERROR":
            self.parse_errors.append(self.span_of(node, ctx))
        if kind in (
            "word",
            "string",
            "raw_string",
            "concatenation",
            "simple_expansion",
            "expansion",
            "number",
            "ansi_c_string",
        ):
            # A bare word outside a command (inside [[ ]], case, arithmetic): evaluate it so
            # substitutions within are still walked.
            self.eval(node, ctx)
            return Flow()
        return self.walk_block(node, ctx)

    def fresh(self, ctx: Ctx) -> Ctx:
        return replace(ctx, pipe=None, stage=0, pipe_size=1, stdin=None, stdin_kind=None)

    def stages_of(self, node: Any, ctx: Ctx) -> list[tuple[Any, list[Redirect]]]:
        """Pipeline stages, flattened: tree-sitter nests `a | b 2>&1 | c` as a redirected
        pipeline inside a pipeline; the redirect belongs to the last inner stage."""
        out: list[tuple[Any, list[Redirect]]] = []
        for child in node.children:
            if not child.is_named or child.type in _STATEMENT_SKIP:
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

    def walk_pipeline(self, stages: list[Any], ctx: Ctx, first_stdin: Flow | None = None) -> Flow:
        self._pipes += 1
        pid = self._pipes
        flow = first_stdin
        kind = "heredoc" if first_stdin is not None else None
        acc = Flow()
        for i, (stage, redirects) in enumerate(stages):
            sub = replace(
                ctx, pipe=pid, stage=i, pipe_size=len(stages), stdin=flow, stdin_kind=kind
            )
            out = self.walk_body(stage, sub, redirects) if redirects else self.walk(stage, sub)
            # Network and secret taint flows down the whole pipe, whatever filters sit between.
            acc = Flow(
                text=out.text,
                download=acc.download or out.download,
                decoded=acc.decoded or out.decoded,
                secret=acc.secret or out.secret,
                paths=out.paths,
                picked=out.picked,
            )
            flow = acc
            kind = "pipe"
        return acc

    def walk_redirected(self, node: Any, ctx: Ctx) -> Flow:
        body = node.child_by_field_name("body")
        redirects: list[Redirect] = []
        heredoc_text: str | None = None
        continuation: list[Any] = []
        after: list[Any] = []
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
            self._pipes += 1
            pid = self._pipes
            stages = [st for node_ in continuation for st in self.stages_of(node_, ctx)]
            size = len(stages) + 1
            first = replace(
                ctx, pipe=pid, stage=0, pipe_size=size, stdin=stdin, stdin_kind="heredoc"
            )
            acc = self.walk_body(body, first, redirects)
            for i, (stage, extra) in enumerate(stages, start=1):
                sub = replace(ctx, pipe=pid, stage=i, pipe_size=size, stdin=acc, stdin_kind="pipe")
                out = self.walk_body(stage, sub, extra) if extra else self.walk(stage, sub)
                acc = Flow(
                    out.text,
                    acc.download or out.download,
                    acc.decoded or out.decoded,
                    acc.secret or out.secret,
                    out.paths,
                    out.picked,
                )
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
                sub = replace(ctx, stdin=stdin, stdin_kind="heredoc")
            flow = self.walk_body(body, sub, redirects)
        else:
            self.add(Invocation(argv=[], span=self.span_of(node, ctx), redirects=redirects), ctx)
            # `$(< file)` prints the file, like cat.
            flow = Flow(
                secret=any(
                    r.op == "<" and r.target is not None and is_secret(r.target.text)
                    for r in redirects
                )
            )
        for stmt in after:
            self.walk(stmt, self.fresh(ctx))
        return flow

    def walk_body(self, body: Any, ctx: Ctx, redirects: list[Redirect]) -> Flow:
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
                ctx = replace(ctx, stdin=Flow(secret=is_secret(r.target.text)), stdin_kind="file")
        return self.walk(body, ctx)

    def heredoc(self, node: Any, ctx: Ctx) -> tuple[Redirect, str, list[Any], list[Any]]:
        text = ""
        cont: list[Any] = []
        rest: list[Any] = []
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

    def redirect(self, node: Any, ctx: Ctx) -> Redirect:
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
                val = self.eval(child, ctx)
                target = Word(
                    val.text, self.span_of(child, ctx), val.subst, val.download, val.secret
                )
        if node.type == "herestring_redirect":
            op = "<<<"
        if node.type == "file_redirect" and re.search(r"(?<!\\)\n", self.text_of(node, ctx)):
            # The grammar lets a redirect target sit on the next line; bash does not.
            self.parse_errors.append(span)
        return Redirect(op or ">", fd, target, span)

    def walk_function(self, node: Any, ctx: Ctx) -> Flow:
        name_node = node.child_by_field_name("name")
        name = self.text_of(name_node, ctx) if name_node is not None else ""
        fd = FunctionDef(name=name, span=self.span_of(node, ctx))
        self.functions.append(fd)
        body = node.child_by_field_name("body")
        if body is not None:
            self._functions_open.append(fd)
            try:
                self.walk(body, replace(self.fresh(ctx), function=name))
            finally:
                self._functions_open.pop()
        # A record so rules can see the definition (e.g. a function named `rm`).
        self.add(
            Invocation(argv=[Word("function", fd.span), Word(name, fd.span)], span=fd.span),
            self.fresh(ctx),
        )
        return Flow()

    def walk_declaration(self, node: Any, ctx: Ctx) -> Flow:
        assigns: list[tuple[str, Word]] = []
        words: list[Word] = []
        for child in node.children:
            if child.type == "variable_assignment":
                assigns.extend(self.assignments(child, ctx))
            elif not child.is_named:
                words.append(Word(child.type, self.span_of(child, ctx)))
            else:
                val = self.eval(child, ctx)
                words.append(Word(val.text, self.span_of(child, ctx)))
        self.add(Invocation(argv=words, span=self.span_of(node, ctx), assigns=assigns), ctx)
        return Flow()

    def assignments(self, node: Any, ctx: Ctx) -> list[tuple[str, Word]]:
        nodes = [node] if node.type == "variable_assignment" else list(node.named_children)
        out: list[tuple[str, Word]] = []
        for item in nodes:
            if item.type != "variable_assignment":
                continue
            name_node = item.child_by_field_name("name")
            value_node = item.child_by_field_name("value")
            name = self.text_of(name_node, ctx) if name_node is not None else ""
            if name_node is not None and name_node.type == "subscript":
                self.walk_substitutions(name_node, ctx)  # a[$(cmd)]=1 runs cmd
            if value_node is None:
                val = Val("")
                span = self.span_of(item, ctx)
            elif value_node.type == "array":
                # a=(~ /etc): keep the elements, so "${a[@]}" gives them back one by one.
                elements = [self.eval(c, ctx) for c in value_node.named_children]
                val = Val(
                    " ".join(e.text for e in elements),
                    subst=any(e.subst for e in elements),
                    download=any(e.download for e in elements),
                    secret=any(e.secret for e in elements),
                    unknown=any(e.unknown for e in elements),
                )
                span = self.span_of(value_node, ctx)
            else:
                val = self.eval(value_node, ctx)
                span = self.span_of(value_node, ctx)
            word = Word(val.text, span, val.subst, val.download, val.secret, val.picked)
            base = name.split("[", 1)[0]
            ctx.env[base] = val.text
            if val.unknown:
                ctx.env[UNKNOWN_VAR + base] = "1"
            else:
                ctx.env.pop(UNKNOWN_VAR + base, None)
            if val.secret:
                ctx.env[SECRET_VAR + base] = "picked" if val.picked else "whole"
            else:
                ctx.env.pop(SECRET_VAR + base, None)
            out.append((name, word))
        return out

    def walk_for(self, node: Any, ctx: Ctx) -> Flow:
        var_node = node.child_by_field_name("variable")
        var = self.text_of(var_node, ctx) if var_node is not None else ""
        values: list[str] = []
        dynamic = unknown = secret = False
        for child in node.children_by_field_name("value"):
            val = self.eval(child, ctx)
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

    def walk_loop(self, node: Any, ctx: Ctx) -> Flow:
        infinite = False
        if node.type == "c_style_for_statement":
            infinite = node.child_by_field_name("condition") is None
        else:
            cond = node.child_by_field_name("condition")
            text = self.text_of(cond, ctx).strip().rstrip(";").strip() if cond is not None else ""
            truthy = text in ("true", ":", "[ 1 ]", "((1))", "(( 1 ))", "[[ 1 ]]", "/bin/true")
            until = node.child_count > 0 and node.children[0].type == "until"
            infinite = text in ("false", "/bin/false") if until else truthy
        self.walk_block(node, replace(ctx, infinite=ctx.infinite or infinite))
        return Flow()

    # ---- commands -----------------------------------------------------------------------

    def walk_command(self, node: Any, ctx: Ctx, redirects: list[Redirect]) -> Flow:
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
        stdin = ctx.stdin
        kind = ctx.stdin_kind
        for r in redirects:
            if r.op == "<<<" and r.target is not None:
                secret = r.target.subst_secret
                stdin, kind = Flow(text=r.target.text + "\n", secret=secret), "herestring"
            elif r.op == "<" and r.target is not None and r.fd in (None, "0"):
                stdin = Flow(secret=is_secret(r.target.text), download=r.target.subst_download)
                kind = "file"
        inv = Invocation(
            argv=argv,
            span=self.span_of(node, ctx),
            redirects=redirects,
            assigns=assigns,
            stdin_kind=kind,
            stdin_text=stdin.text if stdin else None,
            stdin_download=bool(stdin and stdin.download),
            stdin_decoded=bool(stdin and stdin.decoded),
            stdin_secret=bool(stdin and stdin.secret),
            stdin_paths=stdin.paths if stdin else None,
        )
        return self.add(inv, ctx)

    def add(self, inv: Invocation, ctx: Ctx) -> Flow:
        """Record one invocation, follow what it runs, and return what it prints."""
        step = self._add_one(inv, ctx)
        hops = 0
        work = 0
        skipped = False
        # A loop, not recursion, through wrappers: `sudo sudo ... rm` thousands deep.
        while isinstance(step, Invocation):
            hops += 1
            work += len(step.argv)
            if not skipped and (hops > MAX_WRAPPERS or work > MAX_CHAIN_WORDS):
                # Unwrapping thousands of levels one by one takes quadratic time: skip the
                # rest of the chain's wrapper words, options and assignments, judge what
                # follows, and say the nesting was too deep to check fully.
                skipped = True
                self.invocations.pop()
                self.too_deep.append(step.span)
                step = replace(step, argv=skip_wrapper_words(step.argv))
                work = len(step.argv)
            # Past a second budget the chain is followed no further (too deep, said above).
            step = self._add_one(step, ctx, follow=work < MAX_CHAIN_WORDS)
        return step

    def _add_one(self, inv: Invocation, ctx: Ctx, follow: bool = True) -> Flow | Invocation:
        """Record `inv`; the command it wraps when there is one (and `follow`), else what it
        prints."""
        if len(self.invocations) >= MAX_INVOCATIONS:
            self.truncated = True
            return Flow()
        inv.via = ctx.via + inv.via
        inv.pipe = ctx.pipe
        inv.stage = ctx.stage
        inv.pipe_size = ctx.pipe_size
        inv.background = ctx.background
        inv.in_infinite_loop = ctx.infinite
        inv.function = ctx.function
        inv.cwd = ctx.cwd[0]
        self.invocations.append(inv)
        if not inv.argv:
            return Flow()
        name = inv.name
        for match in glob_command_names(name):
            # The shell expands `/bin/r?` to whatever it matches; judge each command it could be.
            first = inv.argv[0]
            self.add(replace(inv, argv=[replace(first, text=match), *inv.args], via=()), ctx)
        if ctx.function and name == ctx.function and self._functions_open:
            fd = self._functions_open[-1]
            if fd.name == name:
                fd.self_calls += 1
                fd.self_piped = fd.self_piped or inv.pipe_size > 1
                fd.self_background = fd.self_background or inv.background or ctx.infinite
        if name == "cd":
            self.track_cd(inv, ctx)
        if name in ("read", "mapfile", "readarray"):
            for word in inv.args:
                if not word.text.startswith("-") and word.text.isidentifier():
                    ctx.env[word.text] = DYN_SET
                    ctx.env[UNKNOWN_VAR + word.text] = "1"  # a line of input: anything
        if name == "read" and inv.stdin_secret:
            for word in inv.args:
                if not word.text.startswith("-") and word.text.isidentifier():
                    ctx.env[SECRET_VAR + word.text] = "whole"  # the line read is the credential
        elif name == "alias":
            for word in inv.args:
                alias, eq, value = word.text.partition("=")
                if eq and value:
                    self.nested(value, word, ctx, "alias")
        self.follow_installed(inv, ctx)
        inner = unwrap(inv) if follow else None
        if inner is not None:
            if inner.argv is not None and inner.placeholder is not None:
                token = inner.placeholder
                if inv.stdin_text is not None:
                    values = [v for v in inv.stdin_text.splitlines() if v.strip()][:8]
                else:
                    values = list(inv.stdin_paths or [])[:8]
                flow = Flow()
                for value in values or [DYN_SET]:
                    # Arguments built from a credential on stdin carry it onward.
                    # After a prefix (`dir/{}`) a listed path stands for its last part: what
                    # `ls dir` prints is names, not paths.
                    tail = value.rstrip("/").rsplit("/", 1)[-1] or value
                    argv = [
                        Word(
                            _fill(w.text, token, value, tail),
                            w.span,
                            subst_secret=w.subst_secret or inv.stdin_secret and token in w.text,
                        )
                        for w in inner.argv
                    ]
                    child = Invocation(argv=argv, span=inv.span, via=(inner.wrapper,))
                    flow = self.add(child, ctx)
                return flow
            if inner.argv is not None:
                argv = list(inner.argv)
                leak = inv.stdin_secret
                if inner.extra_args and inv.stdin_text is not None:
                    argv += [
                        Word(t, inv.span, subst_secret=leak)
                        for t in re.split(r"[\s\x00]+", inv.stdin_text)[:64]
                        if t
                    ]
                elif inner.extra_args and inv.stdin_paths:
                    argv += [Word(p, inv.span, subst_secret=leak) for p in inv.stdin_paths[:16]]
                elif inner.extra_args:
                    # Arguments from a file or output we cannot see: they could be anything.
                    argv.append(Word(DYN_SET, inv.span, subst_secret=leak, unknown=True))
                if not argv:
                    return Flow()
                child = Invocation(
                    argv=argv,
                    span=inv.span,
                    redirects=inv.redirects,
                    assigns=inner.assigns,
                    stdin_kind=inv.stdin_kind,
                    stdin_text=inv.stdin_text,
                    stdin_download=inv.stdin_download,
                    stdin_decoded=inv.stdin_decoded,
                    stdin_secret=inv.stdin_secret,
                    stdin_paths=inv.stdin_paths,
                    via=(inner.wrapper,),
                    extra_args=inner.extra_args,
                    selective=inner.selective,
                )
                if inner.wrapper in ("xargs", "find -exec", "parallel"):
                    child.stdin_kind = child.stdin_text = None
                    child.stdin_download = child.stdin_decoded = child.stdin_secret = False
                return child
            if inner.source is not None:
                self.nested(inner.source.text, inner.source, ctx, inner.wrapper)
            elif inner.source_words:
                first, last = inner.source_words[0], inner.source_words[-1]
                joined = " ".join(w.text for w in inner.source_words)
                self.nested(joined, Word(joined, (first.span[0], last.span[1])), ctx, inner.wrapper)
            return Flow()
        code = interpreter_code(inv)
        if code is not None:
            for snippet in interp.shell_snippets(code.text):
                self.nested(snippet, code, ctx, name + " code")
            for kind, command in code_reader.effects(name, code.text):
                if kind == "shell":  # a command the code builds: 'rm -rf ' + home
                    self.nested(command, code, ctx, name + " code")
        if inv.stdin_text is not None and reads_code_from_stdin(inv):
            if is_shell(name):
                self.nested(inv.stdin_text, Word(inv.stdin_text, inv.span), ctx, name + " stdin")
            elif is_interpreter(name):
                for snippet in interp.shell_snippets(inv.stdin_text):
                    self.nested(snippet, Word(snippet, inv.span), ctx, name + " stdin")
                for kind, command in code_reader.effects(name, inv.stdin_text):
                    if kind == "shell":
                        self.nested(command, Word(command, inv.span), ctx, name + " stdin")
        return self.output(inv)

    def follow_installed(self, inv: Invocation, ctx: Ctx) -> None:
        """Judge what a command installs to run later: crontab input, a unit, a git hook."""
        name = inv.name
        if name == "crontab" and inv.stdin_text is not None:
            texts = [w.text for w in inv.args]
            # `crontab -u root -`: the user named after -u is no file operand.
            kept = [t for i, t in enumerate(texts) if i == 0 or texts[i - 1] != "-u"]
            operands = [t for t in kept if not t.startswith("-") or t == "-"]
            if not operands or operands[0] == "-":
                for command in persist.cron_commands(inv.stdin_text):
                    self.nested(command, Word(command, inv.span), ctx, "crontab")
            return
        if name not in ("echo", "printf", "cat", "tee"):
            return
        targets = [normalise(w.text, inv.cwd) for w, _how in write_targets(inv)]
        later = [t for t in targets if persist.runs_later(t)]
        text = appended_text(inv) if later else None
        if text is None:
            return
        for path in later:
            for command in persist.file_commands(path, text):
                self.nested(command, Word(command, inv.span), ctx, "installed")

    def output(self, inv: Invocation) -> Flow:
        name = inv.name
        args = [w.text for w in inv.args]
        text, decoded = emulate(name, args, inv.stdin_text)
        if text is not None and len(text) > MAX_TEXT:
            text = None
        secret = secret_content(inv)
        picked = (secret or inv.stdin_secret) and name in PICKERS
        paths: list[str] | None = None
        if name == "find":
            starts = [w.text for w in find_start_paths(inv.args)] or ["."]
            selective = find_is_selective(inv.args)
            # Unfiltered, find lists the start and everything below it: `start/*` says so.
            paths = [s.rstrip("/") + "/" + (DYN_SET if selective else "*") for s in starts]
            texts = [w.text for w in inv.args]
            # `find ~ -name '*.pem'`: the paths it lists are credentials.
            secret = secret or any(
                texts[i - 1] in ("-name", "-iname", "-path", "-wholename") and is_secret(t)
                for i, t in enumerate(texts)
                if i > 0
            )
        elif name == "pwd" and not args:
            text = (inv.cwd or ".") + "\n"
        elif name == "ls":
            operands = [a for a in args if not a.startswith("-")]
            paths = [o.rstrip("/") + "/*" for o in operands] or ["*"]
        download = is_downloader(inv)
        return Flow(
            text=text,
            download=download,
            decoded=decoded,
            secret=secret or picked,
            paths=paths,
            picked=picked,
            unread=text is None and paths is None and (download or name in _FILE_READERS),
        )

    def track_cd(self, inv: Invocation, ctx: Ctx) -> None:
        operands = [w for w in inv.args if not w.text.startswith("-") or w.text == "-"]
        if not operands:
            ctx.cwd[0] = "~"
            return
        target = operands[0].text
        if target == "-" or DYN in target or DYN_SET in target:
            ctx.cwd[0] = None
            return
        if target.startswith(("/", "~")):
            ctx.cwd[0] = normalise(target)
        elif ctx.cwd[0] is not None:
            ctx.cwd[0] = normalise(target, ctx.cwd[0])
        elif target.startswith(".."):
            ctx.cwd[0] = None

    def nested(self, text: str, word: Word, ctx: Ctx, via: str) -> None:
        """Parse code handed to another shell; map spans back onto the word that held it."""
        if not text.strip() or DYN in text and not text.replace(DYN, "").strip():
            return
        start, end = word.span
        raw = self.command[start:end]
        if raw == text:
            mapper = Mapper(text, start, None)
        elif len(raw) >= 2 and raw[0] in "'\"" and raw[-1] == raw[0] and raw[1:-1] == text:
            mapper = Mapper(text, start + 1, None)
        else:
            mapper = Mapper(text, None, word.span)
        # Joined after the mapper is chosen: the raw text is what matches the source.
        self.walk_source(join_continuations(text), mapper, self.fresh(ctx), via)

    # ---- words --------------------------------------------------------------------------

    def words(self, node: Any, ctx: Ctx) -> list[Word]:
        """Evaluate one argument node into words (splitting and brace expansion applied)."""
        val = self.eval(node, ctx)
        span = self.span_of(node, ctx)
        texts = [val.text]
        if val.split:
            ifs = ctx.env.get("IFS", " \t\n")
            # Every IFS character splits (`IFS=,; c=rm,-rf,/; $c`); run-time markers do not.
            seps = "".join(ch for ch in ifs if ch not in _MARKERS) or " "
            parts = re.split("[" + re.escape(seps) + "]+", val.text) if ifs else [val.text]
            texts = [p for p in parts if p] or []
        if node.type in ("word", "concatenation") and "{" in val.text and "," in val.text:
            texts = [t for text in texts for t in brace_expand(text)]
        return [
            Word(t, span, val.subst, val.download, val.secret, val.picked, unknown=val.unknown)
            for t in texts
        ]

    def eval(self, node: Any, ctx: Ctx, quoted: bool = False) -> Val:
        kind = node.type
        if kind == "word":
            return Val(unescape_word(self.text_of(node, ctx)))
        if kind in ("number", "brace_expression", "variable_name", "extglob_pattern", "regex"):
            return Val(self.text_of(node, ctx))
        if kind == "raw_string":
            return Val(self.text_of(node, ctx)[1:-1])
        if kind == "ansi_c_string":
            return Val(decode_escapes(self.text_of(node, ctx)[2:-1]))
        if kind in ("string", "translated_string"):
            return self.eval_parts(node.named_children, ctx, quoted=True, strip_quotes=node)
        if kind == "string_content":
            return Val(re.sub(r"\\([$`\"\\\n])", r"\1", self.text_of(node, ctx)))
        if kind == "concatenation":
            return self.eval_parts(node.children, ctx, quoted=quoted)
        if kind == "simple_expansion":
            name = self.text_of(node, ctx)[1:]
            mark = ctx.env.get(SECRET_VAR + name)
            return Val(
                ctx.env.get(name, DYN),
                split=not quoted,
                secret=mark is not None,
                picked=mark == "picked",
                unknown=name in POSITIONAL or UNKNOWN_VAR + name in ctx.env,
            )
        if kind == "expansion":
            return self.eval_expansion(node, ctx, quoted)
        if kind in ("command_substitution", "process_substitution"):
            flow = self.walk_block(node, self.fresh(ctx))
            if kind == "process_substitution":
                # Decoded text read as a file (`python3 <(echo ... | base64 -d)`) is code nobody
                # saw: mark it so a program run from it is judged.
                return Val(
                    "/dev/fd/63",
                    subst=True,
                    download=flow.download,
                    secret=flow.secret,
                    unknown=flow.decoded,
                )
            if flow.text is not None:
                text = flow.text.rstrip("\n")
            elif flow.paths:
                text = " ".join(flow.paths)  # $(ls), $(find ...): the paths they list
            else:
                text = DYN
            return Val(
                text,
                split=not quoted,
                subst=True,
                download=flow.download,
                secret=flow.secret,
                picked=flow.secret and flow.picked,
                # `rm -rf $(cat list)`: the list is a file's content, unseen; fail closed.
                unknown=flow.unread and text == DYN,
            )
        if kind == "arithmetic_expansion":
            for child in node.named_children:
                self.walk(child, ctx)
            return Val(DYN_SET)
        if kind == "ERROR":
            self.parse_errors.append(self.span_of(node, ctx))
        # Arrays, subscripts and other forms whose value is not modelled: whatever
        # substitutions they hold still run.
        self.walk_substitutions(node, ctx)
        return Val(self.text_of(node, ctx))

    def walk_substitutions(self, node: Any, ctx: Ctx) -> None:
        """Walk every `$(...)`, backquote and `<(...)` under `node` (not inside one another:
        walking one walks what it holds)."""
        stack = list(reversed(node.children))
        while stack:
            child = stack.pop()
            if child.type in _SUBSTITUTIONS:
                self.walk_block(child, self.fresh(ctx))
            else:
                stack.extend(reversed(child.children))

    def eval_parts(self, children: Any, ctx: Ctx, quoted: bool, strip_quotes: Any = None) -> Val:
        texts: list[str] = []
        split = subst = download = secret = whole = unknown = array = False
        last_end: int | None = None
        for child in children:
            if strip_quotes is not None and not child.is_named:
                continue
            if strip_quotes is not None and last_end is not None and child.start_byte > last_end:
                # The grammar leaves a newline inside "..." between two content nodes.
                texts.append(ctx.src[last_end : child.start_byte].decode("utf-8", "replace"))
            last_end = child.end_byte
            val = self.eval(child, ctx, quoted)
            texts.append(val.text)
            split = split or val.split
            subst = subst or val.subst
            download = download or val.download
            secret = secret or val.secret
            whole = whole or val.secret and not val.picked
            unknown = unknown or val.unknown
            array = array or val.array
        if strip_quotes is not None and not texts:
            # "" or a string whose content tree-sitter did not split out.
            raw = self.text_of(strip_quotes, ctx)
            inner = raw[2:-1] if raw.startswith('$"') else raw[1:-1]
            texts.append(re.sub(r"\\([$`\"\\\n])", r"\1", inner))
        return Val(
            "".join(texts),
            split=split and not quoted or array,
            subst=subst,
            download=download,
            secret=secret,
            picked=secret and not whole,
            unknown=unknown,
        )

    def eval_expansion(self, node: Any, ctx: Ctx, quoted: bool) -> Val:
        val = self._expansion_value(node, ctx, quoted)
        name_node = next((c for c in node.named_children if c.type == "variable_name"), None)
        mark = ctx.env.get(SECRET_VAR + self.text_of(name_node, ctx)) if name_node else None
        if mark is not None:
            val.secret = True  # ${KEY}, ${KEY:-x}, ${KEY#...}: still the credential
            val.picked = mark == "picked"
        name = self.text_of(name_node, ctx) if name_node else ""
        if name in POSITIONAL or UNKNOWN_VAR + name in ctx.env:
            val.unknown = True
        return val

    def _expansion_value(self, node: Any, ctx: Ctx, quoted: bool) -> Val:
        raw = self.text_of(node, ctx)
        name_node = next((c for c in node.named_children if c.type == "variable_name"), None)
        name = self.text_of(name_node, ctx) if name_node is not None else ""
        op = next(
            (c.type for c in node.children if not c.is_named and c.type not in ("${", "}")), ""
        )
        value = ctx.env.get(name) if name else None
        for child in node.named_children:
            if child.type == "subscript":
                self.walk_substitutions(child, ctx)  # ${a[$(cmd)]} runs cmd
                sub = self.text_of(child, ctx)
                if not name and sub.endswith(("[@]", "[*]")) and not raw.startswith(("${#", "${!")):
                    # "${a[@]}": every element of an array we saw assigned, one word each.
                    array = sub.split("[", 1)[0]
                    element = ctx.env.get(array)
                    unknown = element is None or UNKNOWN_VAR + array in ctx.env
                    if not op:
                        return Val(element or DYN, split=True, array=True, unknown=unknown)
        if raw.startswith("${#") or raw.startswith("${!"):
            return Val(DYN_SET, split=not quoted)
        if op in (":-", "-", ":=", "="):
            if value is not None and value not in (DYN, ""):
                return Val(value, split=not quoted)
            default = [c for c in node.named_children if c is not name_node]
            if default:
                parts = [self.eval(c, ctx, quoted=True).text for c in default]
                return Val("".join(parts), split=not quoted)
            return Val(DYN, split=not quoted)
        if op in (":?", "?"):
            if value is not None and value != DYN:
                return Val(value, split=not quoted)
            return Val(DYN_SET, split=not quoted)
        if op in (":+", "+"):
            return Val(DYN, split=not quoted)
        if op:
            # Pattern removal, substitution, case changes: walk any substitutions, value unknown.
            for child in node.named_children:
                if child.type in ("command_substitution", "process_substitution"):
                    self.eval(child, ctx)
            return Val(DYN if value is None else DYN_SET, split=not quoted)
        if value is None:
            return Val(DYN, split=not quoted)
        return Val(value, split=not quoted)
