"""Shell environment: aliases over core commands, PATH and LD_PRELOAD hijacks."""

from __future__ import annotations

import re
from collections.abc import Iterator

from safety.checks.base import Hit, _hit, only
from safety.commands import CORE_COMMANDS
from safety.facts import PATH_MARK, Invocation


@only("alias")
def alias_core(inv: Invocation) -> Iterator[Hit]:
    if inv.name != "alias":
        return
    for word in inv.args:
        name, eq, value = word.text.partition("=")
        if not eq or name not in CORE_COMMANDS:
            continue
        first = value.strip().split(" ", 1)[0].lstrip("\\") if value.strip() else ""
        if first.startswith("command"):
            first = value.strip().split()[1] if len(value.split()) > 1 else first
        if first.rsplit("/", 1)[-1] != name:
            yield _hit(word)


@only("function")
def function_core(inv: Invocation) -> Iterator[Hit]:
    if (
        inv.name == "function"
        and len(inv.argv) == 2
        and inv.argv[1].text in CORE_COMMANDS
        and inv.argv[1].text != "cd"
    ):
        yield _hit(inv.argv[1])


_SYSTEM_BIN = re.compile(
    r"^(?:/usr/local/s?bin|/usr/s?bin|/s?bin|/opt/homebrew/s?bin|/snap/bin)/?$"
)
_RISKY_PATH_ENTRY = re.compile(
    r"^(?:\.|\.\.|/tmp(?:/.*)?|/var/tmp(?:/.*)?|/dev/shm(?:/.*)?|[^/~\ue000\ue001\ue002].*)?$"
)


def replaces_path(inv: Invocation) -> Iterator[Hit]:
    if inv.name == "unset" and any(a.text == "PATH" for a in inv.args):
        yield inv.span, "unset PATH"
    for key, word in inv.assigns:
        if key != "PATH":
            continue
        entries = word.text.split(":")
        keeps = PATH_MARK in word.text
        if not keeps:
            if not all(_SYSTEM_BIN.match(e) for e in entries):
                yield _hit(word)
            continue
        before = entries[: next(i for i, e in enumerate(entries) if PATH_MARK in e)]
        if any(_RISKY_PATH_ENTRY.match(e) for e in before):
            yield _hit(word)


def preloads_library(inv: Invocation) -> Iterator[Hit]:
    for key, word in inv.assigns:
        if key in ("LD_PRELOAD", "LD_AUDIT", "DYLD_INSERT_LIBRARIES") and word.text.strip():
            yield _hit(word)
