"""What every check module shares: the hit type, the command-name index marks, spans."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from safety.facts import DYN, DYN_SET, PATH_MARK, Span, Word

if TYPE_CHECKING:
    from safety.facts import Invocation, Walk

Hit = tuple[Span, str]
# A check over one invocation, and one over the whole walked command (marked `_program`).
InvocationCheck = Callable[["Invocation"], Iterator[Hit]]
ProgramCheck = Callable[["Walk"], Iterator[Hit]]
C = TypeVar("C", bound=Callable[..., Any])

DELETERS = frozenset(
    {"rm", "unlink", "srm", "grm", "find", "mv", "rsync", "shred", "tar", "bsdtar", "gtar", "zip"}
)
PERMS = frozenset({"chmod", "chown", "chgrp", "setfacl", "chattr"})
_K8S = frozenset({"kubectl", "oc", "k", "microk8s.kubectl", "k3s"})
_DOCKER = frozenset({"docker", "podman", "nerdctl", "docker-compose"})
_DB = frozenset(
    {
        "mysql",
        "mariadb",
        "psql",
        "sqlite3",
        "redis-cli",
        "mongo",
        "mongosh",
        "clickhouse-client",
        "cqlsh",
        "sqlcmd",
        "duckdb",
        "cockroach",
    }
)


def only(*names: str | frozenset[str]) -> Callable[[C], C]:
    """Mark a check as relevant to these command names only, so the engine can skip it."""
    flat: set[str] = set()
    for n in names:
        flat.update([n] if isinstance(n, str) else n)

    def mark(check: C) -> C:
        check.commands = frozenset(flat)  # type: ignore[attr-defined]  # a mark on the function
        return check

    return mark


def _program(check: C) -> C:
    """Mark a check as one over the whole walked command, not one invocation."""
    check.program = True  # type: ignore[attr-defined]  # a mark on the function
    return check


def _fallback(check: C) -> C:
    """Mark a check as the safety net: it runs on an invocation only when no other rule did."""
    check.fallback = True  # type: ignore[attr-defined]  # a mark on the function
    return check


def _hit(word: Word) -> Hit:
    return word.span, _show(word.text)


def _show(text: str) -> str:
    shown = text.replace(DYN, "$…").replace(DYN_SET, "$…").replace(PATH_MARK, "$PATH")
    return shown if len(shown) <= 60 else shown[:57] + "..."


def is_program_check(check: object) -> bool:
    return bool(getattr(check, "program", False))


def is_fallback_check(check: object) -> bool:
    return bool(getattr(check, "fallback", False))
