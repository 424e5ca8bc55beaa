"""Tools that run a shell command handed to them as words or as an option's value (tmux new,
gcloud compute ssh --command, ansible -a, nix-shell --run...), described in
safety/rules/launchers.toml: find the command so it is judged like any other."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from safety.datafile import read_toml
from safety.facts import Invocation, Word

LAUNCHERS_FILE = Path(__file__).resolve().parent / "rules" / "launchers.toml"


@dataclass(frozen=True)
class Launcher:
    path: tuple[frozenset[str], ...]
    options: frozenset[str]
    rest: bool
    value_options: frozenset[str]
    skip: int
    pattern: re.Pattern[str] | None
    string: bool = False  # the first word left is a shell command string, not argv


def _launcher(spec: dict[str, Any]) -> Launcher:
    pattern = spec.get("pattern")
    return Launcher(
        path=tuple(frozenset(str(w) for w in step) for step in spec.get("path", ())),
        options=frozenset(str(o) for o in spec.get("option", ())),
        rest=bool(spec.get("rest", False)),
        value_options=frozenset(str(o) for o in spec.get("value_options", ())),
        skip=int(spec.get("skip", 0)),
        pattern=re.compile(pattern, re.S) if pattern else None,
        string=bool(spec.get("string", False)),
    )


@cache
def launchers() -> dict[str, tuple[Launcher, ...]]:
    data = read_toml(LAUNCHERS_FILE)
    table: dict[str, list[Launcher]] = {}
    for spec in data.get("launcher", ()):
        table.setdefault(str(spec["tool"]), []).append(_launcher(spec))
    return {tool: tuple(found) for tool, found in table.items()}


def launched_code(inv: Invocation) -> tuple[Word | None, list[Word]]:
    """The code a launcher runs: one word holding it, or the words that make it up."""
    for launcher in launchers().get(inv.name, ()):
        found = _code(launcher, list(inv.args))
        if found[0] is not None or found[1]:
            return found
    return None, []


def _code(launcher: Launcher, args: list[Word]) -> tuple[Word | None, list[Word]]:
    # Walk the sub-command path: options may sit between its words (`gcloud compute ssh`).
    at = 0
    for step in launcher.path:
        while at < len(args) and args[at].text.startswith("-"):
            at += 1
        if at >= len(args) or not ("*" in step or args[at].text in step):
            return None, []
        at += 1
    rest = args[at:]
    for i, word in enumerate(rest):
        text = word.text
        name, eq, value = text.partition("=")
        if text in launcher.options and i + 1 < len(rest):
            return _extract(launcher, rest[i + 1]), []
        if eq and name in launcher.options:
            return _extract(launcher, Word(value, word.span)), []
    if not launcher.rest:
        return None, []
    i = 0
    while i < len(rest) and rest[i].text.startswith("-") and rest[i].text != "--":
        i += 2 if rest[i].text in launcher.value_options else 1
    if i < len(rest) and rest[i].text == "--":
        i += 1
    words = rest[i + launcher.skip :]
    if launcher.string:
        return (_extract(launcher, words[0]) if words else None), []
    return None, words


def _extract(launcher: Launcher, word: Word) -> Word | None:
    if launcher.pattern is None:
        return word
    m = launcher.pattern.search(word.text)
    return Word(m.group(1), word.span) if m else None
