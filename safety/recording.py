"""Recording: each simple command becomes an Invocation stamped with where it stands (pipe,
loop, function, directory), and the command a wrapper runs (sudo, env, xargs, find -exec) is
unwrapped and recorded in turn."""

from __future__ import annotations

import re
from dataclasses import replace

from safety.command_globs import glob_command_names
from safety.dataflow import changed_directory, output, read_into
from safety.exfil import secret_content
from safety.facts import DYN_SET, Invocation, Word
from safety.walk_state import Ctx, Flow, WalkState
from safety.wrappers import WRAPPER_NAMES, Inner, unwrap

MAX_INVOCATIONS = 20_000
MAX_WRAPPERS = 16  # sudo/env/nice... around one command; more are judged as too deep
MAX_CHAIN_WORDS = 400_000  # words one wrapper chain may copy before it is followed no further
_LISTED_VALUES = 8  # stdin lines or paths xargs -I fills in one by one


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


def stamped(inv: Invocation, ctx: Ctx) -> Invocation:
    """`inv` stamped with where it runs: its wrappers, pipe, loop, function and directory."""
    place = (
        ctx.via + inv.via,
        ctx.pipe,
        ctx.stage,
        ctx.pipe_size,
        ctx.background,
        ctx.infinite,
        ctx.function,
        ctx.cwd[0],
    )
    built = (inv.via, inv.pipe, inv.stage, inv.pipe_size, inv.background,
             inv.in_infinite_loop, inv.function, inv.cwd)  # fmt: skip
    if place == built:
        return inv  # most commands stand at the top, as built: skip a second construction
    via, pipe, stage, pipe_size, background, infinite, function, cwd = place
    # Every field spelled out, not dataclasses.replace (which looks each one up by name):
    # this runs for every command in a pipe, wrapper or function. tests/test_safety_walk.py
    # fails if a field of Invocation is left out here.
    return Invocation(
        argv=inv.argv,
        span=inv.span,
        redirects=inv.redirects,
        assigns=inv.assigns,
        pipe=pipe,
        stage=stage,
        stdin_kind=inv.stdin_kind,
        stdin_text=inv.stdin_text,
        stdin_download=inv.stdin_download,
        stdin_decoded=inv.stdin_decoded,
        stdin_secret=inv.stdin_secret,
        stdin_paths=inv.stdin_paths,
        pipe_size=pipe_size,
        via=via,
        background=background,
        in_infinite_loop=infinite,
        function=function,
        cwd=cwd,
        extra_args=inv.extra_args,
        selective=inv.selective,
    )


class Recording(WalkState):
    """The recording part of the walker."""

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
        inv = stamped(inv, ctx)
        self.invocations.append(inv)
        if not inv.argv:
            return Flow()
        name = inv.name
        for match in glob_command_names(name):
            # The shell expands `/bin/r?` to whatever it matches; judge each command it could be.
            first = inv.argv[0]
            self.add(replace(inv, argv=[replace(first, text=match), *inv.args], via=()), ctx)
        if ctx.function and name == ctx.function and self.functions_open:
            self._count_self_call(inv, ctx)
        if name == "cd":
            ctx.cwd[0] = changed_directory(inv, ctx.cwd[0])
        read_into(ctx.env, inv)
        # Code this command hands on runs inside its wrappers too: `sudo sh -c CODE`,
        # `xargs sh -c CODE`, `ssh host 'sh -c CODE'`.
        inside = ctx if inv.via == ctx.via else ctx.but(via=inv.via)
        if name == "alias":
            for word in inv.args:
                _alias, eq, value = word.text.partition("=")
                if eq and value:
                    self.nested(value, word, inside, "alias")
        self.follow_installed(inv, inside)
        inner = unwrap(inv) if follow else None
        if inner is not None:
            return self._wrapped(inv, inner, ctx, inside)
        self.follow_code(inv, inside)
        return output(inv)

    def _count_self_call(self, inv: Invocation, ctx: Ctx) -> None:
        """A function calling itself (the fork bomb's shape): count it, and how it is run."""
        index = self.functions_open[-1]
        fd = self.functions[index]
        if fd.name == inv.name:
            self.functions[index] = replace(
                fd,
                self_calls=fd.self_calls + 1,
                self_piped=fd.self_piped or inv.pipe_size > 1,
                self_background=fd.self_background or inv.background or ctx.infinite,
            )

    def _wrapped(self, inv: Invocation, inner: Inner, ctx: Ctx, inside: Ctx) -> Flow | Invocation:
        """What a wrapper runs: the command to record next (stamped in `ctx`, as `inv` was), or
        the code handed to a shell (walked `inside` the wrappers around `inv`)."""
        if inner.argv is not None and inner.placeholder is not None:
            token = inner.placeholder
            if inv.stdin_text is not None:
                values = [v for v in inv.stdin_text.splitlines() if v.strip()][:_LISTED_VALUES]
            else:
                values = list(inv.stdin_paths or [])[:_LISTED_VALUES]
            flow = Flow()
            # Lines from a file or output we cannot see: each could be anything, as for
            # xargs without -I.
            unseen = not values
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
                        unknown=w.unknown or unseen and token in w.text,
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
            # xargs, find -exec and parallel give the command arguments, not their stdin.
            own_stdin = inner.wrapper not in ("xargs", "find -exec", "parallel")
            return Invocation(
                argv=argv,
                span=inv.span,
                redirects=inv.redirects,
                assigns=inner.assigns,
                stdin_kind=inv.stdin_kind if own_stdin else None,
                stdin_text=inv.stdin_text if own_stdin else None,
                stdin_download=inv.stdin_download and own_stdin,
                stdin_decoded=inv.stdin_decoded and own_stdin,
                stdin_secret=inv.stdin_secret and own_stdin,
                stdin_paths=inv.stdin_paths,
                via=(inner.wrapper,),
                extra_args=inner.extra_args,
                selective=inner.selective,
            )
        if inner.source is not None:
            self.nested(inner.source.text, inner.source, inside, inner.wrapper)
        elif inner.source_words:
            first, last = inner.source_words[0], inner.source_words[-1]
            joined = " ".join(w.text for w in inner.source_words)
            span = (first.span[0], last.span[1])
            self.nested(joined, Word(joined, span), inside, inner.wrapper)
        # What the handed-on code prints comes back here: `ssh host 'cat .env' | curl ...`.
        return Flow(secret=secret_content(inv))
