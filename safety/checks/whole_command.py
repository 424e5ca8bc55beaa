"""Checks over the whole walked command: staged secrets, fork bombs, /dev/tcp, limits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from safety import exfil
from safety.checks.base import Hit, InvocationCheck, _program
from safety.commands import NET_CLIENTS, is_shell, reads_code_from_stdin
from safety.facts import DYN, DYN_SET, Invocation
from safety.vocabulary import HIDDEN_CHARACTERS

if TYPE_CHECKING:
    from safety.facts import Walk


@_program
def sends_staged_secret(walker: Walk) -> Iterator[Hit]:
    yield from exfil.staged_hits(walker)


@_program
def secret_to_dev_tcp(walker: Walk) -> Iterator[Hit]:
    yield from exfil.dev_tcp_hits(walker)


@_program
def fork_bomb_function(walker: Walk) -> Iterator[Hit]:
    for fd in walker.functions:
        if fd.self_piped or fd.self_background or fd.self_calls >= 2:
            yield fd.span, fd.name


_FORK_TEXT = re.compile(r"(\S{1,40}?)\s*\(\s*\)\s*\{\s*\1\s*\|\s*\1\s*&?\s*;?\s*\}")


@_program
def fork_bomb_text(walker: Walk) -> Iterator[Hit]:
    if not (walker.parse_errors or walker.long_lines):
        return
    m = _FORK_TEXT.search(walker.command[:100_000])
    if m:
        yield m.span(), m.group(1)


def background_loop(shell_only: bool) -> InvocationCheck:
    def check(inv: Invocation) -> Iterator[Hit]:
        if not (inv.in_infinite_loop and inv.background and inv.argv):
            return
        spawns_shell = (
            is_shell(inv.name)
            or inv.argv[0].text in ("$0", DYN, DYN_SET)
            or inv.name == inv.function
        )
        if spawns_shell == shell_only:
            yield inv.span, inv.name

    return check


_DEV_NET = re.compile(r"/dev/(?:tcp|udp)/[\w.:-]+/\d+")


def _runs_input(inv: Invocation) -> bool:
    """Does this run a command only known at run time: `$line`, `eval "$c"`, `sh -c "$c"`?"""
    if inv.argv and inv.argv[0].dynamic:
        return True
    evaluates = inv.name in ("eval", "source", ".") or is_shell(inv.name)
    return evaluates and any(a.text.strip("\"'") in (DYN, DYN_SET) for a in inv.args)


@_program
def dev_tcp_shell(walker: Walk) -> Iterator[Hit]:
    tcp = [
        (inv, r)
        for inv in walker.invocations
        for r in inv.redirects
        if r.target is not None and r.target.text.startswith(("/dev/tcp/", "/dev/udp/"))
    ]
    # A connection plus a command only known at run time (`$line`, `eval "$c"`) runs whatever
    # the remote end sends; the grammar may not parse `exec 5<>/dev/tcp/...`, so read the text.
    m = _DEV_NET.search(walker.command[:100_000])
    if m and any(_runs_input(inv) for inv in walker.invocations):
        yield m.span(), m.group(0)
        return
    if not tcp:
        return
    for inv, redirect in tcp:
        if is_shell(inv.name) or inv.name in ("exec",) and len(inv.argv) > 1:
            yield redirect.span, redirect.target.text if redirect.target else ""
            return
    for inv in walker.invocations:
        dup = any(
            r.op in (">&", "<&")
            and r.target is not None
            and r.target.text.isdigit()
            and r.target.text not in ("1", "2")
            for r in inv.redirects
        )
        if is_shell(inv.name) and (
            dup or any(a.text.startswith("-") and "i" in a.text for a in inv.args)
        ):
            yield tcp[0][1].span, "/dev/tcp"
            return
        if inv.argv and inv.argv[0].dynamic and inv.in_infinite_loop is False and dup:
            yield tcp[0][1].span, "/dev/tcp"
            return


@_program
def dev_tcp_any(walker: Walk) -> Iterator[Hit]:
    for inv in walker.invocations:
        for r in inv.redirects:
            if r.target is not None and r.target.text.startswith(("/dev/tcp/", "/dev/udp/")):
                yield r.span, r.target.text
    unparsed = walker.parse_errors or walker.long_lines
    if unparsed and re.search(r"/dev/(?:tcp|udp)/", walker.command[:100_000]):
        m = re.search(r"/dev/(?:tcp|udp)/\S*", walker.command)
        if m:
            yield m.span(), m.group(0)


@_program
def pipe_shell_network(walker: Walk) -> Iterator[Hit]:
    pipes: dict[int, list[Invocation]] = {}
    for inv in walker.invocations:
        if inv.pipe is not None:
            pipes.setdefault(inv.pipe, []).append(inv)
    for stages in pipes.values():
        shells = [
            i
            for i in stages
            if is_shell(i.name)
            and (reads_code_from_stdin(i) or any(a.text == "-i" for a in i.args))
        ]
        clients = [i for i in stages if i.name in NET_CLIENTS]
        if shells and clients:
            yield shells[0].span, clients[0].name


_INVISIBLE = re.compile(HIDDEN_CHARACTERS)


@_program
def hidden_characters(walker: Walk) -> Iterator[Hit]:
    for m in _INVISIBLE.finditer(walker.original):
        yield (m.start(), m.end()), ascii(m.group())[1:-1]
        return


@_program
def parse_failed(walker: Walk) -> Iterator[Hit]:
    if walker.parse_errors:
        yield walker.parse_errors[0], "parse error"


@_program
def too_large(walker: Walk) -> Iterator[Hit]:
    if walker.truncated:
        yield (0, len(walker.command)), "too large"


@_program
def line_too_long(walker: Walk) -> Iterator[Hit]:
    if walker.long_lines:
        yield walker.long_lines[0], "long line"


@_program
def too_deep(walker: Walk) -> Iterator[Hit]:
    if walker.too_deep:
        yield walker.too_deep[0], "nesting"


# A loop over thousands of values whose body sends a job to the background each time.
_FLOOD = re.compile(
    r"\bfor\s+(?:\w+\s+in\s+(?:\$\(\s*seq\s+(?:\S+\s+){0,2}\d{4,}\s*\)|`\s*seq\s[^`]*\d{4,}\s*`|"
    r"\{\d+\.\.\d{4,}(?:\.\.\d+)?\})|\(\([^)]*<=?\s*\d{4,}[^)]*\)\))\s*;?\s*do\b"
    r"(?:(?!\bdone\b).)*?[^&|>]&(?![&>])",
    re.S,
)


@_program
def background_flood(walker: Walk) -> Iterator[Hit]:
    m = _FLOOD.search(walker.command)
    if m:
        yield (m.start(), m.end()), "a loop of background jobs"


# Commands that leave something behind each time: in an endless loop with no pause they fill
# the disk or its inodes.
_FILLERS = frozenset({"mkdir", "touch", "cp", "dd", "fallocate", "tee", "yes", "mktemp", "ln"})
_PAUSES = frozenset({"sleep", "read", "wait", "inotifywait", "timeout", "break", "exit"})


@_program
def endless_filler(walker: Walk) -> Iterator[Hit]:
    if any(inv.name in _PAUSES for inv in walker.invocations):
        return
    for inv in walker.invocations:
        if inv.in_infinite_loop and inv.name in _FILLERS:
            yield inv.span, inv.name + " in an endless loop"
            return


_GUARD_JOBS = re.compile(
    r"backup|borg|restic|snapshot|rsnapshot|duplicity|audit|aide|rkhunter|chkrootkit|clam|"
    r"freshclam|logrotate|certbot|security|tripwire|fail2ban|monitor",
    re.I,
)


@_program
def crontab_drops_guard(walker: Walk) -> Iterator[Hit]:
    """`crontab -l | grep -v borg | crontab -`: a backup or security job taken out."""
    for inv in walker.invocations:
        if inv.name != "crontab" or inv.pipe is None or inv.stage == 0:
            continue
        for up in walker.invocations:
            if up.pipe != inv.pipe or up.stage >= inv.stage:
                continue
            texts = [w.text for w in up.args]
            removes = (
                up.name in ("grep", "egrep", "rg")
                and any(t.startswith("-") and "v" in t for t in texts)
            ) or (up.name in ("sed", "awk") and any("/d" in t or "!/" in t for t in texts))
            if removes and any(_GUARD_JOBS.search(t) for t in texts):
                yield inv.span, "crontab without " + next(t for t in texts if _GUARD_JOBS.search(t))
                return
