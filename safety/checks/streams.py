"""An endless device read through any program into a file: `cat /dev/urandom | gzip > f`,
`xxd /dev/urandom > f`. Nothing stops it before the disk is full."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from safety.checks.base import Hit, _hit, _program, _show, only
from safety.facts import Invocation

if TYPE_CHECKING:
    from safety.facts import Walk

_ENDLESS = frozenset({"/dev/zero", "/dev/urandom", "/dev/random", "/dev/full"})
_QUIET = ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty")
# Single commands the resources.fill-disk rule already reads on their own.
_JUDGED_ALONE = frozenset({"cat", "dd", "pv", "head"})
_COUNT = re.compile(
    r"^(count=|iflag=count)|^-[cn]\d*$|^--(bytes|lines)(=|$)|^-[sS]$|^--stop-at-size"
)


def _reads_endless(inv: Invocation) -> bool:
    if any(w.text in _ENDLESS or w.text.removeprefix("if=") in _ENDLESS for w in inv.args):
        return True
    return any(
        r.op == "<" and r.target is not None and r.target.text in _ENDLESS for r in inv.redirects
    )


# Options that stop a reader after so many bytes.
_LENGTH_OPTIONS = {"xxd": ("-l", "-len"), "od": ("-N", "--read-bytes"), "hexdump": ("-n",),
                   "hd": ("-n",)}  # fmt: skip


def _bounded(inv: Invocation) -> bool:
    """head -c, dd count=, pv -S, xxd -l, or a timeout around it: the stream ends."""
    if "timeout" in " ".join(inv.via):
        return True
    lengths = _LENGTH_OPTIONS.get(inv.name, ())
    if any(w.text.startswith(lengths) for w in inv.args if lengths):
        return True
    return inv.name in ("head", "dd", "pv") and any(_COUNT.match(w.text) for w in inv.args)


def _writes_file(inv: Invocation) -> str | None:
    for r in inv.redirects:
        if r.writes and r.target is not None and not r.target.text.startswith(_QUIET):
            return r.target.text
    if inv.name == "tee":
        files = [w.text for w in inv.args if not w.text.startswith("-")]
        return next((f for f in files if not f.startswith(_QUIET)), None)
    return None


@_program
def fills_from_device(walker: Walk) -> Iterator[Hit]:
    stages: dict[int, list[Invocation]] = {}
    for inv in walker.invocations:
        if inv.pipe is None:
            if inv.name not in _JUDGED_ALONE and _reads_endless(inv) and not _bounded(inv):
                target = _writes_file(inv)
                if target:
                    yield inv.span, _show(f"{inv.name} … > {target}")
                    return
            continue
        stages.setdefault(inv.pipe, []).append(inv)
    for pipeline in stages.values():
        pipeline.sort(key=lambda inv: inv.stage)
        if not _reads_endless(pipeline[0]) or any(_bounded(inv) for inv in pipeline):
            continue
        target = _writes_file(pipeline[-1])
        if target:
            yield (
                (pipeline[0].span[0], pipeline[-1].span[1]),
                _show(f"… | {pipeline[-1].name} > {target}"),
            )
            return


_SIZE_OPTIONS = ("-l", "--length")


@only("fallocate", "mkfile", "xfs_mkfile")
def size_from_command(inv: Invocation) -> Iterator[Hit]:
    """`fallocate -l "$(df --output=avail ...)" f`: a size only known when a command runs."""
    args = inv.args
    for i, word in enumerate(args):
        if inv.name == "fallocate":
            sized = i > 0 and args[i - 1].text in _SIZE_OPTIONS
            sized = sized or word.text.startswith(("--length=", "-l="))
        else:
            sized = not word.text.startswith("-") and all(a.text.startswith("-") for a in args[:i])
        if sized and word.from_subst and word.dynamic:
            yield _hit(word)
            return
