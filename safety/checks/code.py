"""Interpreter code (python -c, node -e, a program piped or here-doc'd into an interpreter):
what it deletes, runs, sends or loops on, as read by safety.code."""

from __future__ import annotations

from collections.abc import Iterator

from safety import code as reader
from safety.checks.base import Hit, InvocationCheck, _show, only
from safety.commands import (
    OTHER_INTERPRETERS,
    interpreter_code,
    is_interpreter,
    reads_code_from_stdin,
)
from safety.facts import Invocation, Span
from safety.paths import Place, classify

_INTERPRETERS = frozenset(
    OTHER_INTERPRETERS
    | {"bash", "sh", "zsh", "dash", "ksh"}
    | {"python", "python2", "python3", "pypy", "pypy3", "ipython"}
    | {f"python3.{minor}" for minor in range(6, 16)}
)
_DANGEROUS_PLACES = (
    Place.ROOT, Place.HOME, Place.SYSTEM_TOP, Place.SYSTEM, Place.HOME_DATA, Place.TOP_DIR,
    Place.DEVICE, Place.LOGS,
)  # fmt: skip


def programs(inv: Invocation) -> list[tuple[Span, str]]:
    """The code this invocation runs: its -c/-e argument, and code arriving on stdin."""
    found: list[tuple[Span, str]] = []
    code = interpreter_code(inv)
    if code is not None:
        found.append((code.span, code.text))
    if inv.stdin_text is not None and is_interpreter(inv.name) and reads_code_from_stdin(inv):
        found.append((inv.span, inv.stdin_text))
    return found


def effects_of(inv: Invocation, kind: str) -> Iterator[tuple[Span, str]]:
    for span, text in programs(inv):
        for found, detail in reader.effects(inv.name, text):
            if found == kind:
                yield span, detail


_only_interpreters = only(_INTERPRETERS)


@_only_interpreters
def code_deletes_path(inv: Invocation) -> Iterator[Hit]:
    for span, path in effects_of(inv, "delete-tree"):
        if path == "?" or classify(path) in _DANGEROUS_PLACES:
            yield span, _show(f"{inv.name}: " + ("a computed path" if path == "?" else path))


def _simple(kind: str) -> InvocationCheck:
    @_only_interpreters
    def check(inv: Invocation) -> Iterator[Hit]:
        for span, detail in effects_of(inv, kind):
            yield span, _show(f"{inv.name}: {detail}")
            return

    return check


code_decoded_exec = _simple("decoded-exec")


@_only_interpreters
def code_runs_download(inv: Invocation) -> Iterator[Hit]:
    """`node -e "exec(readFileSync('/dev/stdin'))" < <(curl ...)`: the download is the program."""
    if inv.stdin_download:
        for span, detail in effects_of(inv, "runs-stdin"):
            yield span, _show(f"{inv.name}: {detail}, a download")
            return


code_env_exfil = _simple("env-exfil")
code_secret_exfil = _simple("secret-exfil")
code_fork_loop = _simple("fork-loop")
code_alloc_loop = _simple("alloc-loop")


@_only_interpreters
def runs_decoded_file(inv: Invocation) -> Iterator[Hit]:
    """`python3 <(echo ... | base64 -d)`: the program is decoded text no one has read."""
    operands = [w for w in inv.args if not w.text.startswith("-")]
    if operands and operands[0].text.startswith("/dev/fd/") and operands[0].unknown:
        yield operands[0].span, _show(f"{inv.name} <(... decoded)")
