"""The safety net: a destructive verb in a tool no rule knows (safety/rules/net_words.toml)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import translate
from functools import cache
from pathlib import Path

from safety.checks.base import Hit, _show
from safety.checks.table import is_help_or_dry_run
from safety.datafile import read_toml
from safety.facts import Invocation

WORDS_FILE = Path(__file__).resolve().parent.parent / "rules" / "net_words.toml"
# Command names that are not tools at all: function definitions, test brackets, assignments.
_NOT_TOOLS = frozenset({"function", "[", "[[", "test", "true", "false", ":", ""})
_NAME = re.compile(r"^[A-Za-z][\w.+-]{0,63}$")


@cache
def _words() -> tuple[re.Pattern[str], re.Pattern[str], frozenset[str]]:
    """The verbs and bulk marks, each list compiled to one pattern, and the familiar tools."""
    data = read_toml(WORDS_FILE)

    def one(globs: list[str]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{translate(str(g))})" for g in globs))

    return one(data["verbs"]), one(data["bulk"]), frozenset(str(t) for t in data["familiar"])


@cache
def _known() -> frozenset[str]:
    """Tools some rule or wrapper already judges: their verbs are the rules' business."""
    from safety.walker import known_command_names  # the rule table, built after this module

    return frozenset(known_command_names()) | _words()[2]


def _verb(inv: Invocation) -> str | None:
    name = inv.name
    if name in _NOT_TOOLS or not _NAME.match(name) or name in _known():
        return None
    texts = [w.text for w in inv.args]
    if is_help_or_dry_run(texts):
        return None
    verbs = _words()[0]
    positional = [t for t in texts if not t.startswith("-")][:3]
    options = [t.lstrip("-").split("=", 1)[0] for t in texts if t.startswith("--")]
    for word in positional + options:
        if verbs.match(word.lower()) or any(verbs.match(t) for t in _tokens(word)):
            return word
    return None


def _tokens(word: str) -> list[str]:
    """The words inside a sub-command name: `db:drop`, `force_delete`, `deleteAll`."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", word)
    return re.findall(r"[a-z]+", spaced.lower()) if len(word) <= 64 else []


def destructive_verb(inv: Invocation) -> Iterator[Hit]:
    verb = _verb(inv)
    if verb is not None:
        yield inv.span, _show(f"{inv.name} {verb}")


def destructive_verb_in_bulk(inv: Invocation) -> Iterator[Hit]:
    verb = _verb(inv)
    if verb is None:
        return
    bulk = _words()[1]
    for word in inv.args:
        lower = word.text.lower()
        if lower != verb.lower() and bulk.match(lower):
            yield inv.span, _show(f"{inv.name} {verb} {word.text}")
            return
