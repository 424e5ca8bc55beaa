"""The safety net: a destructive verb in a sub-command or option that no rule weighed
(safety/rules/net_words.toml). The engine runs it on an invocation only when no other rule
found anything there, so it covers unknown tools and the sub-commands of known ones that no
rule names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import translate
from functools import cache
from pathlib import Path

from safety.checks.base import DELETERS, Hit, _fallback, _show
from safety.checks.table import is_help_or_dry_run
from safety.datafile import read_toml
from safety.facts import Invocation

WORDS_FILE = Path(__file__).resolve().parent.parent / "rules" / "net_words.toml"
# Command names that are not tools at all: function definitions, test brackets, assignments.
_NOT_TOOLS = frozenset({"function", "[", "[[", "test", "true", "false", ":", ""})
_NAME = re.compile(r"^[A-Za-z][\w.+-]{0,63}$")
# A sub-command is a bare name (`delete`, `db:drop`), never a path, a pattern or a script.
_SUBCOMMAND = re.compile(r"^[A-Za-z][\w:-]{0,63}$")


@cache
def _words() -> tuple[
    re.Pattern[str], re.Pattern[str], frozenset[str], frozenset[str], frozenset[str]
]:
    """The verbs and bulk marks, each list compiled to one pattern, the familiar tools, the
    options that only look like verbs and the sub-commands that only show."""
    data = read_toml(WORDS_FILE)

    def one(globs: list[str]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{translate(str(g))})" for g in globs))

    return (
        one(data["verbs"]),
        one(data["bulk"]),
        frozenset(str(t) for t in data["familiar"]),
        frozenset(str(o) for o in data["not_verb_options"]),
        frozenset(str(s) for s in data["shows_only"]),
    )


@cache
def _bulk_verbs() -> frozenset[str]:
    return frozenset(str(v).lower() for v in read_toml(WORDS_FILE)["bulk_verbs"])


@cache
def _never() -> frozenset[str]:
    """Commands whose arguments are another command (wrappers, shells, interpreters), and the
    familiar tools whose verbs are everyday or weighed in full by the rules."""
    from safety.checks.table import _PASSES_ARGS_ON
    from safety.commands import OTHER_INTERPRETERS, SHELLS
    from safety.wrappers import WRAPPER_NAMES

    runs_commands = frozenset(WRAPPER_NAMES) | _PASSES_ARGS_ON | SHELLS | OTHER_INTERPRETERS
    return runs_commands | DELETERS | _words()[2]


def _verb(inv: Invocation) -> str | None:
    name = inv.name
    if name in _NOT_TOOLS or not _NAME.match(name) or name in _never():
        return None
    texts = [w.text for w in inv.args]
    if is_help_or_dry_run(texts):
        return None
    verbs = _words()[0]
    positional = [t for t in texts if not t.startswith("-")][:3]
    positional = [t for t in positional if _SUBCOMMAND.match(t)]
    if positional and positional[0].lower() in _words()[4]:
        return None  # `terraform plan -destroy`: shows what would go, removes nothing
    # `--purge`, and Go-style `-purge`; never bundled short flags (`-rf`).
    options = [
        t.lstrip("-").split("=", 1)[0]
        for t in texts
        if t.startswith("--") or (t.startswith("-") and len(t) > 4)
    ]
    options = [o for o in options if o not in _words()[3]]
    for word in positional + options:
        if verbs.match(word.lower()) or any(verbs.match(t) for t in _tokens(word)):
            return word
    return None


def _tokens(word: str) -> list[str]:
    """The words inside a sub-command name: `db:drop`, `force_delete`, `deleteAll`."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", word)
    return re.findall(r"[a-z]+", spaced.lower()) if len(word) <= 64 else []


@_fallback
def destructive_verb(inv: Invocation) -> Iterator[Hit]:
    verb = _verb(inv)
    if verb is not None:
        yield inv.span, _show(f"{inv.name} {verb}")


@_fallback
def destructive_verb_in_bulk(inv: Invocation) -> Iterator[Hit]:
    verb = _verb(inv)
    if verb is None:
        return
    if verb.lower() in _bulk_verbs():
        yield inv.span, _show(f"{inv.name} {verb}")
        return
    bulk = _words()[1]
    for word in inv.args:
        lower = word.text.lower()
        if lower != verb.lower() and bulk.match(lower):
            yield inv.span, _show(f"{inv.name} {verb} {word.text}")
            return
