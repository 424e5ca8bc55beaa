"""Disks: formatting, wiping, partitioning, raw writes to devices."""

from __future__ import annotations

import re
from collections.abc import Iterator

from safety.checks.base import Hit, _hit, only
from safety.facts import DYN, DYN_SET, Invocation, Word
from safety.options import parse_options
from safety.paths import is_device

_MKFS = re.compile(
    r"^(?:mkfs(?:\.\w+)?|mke2fs|mkswap|mkdosfs|mkntfs|mkexfatfs|mkfs_\w+|newfs(?:_\w+)?|mkudffs)$"
)


def is_mkfs(name: str) -> bool:
    return bool(_MKFS.match(name))


def _mkfs_target(inv: Invocation) -> Word | None:
    operands = [a for a in inv.args if not a.text.startswith("-")]
    for word in operands:
        if word.text.startswith("/dev/"):
            return word
    # The device is the last operand (a block count may follow it, but rarely).
    return operands[-1] if operands else None


@only("mkfs", "diskutil")
def formats_device(inv: Invocation) -> Iterator[Hit]:
    if is_mkfs(inv.name):
        target = _mkfs_target(inv)
        if target is not None and (is_device(target.text) or target.text[:1] in (DYN, DYN_SET)):
            yield _hit(target)
    elif inv.name == "diskutil" and inv.args:
        verb = inv.args[0].text.lower()
        if verb in (
            "erasedisk",
            "erasevolume",
            "partitiondisk",
            "zerodisk",
            "randomdisk",
            "secureerase",
            "reformat",
            "splitpartition",
            "mergepartitions",
        ):
            yield _hit(inv.args[0])
        elif (
            verb == "apfs"
            and len(inv.args) > 1
            and inv.args[1]
            .text.lower()
            .startswith(("deletecontainer", "erasevolume", "deletevolume"))
        ):
            yield _hit(inv.args[1])


@only("mkfs")
def formats_file(inv: Invocation) -> Iterator[Hit]:
    if is_mkfs(inv.name):
        target = _mkfs_target(inv)
        if (
            target is not None
            and not is_device(target.text)
            and target.text[:1] not in (DYN, DYN_SET)
        ):
            yield _hit(target)


@only(
    "wipefs",
    "blkdiscard",
    "hdparm",
    "nvme",
    "sg_format",
    "sg_sanitize",
    "badblocks",
    "cryptsetup",
    "zpool",
    "lvremove",
    "vgremove",
    "pvremove",
    "shred",
)
def wipes_disk(inv: Invocation) -> Iterator[Hit]:
    name = inv.name
    texts = [a.text for a in inv.args]
    if name == "wipefs":
        opts = parse_options(
            inv.args,
            short_arg="ot",
            longs={"all": "a", "offset": "o", "types": "t"},
            long_arg=("o", "t"),
        )
        if opts.has("a", "o") and not opts.has("n", "no-act"):
            yield from (_hit(w) for w in opts.operands)
    elif name == "blkdiscard":
        yield from (_hit(w) for w in inv.args if not w.text.startswith("-"))
    elif name == "hdparm" and any(
        t.startswith(("--security-erase", "--trim-sector", "--write-sector", "--make-bad-sector"))
        for t in texts
    ):
        yield inv.span, "hdparm"
    elif name == "nvme" and texts and texts[0] in ("format", "sanitize", "delete-ns"):
        yield _hit(inv.args[0])
    elif (
        name in ("sg_format", "sg_sanitize")
        or name == "badblocks"
        and any(t.startswith("-") and "w" in t for t in texts)
        or (
            name == "cryptsetup"
            and texts
            and any(t in ("luksFormat", "erase", "luksErase", "reencrypt") for t in texts)
        )
    ):
        yield inv.span, name
    elif name in ("zpool",) and texts and texts[0] in ("destroy", "labelclear"):
        yield _hit(inv.args[0])
    elif name in ("lvremove", "vgremove", "pvremove"):
        yield inv.span, name
    elif name == "shred":
        for word in inv.args:
            if is_device(word.text):
                yield _hit(word)


_FDISK_LIST = {
    "-l",
    "--list",
    "-s",
    "--getsz",
    "-V",
    "--version",
    "-h",
    "--help",
    "-x",
    "--list-details",
}


@only("fdisk", "gdisk", "cfdisk", "sfdisk", "parted", "sgdisk", "gptfdisk")
def partitions(inv: Invocation) -> Iterator[Hit]:
    name = inv.name
    args = inv.args
    texts = [a.text for a in args]
    devices = [a for a in args if is_device(a.text) or a.text[:1] in (DYN, DYN_SET)]
    if name in ("fdisk", "gdisk", "cfdisk", "sfdisk"):
        if set(texts) & _FDISK_LIST or (
            name == "sfdisk"
            and set(texts) & {"-d", "--dump", "-J", "--json", "--show-size", "--verify", "-r"}
        ):
            return
        scripted = inv.stdin_kind in ("pipe", "heredoc", "herestring", "file") or name == "sfdisk"
        if devices and scripted:
            yield _hit(devices[0])
    elif name == "parted":
        verbs = {
            "mklabel",
            "mktable",
            "mkpart",
            "rm",
            "resizepart",
            "resize",
            "rescue",
            "mkpartfs",
            "mkfs",
            "name",
            "set",
            "toggle",
            "disk_set",
        }
        if devices and any(t in verbs for t in texts):
            yield _hit(devices[0])
    elif name in ("sgdisk", "gptfdisk"):
        reading = {
            "-p",
            "--print",
            "-i",
            "--info",
            "-v",
            "--verify",
            "-b",
            "--backup",
            "-L",
            "--list-types",
            "-P",
            "--pretend",
            "-O",
            "--print-mbr",
            "-V",
            "--version",
            "-?",
            "--help",
        }
        writes = [t for t in texts if t.startswith("-") and t.split("=", 1)[0] not in reading]
        if devices and writes:
            yield _hit(devices[0])


@only("fdisk", "gdisk", "cfdisk", "parted")
def partitions_interactively(inv: Invocation) -> Iterator[Hit]:
    if inv.name in ("fdisk", "gdisk", "cfdisk", "parted"):
        texts = {a.text for a in inv.args}
        if texts & _FDISK_LIST or "print" in texts or "-l" in texts:
            return
        if inv.stdin_kind in ("pipe", "heredoc", "herestring", "file"):
            return
        operands = [a for a in inv.args if is_device(a.text)]
        if operands and len([a for a in inv.args if not a.text.startswith("-")]) == 1:
            yield _hit(operands[0])
