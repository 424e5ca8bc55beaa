"""Lines appended to a user's own shell start-up file: everyday (an alias, a PATH entry, a
tool's hook) or not. The everyday forms are data in safety/rules/startup_lines.toml."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from safety.checks.base import Hit, _hit
from safety.commands import write_targets
from safety.datafile import read_toml
from safety.facts import Invocation
from safety.paths import is_startup_file, normalise

LINES_FILE = Path(__file__).resolve().parent.parent / "rules" / "startup_lines.toml"
_WRITERS = frozenset({"echo", "printf", "tee", "cat"})


@cache
def _everyday() -> re.Pattern[str]:
    data = read_toml(LINES_FILE)
    return re.compile("|".join(f"(?:{p})" for p in data["everyday"]))


def appended_text(inv: Invocation) -> str | None:
    """What echo/printf/tee -a/cat append to a file, when the command shows it."""
    if inv.name in ("echo", "printf"):
        args = [w for w in inv.args if not (inv.name == "echo" and w.text in ("-e", "-n", "-E"))]
        if any(w.from_subst or w.dynamic for w in args):
            return None
        text = " ".join(w.text for w in args)
        escapes = inv.name == "printf" or any(w.text == "-e" for w in inv.args)
        return text.replace("\\n", "\n") if escapes else text
    if inv.name in ("tee", "cat") and inv.stdin_text is not None and not inv.stdin_download:
        return inv.stdin_text
    return None


def is_everyday(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return bool(lines) and all(_everyday().fullmatch(line) for line in lines)


def _own_startup(path: str, cwd: str | None) -> bool:
    norm = normalise(path, cwd)
    return is_startup_file(path, cwd) and norm.startswith(("~/", "/home/", "/Users/"))


# Where a linked start-up file may come from: the user's own files, not a download or a cache.
_NOT_OWN = ("~/Downloads/", "~/.cache/", "~/.local/share/Trash/", "~/tmp/")


def _links_own_dotfile(inv: Invocation) -> bool:
    """`ln -sf ~/dotfiles/.bashrc ~/.bashrc`: a start-up file kept in the user's own files."""
    texts = [w.text for w in inv.args]
    operands = [t for t in texts if not t.startswith("-")]
    if inv.name != "ln" or not any(t.startswith("-") and "s" in t.lstrip("-")[:3] for t in texts):
        return False
    if len(operands) != 2 or not _own_startup(operands[1], inv.cwd):
        return False
    source = normalise(operands[0], inv.cwd)
    return source.startswith("~/") and not source.startswith(_NOT_OWN)


def everyday_append(inv: Invocation) -> bool:
    if _links_own_dotfile(inv):
        return True
    if inv.name not in _WRITERS:
        return False
    targets = list(write_targets(inv))
    if not targets or any(how != "append" or not _own_startup(w.text, inv.cwd)
                          for w, how in targets):  # fmt: skip
        return False
    text = appended_text(inv)
    return text is not None and is_everyday(text)


def startup_everyday(inv: Invocation) -> Iterator[Hit]:
    if everyday_append(inv):
        for word, _how in write_targets(inv):
            yield _hit(word)
