"""Sudoers and account files opened for editing (visudo, vipw, editors); accounts removed."""

from __future__ import annotations

from collections.abc import Iterator

from safety.checks.base import Hit, _hit, only
from safety.facts import Invocation
from safety.options import parse_options
from safety.paths import is_auth_file, normalise

_EDITORS = frozenset(
    {
        "vi", "vim", "nvim", "vim.basic", "vim.tiny", "nano", "pico", "emacs", "emacsclient",
        "ed", "ex", "micro", "joe", "jed", "mcedit", "ne", "mg", "kak", "hx", "helix", "vis",
        "gedit", "kate", "mousepad", "xed", "code", "subl", "sudoedit",
    }
)  # fmt: skip


def _is_sudoers(path: str, cwd: str | None) -> bool:
    norm = normalise(path, cwd)
    return norm in ("/etc/sudoers", "/private/etc/sudoers") or norm.startswith(
        ("/etc/sudoers.d/", "/private/etc/sudoers.d/")
    )


@only("visudo")
def visudo_edit(inv: Invocation) -> Iterator[Hit]:
    opts = parse_options(
        inv.args,
        short_arg="f",
        longs={"check": "c", "file": "f", "help": "h", "version": "V"},
        long_arg=("f",),
    )
    if opts.has("c", "h", "V"):
        return  # checks the syntax only
    files = opts.value("f")
    yield (_hit(files[0]) if files else (inv.span, "/etc/sudoers"))


@only(_EDITORS)
def editor_on_sudoers(inv: Invocation) -> Iterator[Hit]:
    for word in inv.args:
        if not word.text.startswith("-") and _is_sudoers(word.text, inv.cwd):
            yield _hit(word)


@only(_EDITORS | {"vipw", "vigr"})
def edits_accounts(inv: Invocation) -> Iterator[Hit]:
    if inv.name in ("vipw", "vigr"):
        if not any(a.text in ("-h", "--help") for a in inv.args):
            yield inv.span, "/etc/group" if inv.name == "vigr" else "/etc/passwd"
        return
    for word in inv.args:
        text = word.text
        if text.startswith("-") or _is_sudoers(text, inv.cwd):
            continue  # sudoers files are priv.sudoers-editor's to report
        if is_auth_file(text, inv.cwd):
            yield _hit(word)


@only("userdel", "deluser")
def removes_account_home(inv: Invocation) -> Iterator[Hit]:
    """`userdel -r NAME` / `deluser --remove-home NAME`: the account and all its files."""
    texts = [a.text for a in inv.args]
    removes = any(
        t in ("--remove", "--remove-home", "--remove-all-files")
        or (t.startswith("-") and not t.startswith("--") and "r" in t)
        for t in texts
    )
    names = [a for a in inv.args if not a.text.startswith("-")]
    if removes and names:
        yield _hit(names[-1])
