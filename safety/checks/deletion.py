"""Deletion: rm, find -delete, mv away, rsync --delete, shred."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from safety.checks.base import DELETERS, Hit, InvocationCheck, _hit, _program, only
from safety.commands import rm_options
from safety.facts import DYNAMIC_CHARS, Invocation, Word
from safety.options import parse_options
from safety.paths import Place, classify, is_secret, normalise
from safety.wrappers import find_is_selective, find_start_paths

if TYPE_CHECKING:
    from safety.facts import Walk


def delete_targets(inv: Invocation) -> Iterator[tuple[Word, bool]]:
    """(path, recursive) for everything this invocation deletes."""
    name = inv.name
    args = inv.args
    # Under `find START -exec CMD {}`, CMD reaches every file below START: recursive in effect.
    via_find = bool(inv.via) and inv.via[-1] == "find -exec" and not inv.selective
    if name in ("rm", "unlink", "srm", "grm"):
        opts = rm_options(args)
        recursive = opts.has("r") or via_find
        for word in opts.operands:
            yield word, recursive
    elif name == "find":
        if any(a.text in ("-delete",) for a in args):
            starts = find_start_paths(args) or [Word(".", inv.span)]
            if not find_is_selective(args):
                for word in starts:
                    yield word, True
    elif name == "mv":
        opts = parse_options(args, short_arg="tS", longs={"target-directory": "t"}, long_arg=("t",))
        if len(opts.operands) >= 2:
            for word in opts.operands[:-1]:
                # Moving a tree away is deleting it where it stood; an ordinary file moved
                # onto /dev/null is delete.to-null's to report, not a recursive deletion.
                place = classify(word.text, inv.cwd)
                if place in (Place.ROOT, Place.HOME, Place.SYSTEM_TOP, Place.SYSTEM):
                    yield word, True
    elif name == "rsync" and any(a.text.startswith("--delete") for a in args):
        operands = [a for a in args if not a.text.startswith("-")]
        if len(operands) >= 2 and ":" not in operands[-1].text:
            yield operands[-1], True
    elif name in ("tar", "bsdtar", "gtar") and any(a.text == "--remove-files" for a in args):
        # Archiving with --remove-files deletes what went into the archive.
        texts = [a.text for a in args]
        skip = {i + 1 for i, t in enumerate(texts) if t in ("-f", "--file", "-C", "--directory")}
        bundled_f = next((i for i, t in enumerate(texts) if re.fullmatch(r"-?[a-zA-Z]*f", t)), None)
        if (
            bundled_f is not None
            and bundled_f > 0
            or (bundled_f == 0 and not texts[0].startswith("--"))
        ):
            skip.add(bundled_f + 1)
        for i, word in enumerate(args):
            if i not in skip and not word.text.startswith("-") and i > 0:
                yield word, True
    elif name == "zip" and any(
        a.text.startswith("-") and not a.text.startswith("--") and "m" in a.text for a in args
    ):
        # zip -m moves the files into the archive: the first operand is the archive.
        operands = [a for a in args if not a.text.startswith("-")]
        for word in operands[1:]:
            yield word, True
    elif name == "shred":
        # Shredding destroys the contents whether or not -u then unlinks the file.
        opts = parse_options(args, short_arg="nsx", longs={"iterations": "n", "size": "s"},
                             long_arg=("n", "s"))  # fmt: skip
        for word in opts.operands:
            yield word, via_find


def deletes_place(
    *places: Place, recursive: bool = True, glob_too: bool = False
) -> InvocationCheck:
    """A check: deletes something in `places` (recursively, unless recursive=False)."""

    @only(DELETERS)
    def check(inv: Invocation) -> Iterator[Hit]:
        for word, is_recursive in delete_targets(inv):
            all_in_dir = glob_too and word.text.rstrip("/").endswith("*")
            if recursive and not is_recursive and not all_in_dir:
                continue
            if classify(word.text, inv.cwd) in places:
                yield _hit(word)

    return check


def deletes_tree_under(*, parents: list[str]) -> InvocationCheck:
    """A check: deletes, recursively, a whole directory directly below one of `parents`
    (a site under /var/www), or everything in it."""
    tops = tuple(p.rstrip("/") + "/" for p in parents)

    @only(DELETERS)
    def check(inv: Invocation) -> Iterator[Hit]:
        for word, is_recursive in delete_targets(inv):
            norm = normalise(word.text, inv.cwd).rstrip("/")
            for top in tops:
                rest = norm[len(top) :] if norm.startswith(top) else ""
                whole = rest.removesuffix("/*").removesuffix("/.*")
                if is_recursive and rest and "/" not in whole and not whole.startswith("."):
                    yield _hit(word)
                    break

    return check


@only(DELETERS)
def deletes_all_files(inv: Invocation) -> Iterator[Hit]:
    for word, recursive in delete_targets(inv):
        if not recursive and classify(word.text, inv.cwd) is Place.CWD:
            yield _hit(word)


@only("find")
def find_wide_delete(inv: Invocation) -> Iterator[Hit]:
    args = inv.args
    deletes = any(a.text == "-delete" for a in args)
    for i, a in enumerate(args):
        if a.text in ("-exec", "-execdir", "-ok", "-okdir") and i + 1 < len(args):
            inner = args[i + 1].text.rsplit("/", 1)[-1]
            deletes = deletes or inner in ("rm", "shred", "unlink")
    if not deletes or not find_is_selective(args):
        return
    for word in find_start_paths(args):
        if classify(word.text, inv.cwd) in (Place.ROOT, Place.HOME, Place.SYSTEM_TOP):
            yield _hit(word)


@only(DELETERS)
def deletes_unknown(inv: Invocation) -> Iterator[Hit]:
    """Recursive deletion of a path nobody can know before it runs: a line read from input,
    a function or script argument, all of it (not `build/$f`). Fail closed."""
    # Lines read from a listing of the home or a system tree name files there, one by one.
    listed = any(
        classify(p, inv.cwd) in _LISTED_DANGER or is_secret(p) for p in inv.stdin_paths or ()
    )
    for word, recursive in delete_targets(inv):
        if (recursive or listed) and word.unknown and word.text[:1] in DYNAMIC_CHARS:
            yield _hit(word)


_LISTED_DANGER = (
    Place.ROOT, Place.HOME, Place.HOME_DATA, Place.SYSTEM_TOP, Place.SYSTEM, Place.LOGS,
)  # fmt: skip


@only(DELETERS)
def deletes_repository(inv: Invocation) -> Iterator[Hit]:
    """The .git folder: every commit, branch and stash not pushed anywhere."""
    for word, recursive in delete_targets(inv):
        parts = [p for p in normalise(word.text, inv.cwd).split("/") if p not in ("", ".")]
        if recursive and parts and parts[-1] == ".git":
            yield _hit(word)


@only("mv")
def moves_to_null(inv: Invocation) -> Iterator[Hit]:
    opts = parse_options(inv.args, short_arg="tS")
    if len(opts.operands) >= 2 and normalise(opts.operands[-1].text) == "/dev/null":
        for word in opts.operands[:-1]:
            yield _hit(word)


# Places whose loss is a deletion worth stopping wherever the deletion happens.
_PRECIOUS = (Place.ROOT, Place.HOME, Place.HOME_DATA, Place.SYSTEM_TOP, Place.SYSTEM, Place.LOGS)


def _moves(inv: Invocation) -> tuple[list[Word], Word] | None:
    """(sources, destination) of a mv, or None."""
    if inv.name != "mv":
        return None
    opts = parse_options(inv.args, short_arg="tS", longs={"target-directory": "t"}, long_arg=("t",))
    target = opts.value("t")
    if target:
        return list(opts.operands), target[0]
    if len(opts.operands) >= 2:
        return list(opts.operands[:-1]), opts.operands[-1]
    return None


def _within(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip("/") + "/")


@_program
def deletes_moved_away(walker: Walk) -> Iterator[Hit]:
    """Data flow across a chain: a home, key, document or system tree moved somewhere
    ordinary and deleted there (`mv ~/.ssh /tmp/x && rm -rf /tmp/x`) is deleted all the same."""
    moved: dict[str, tuple[str, bool]] = {}  # where it went (normalised) -> (source, secret)
    for inv in walker.invocations:
        if moved and inv.name in DELETERS:
            for word, recursive in delete_targets(inv):
                gone = normalise(word.text.rstrip("*").rstrip("/") or "/", inv.cwd)
                for where, (source, secret) in moved.items():
                    # The moved tree itself, or a folder holding it; not its new neighbours.
                    if (recursive or secret) and _within(where, gone):
                        yield word.span, f"{source}, moved to {word.text}"
                        return
        found = _moves(inv)
        if found is None:
            continue
        sources, dest = found
        into = normalise(dest.text, inv.cwd)
        for word in sources:
            secret = is_secret(word.text)
            if secret or classify(word.text, inv.cwd) in _PRECIOUS:
                name = normalise(word.text, inv.cwd).rstrip("/").rsplit("/", 1)[-1]
                moved[into] = (word.text, secret)  # `mv ~/.ssh /tmp/x`: now /tmp/x ...
                moved[f"{into.rstrip('/')}/{name}"] = (word.text, secret)  # ... or /tmp/x/.ssh
