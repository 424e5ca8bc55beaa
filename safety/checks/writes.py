"""Writes to files and devices: auth, start-up, log and system files."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from safety.checks.base import DELETERS, PERMS, Hit, InvocationCheck, _hit, only
from safety.checks.deletion import delete_targets
from safety.checks.permissions import _perm_targets
from safety.checks.startup import everyday_append
from safety.commands import write_targets
from safety.facts import Invocation
from safety.paths import (
    Place,
    classify,
    is_auth_file,
    is_device,
    is_history_file,
    is_local_install,
    is_secret,
    is_startup_file,
    normalise,
)

_QUIET_DEVICES = ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/zero", "/dev/fd/")


def writes_device(inv: Invocation) -> Iterator[Hit]:
    for word, _how in write_targets(inv):
        if is_device(word.text) or classify(word.text, inv.cwd) is Place.DEVICE:
            yield _hit(word)


def writes_where(
    predicate: Callable[[str, str | None], bool],
    *,
    truncate_only: bool = False,
    deletes: bool = False,
) -> InvocationCheck:
    """A check: writes (or, with deletes=True, also deletes) a path matching `predicate`."""

    def check(inv: Invocation) -> Iterator[Hit]:
        for word, how in write_targets(inv):
            if truncate_only and how != "truncate":
                continue
            if predicate(word.text, inv.cwd):
                yield _hit(word)
        if deletes:
            for word, _rec in delete_targets(inv):
                if predicate(word.text, inv.cwd):
                    yield _hit(word)
            if inv.name in ("ln",) and inv.args:
                target = inv.args[-1]
                if predicate(target.text, inv.cwd):
                    yield _hit(target)

    return check


def _auth(path: str, cwd: str | None) -> bool:
    return is_auth_file(path, cwd)


def _login_keys(path: str, cwd: str | None) -> bool:
    """An ssh authorized_keys file: a key written there lets its holder log in."""
    return normalise(path, cwd).rsplit("/", 1)[-1] in ("authorized_keys", "authorized_keys2")


def writes_login_keys_here(inv: Invocation) -> Iterator[Hit]:
    """A key added to this machine's authorized_keys. Through ssh it is the usual way to
    install your own key on another host (what ssh-copy-id does), so that is left alone."""
    if "ssh" in inv.via:
        return
    yield from _writes_login_keys(inv)


_writes_login_keys = writes_where(_login_keys)


def _preload(path: str, cwd: str | None) -> bool:
    return normalise(path, cwd) == "/etc/ld.so.preload"


def _startup(path: str, cwd: str | None) -> bool:
    return is_startup_file(path, cwd)


def startup_not_everyday(inv: Invocation) -> Iterator[Hit]:
    """A start-up file changed with anything but everyday lines (those are moderate)."""
    if not everyday_append(inv):
        yield from _writes_startup(inv)


_writes_startup = writes_where(_startup)


def _history(path: str, cwd: str | None) -> bool:
    return is_history_file(path)


# Rotated, compressed copies of a log (`access.log.3.gz`, `syslog.1`, `auth.log-20240101`):
# removing those is housekeeping, not hiding what happened.
_ROTATED = re.compile(r"\.(gz|xz|bz2|zst|lz4|old|\d+)$|-\d{8}$")


def _logs(path: str, cwd: str | None) -> bool:
    return classify(path, cwd) is Place.LOGS and not _ROTATED.search(path)


def _sysrq(path: str, cwd: str | None) -> bool:
    return normalise(path, cwd) in ("/proc/sysrq-trigger",)


def _system_file(path: str, cwd: str | None) -> bool:
    norm = normalise(path, cwd)
    if norm.startswith(_QUIET_DEVICES) or norm.startswith(("/dev/tcp/", "/dev/udp/", "/dev/shm/")):
        return False
    if norm.startswith(("/proc/self/", "/proc/sys/", "/sys/")) or norm == "/proc/sysrq-trigger":
        return False
    if is_auth_file(path, cwd) or is_startup_file(path, cwd) or norm == "/etc/ld.so.preload":
        return False  # judged by their own, sharper rules
    if is_local_install(path, cwd):
        return False
    return classify(path, cwd) in (Place.SYSTEM, Place.SYSTEM_TOP)


def writes_system_file(inv: Invocation) -> Iterator[Hit]:
    """A write to a system file, everyday configuration edits aside (sysfile.config-edit)."""
    from safety.checks.config_edits import everyday_edit

    for word, how in write_targets(inv):
        if _system_file(word.text, inv.cwd) and not everyday_edit(inv, word, how):
            yield _hit(word)


def _keys_or_documents(path: str, cwd: str | None) -> bool:
    """A credential, or keys and documents in a home: emptying one loses it like deleting."""
    return is_secret(path) or classify(path, cwd) is Place.HOME_DATA


_EMPTY_KEYS = writes_where(_keys_or_documents, truncate_only=True)


# Commands that write nothing: their `>` only empties the file.
_WRITES_NOTHING = frozenset({"", ":", "true", "cp", "truncate"})


def empties_keys(inv: Invocation) -> Iterator[Hit]:
    """`cp /dev/null ~/.ssh/id_rsa`, `: > ~/.aws/credentials`, `truncate -s 0 KEY`. A command
    that writes something into the file (`openssl rand > secret.key`) makes a new one; shredding
    is asked for by name and judged by the deletion rules."""
    texts = [w.text for w in inv.args]
    empty_echo = inv.name == "echo" and all(t == "-n" for t in texts)
    empty_cat = inv.name == "cat" and texts == ["/dev/null"]
    if inv.name in _WRITES_NOTHING or empty_echo or empty_cat:
        yield from _EMPTY_KEYS(inv)


# The places a data rule's writes_where may name (safety/checks/named.py).
PREDICATES = {
    "auth": _auth,
    "history": _history,
    "logs": _logs,
    "preload": _preload,
    "sysrq": _sysrq,
    "system_file": _system_file,
}


@only(PERMS, DELETERS)
def perms_on_auth(inv: Invocation) -> Iterator[Hit]:
    for word in _perm_targets(inv):
        if is_auth_file(word.text, inv.cwd):
            yield _hit(word)
    for word, _rec in delete_targets(inv):
        if is_auth_file(word.text, inv.cwd):
            yield _hit(word)
