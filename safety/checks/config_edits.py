"""Everyday edits of service configuration (safety/rules/config_edits.toml): `sed -i` of
sshd_config or an nginx site, loopback names appended to /etc/hosts. They are moderate; the
same edit setting something that weakens a login or opens the service stays high."""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path

from safety.checks.base import Hit, _hit
from safety.checks.startup import appended_text
from safety.commands import write_targets
from safety.datafile import read_toml
from safety.facts import Invocation, Word
from safety.paths import normalise

EDITS_FILE = Path(__file__).resolve().parent.parent / "rules" / "config_edits.toml"


@cache
def _data() -> tuple[tuple[str, ...], tuple[str, ...], re.Pattern[str], re.Pattern[str]]:
    data = read_toml(EDITS_FILE)
    weakens = re.compile("|".join(f"(?:{w})" for w in data["weakens"]), re.I)
    files = tuple(str(f) for f in data["files"])
    drop_ins = tuple(str(f) for f in data["drop_ins"])
    return files, drop_ins, weakens, re.compile(str(data["hosts_line"]))


# `s/OLD/NEW/flags` (any delimiter) and `a`/`i`/`c` text: only what the edit puts in counts.
_SUBSTITUTE = re.compile(
    r"s(?P<d>[^\w\s\\])(?:\\.|(?!(?P=d)).)*(?P=d)(?P<new>(?:\\.|(?!(?P=d)).)*)(?P=d)"
)
_ADD_TEXT = re.compile(r"(?:^|[;}\s/$\d])[aic]\\?\s*(?P<text>[^;]*)")


def _sed_added(inv: Invocation) -> str:
    """The text a sed edit writes into the file: replacements and added lines."""
    script = " ".join(w.text for w in inv.args if not w.text.startswith("-"))
    added = [m.group("new") for m in _SUBSTITUTE.finditer(script)]
    added += [m.group("text") for m in _ADD_TEXT.finditer(_SUBSTITUTE.sub("", script))]
    return "\n".join(added)


def everyday_edit(inv: Invocation, word: Word, how: str) -> bool:
    """Is this write of `word` (how: write_targets' truncate/append/write) an everyday
    configuration edit? A whole file replaced counts only in a drop-in folder."""
    files, drop_ins, weakens, hosts_line = _data()
    path = normalise(word.text, inv.cwd)
    if (
        how != "truncate"
        and inv.name in ("sed", "gsed")
        and any(fnmatchcase(path, f) for f in files)
    ):
        return weakens.search(_sed_added(inv)) is None
    if inv.name in ("tee", "echo", "printf", "cat") and any(fnmatchcase(path, f) for f in drop_ins):
        text = appended_text(inv)
        return bool(text and text.strip()) and weakens.search(text or "") is None
    if how != "truncate" and path == "/etc/hosts" and inv.name in ("tee", "echo", "printf"):
        appends = inv.name != "tee" or any(w.text in ("-a", "--append") for w in inv.args)
        text = appended_text(inv)
        lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
        return appends and bool(lines) and all(hosts_line.fullmatch(line) for line in lines)
    return False


def edits_config(inv: Invocation) -> Iterator[Hit]:
    for word, how in write_targets(inv):
        if everyday_edit(inv, word, how):
            yield _hit(word)
