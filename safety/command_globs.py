"""Command names written as globs (`/bin/r? -rf /`): the known commands they could run."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from functools import cache

from safety.commands import OTHER_INTERPRETERS, SHELLS
from safety.wrappers import WRAPPER_NAMES

MAX_GLOB_NAMES = 8  # known commands a glob in a command name is judged as
_GLOB_CHARS = re.compile(r"[*?\[]")


@cache
def known_command_names() -> tuple[str, ...]:
    """Every command name a rule, wrapper or code reader knows, for `/bin/r? -rf /`."""
    from safety.rules import COMMAND_RULES  # the rule table imports the checks, built later

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
