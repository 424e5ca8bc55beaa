"""Permissions and privilege: recursive chmod/chown, setuid, admin groups, uid 0."""

from __future__ import annotations

import re
from collections.abc import Iterator

from safety.checks.base import PERMS, Hit, InvocationCheck, _hit, only
from safety.facts import Invocation, Word
from safety.options import parse_options
from safety.paths import Place, classify, is_auth_file, is_local_install


def _perm_targets(inv: Invocation) -> list[Word]:
    if inv.name not in ("chmod", "chown", "chgrp", "setfacl", "chattr"):
        return []
    opts = parse_options(
        inv.args,
        short_arg="mMxX" if inv.name == "setfacl" else "",
        longs={"recursive": "R", "reference": "reference"},
        long_arg=("reference",),
    )
    operands = list(opts.operands)
    if inv.name == "chattr":
        operands = [w for w in inv.args if not w.text.startswith(("-", "+", "="))]
        return operands
    if inv.name == "setfacl":
        return operands
    if opts.value("reference"):
        return operands
    # chmod's first operand is the mode (which may itself look like -x or -w).
    mode_from_flag = inv.name == "chmod" and any(
        re.fullmatch(r"-[rwxXstugo]+", a.text) and not re.fullmatch(r"-[Rcfv]+", a.text)
        for a in inv.args
    )
    return operands if mode_from_flag else operands[1:]


def _perm_recursive(inv: Invocation) -> bool:
    return any(
        a.text in ("-R", "--recursive") or re.fullmatch(r"-[a-zA-Z]*R[a-zA-Z]*", a.text) is not None
        for a in inv.args
    )


def perms_recursive_on(*places: Place) -> InvocationCheck:
    @only(PERMS)
    def check(inv: Invocation) -> Iterator[Hit]:
        if not _perm_recursive(inv):
            return
        for word in _perm_targets(inv):
            if classify(word.text, inv.cwd) in places:
                yield _hit(word)

    return check


def _acl_grants_read_only(inv: Invocation) -> bool:
    """`setfacl -m u:www-data:rx DIR`: entries that add reading, never writing or removal."""
    texts = [w.text for w in inv.args]
    entries = [texts[i + 1] for i, t in enumerate(texts[:-1]) if t in ("-m", "--modify")]
    if not entries or any(
        t in ("-x", "-b", "-k", "--remove", "--remove-all", "-M", "-X", "--set") for t in texts
    ):
        return False
    perms = [e.rsplit(":", 1)[-1] for entry in entries for e in entry.split(",")]
    return all(p and "w" not in p.lower() for p in perms)


# A configuration file under /etc made readable, private or root's own again: routine.
_SYMBOLIC = r"(?:[ugo]*[-=][rwx]*|a?\+r)"
_ORDINARY_MODE = re.compile(rf"0?[4-7][0145][0145]|{_SYMBOLIC}(?:,{_SYMBOLIC})*")
_ROOT_OWNER = re.compile(r"root(?:[:.](?:root|wheel|adm)?)?")


def _tidies_config(inv: Invocation, word: Word, recursive: bool) -> bool:
    path = word.text
    if recursive or not path.startswith("/etc/") or path.rstrip("/").count("/") < 2:
        return False
    if inv.name == "chmod":
        mode = _chmod_mode(inv)
        return mode is not None and _ORDINARY_MODE.fullmatch(mode) is not None
    if inv.name in ("chown", "chgrp"):
        owners = [w.text for w in inv.args if not w.text.startswith("-")][:1]
        return bool(owners) and _ROOT_OWNER.fullmatch(owners[0]) is not None
    return False


@only(PERMS)
def perms_on_system(inv: Invocation) -> Iterator[Hit]:
    if inv.name == "setfacl" and _acl_grants_read_only(inv):
        return
    recursive = _perm_recursive(inv)
    for word in _perm_targets(inv):
        place = classify(word.text, inv.cwd)
        if is_auth_file(word.text, inv.cwd) or (
            not recursive and is_local_install(word.text, inv.cwd)
        ):
            continue
        if _tidies_config(inv, word, recursive):
            continue
        if place is Place.SYSTEM or (not recursive and place in (Place.ROOT, Place.SYSTEM_TOP)):
            yield _hit(word)


def _chmod_mode(inv: Invocation) -> str | None:
    if inv.name != "chmod":
        return None
    for word in inv.args:
        text = word.text
        if text.startswith("--"):
            continue
        if re.fullmatch(r"-[Rcfv]+", text):
            continue
        return text
    return None


def _world_writable(mode: str) -> bool:
    if re.fullmatch(r"[0-7]{3,4}", mode):
        return mode[-1] in "2367"
    return bool(re.search(r"(?:^|,)[ao]*[+=][rwxXst]*w", mode)) or mode in (
        "+w",
        "a+rwx",
        "ugo+rwx",
    )


def world_writable_recursive(*places: Place) -> InvocationCheck:
    @only("chmod")
    def check(inv: Invocation) -> Iterator[Hit]:
        mode = _chmod_mode(inv)
        if mode is None or not _perm_recursive(inv) or not _world_writable(mode):
            return
        for word in _perm_targets(inv):
            if classify(word.text, inv.cwd) in places:
                yield _hit(word)

    return check


def _setuid(mode: str) -> bool:
    if re.fullmatch(r"[0-7]{4,5}", mode):
        return int(mode[-4]) & 6 != 0
    return bool(re.search(r"[ugoa]*[+=][rwxXt]*s", mode))


_SHELLISH = re.compile(
    r"(?:^|/)(?:ba|z|da|k|c|tc|fi)?sh$|(?:^|/)(?:python[\d.]*|perl|ruby|node|php|lua|vim?|nano|find|"
    r"cp|mv|env|awk|gawk|less|more|tar|zip|busybox|nmap|bash\d*|dd|tee|git)$"
)


def setuid(shell_only: bool) -> InvocationCheck:
    @only("chmod")
    def check(inv: Invocation) -> Iterator[Hit]:
        mode = _chmod_mode(inv)
        if mode is None or not _setuid(mode):
            return
        for word in _perm_targets(inv):
            if bool(_SHELLISH.search(word.text)) == shell_only:
                yield _hit(word)

    return check


_ADMIN_GROUPS = {"sudo", "wheel", "admin", "root", "adm", "docker", "lxd", "disk", "shadow"}


@only(
    "usermod",
    "useradd",
    "gpasswd",
    "adduser",
    "addgroup",
    "dseditgroup",
    "dscl",
    "net",
    "net.exe",
    "Add-LocalGroupMember",
)
def adds_admin(inv: Invocation) -> Iterator[Hit]:
    name = inv.name
    texts = [a.text for a in inv.args]
    if name in ("usermod", "useradd"):
        opts = parse_options(
            inv.args,
            short_arg="cdefgGlpsuLU",
            longs={"groups": "G", "append": "a"},
            long_arg=("G",),
        )
        for word in opts.value("G", "g"):
            if set(word.text.split(",")) & _ADMIN_GROUPS:
                yield _hit(word)
    elif (
        name == "gpasswd"
        and len(texts) >= 3
        and texts[0] in ("-a", "--add", "-M")
        and texts[2] in _ADMIN_GROUPS
    ):
        yield _hit(inv.args[2])
    elif name in ("adduser", "addgroup") and len(texts) == 2 and texts[1] in _ADMIN_GROUPS:
        yield _hit(inv.args[1])
    elif name == "dseditgroup" and "-a" in texts and set(texts) & _ADMIN_GROUPS:
        yield inv.span, "admin"
    elif name in ("net", "net.exe") and [t.lower() for t in texts[:2]] == [
        "localgroup",
        "administrators",
    ]:
        if any(t.lower() == "/add" for t in texts[2:]):
            yield _hit(inv.args[1])  # Windows: `net localgroup administrators bob /add`
    elif name == "Add-LocalGroupMember":
        for i, text in enumerate(texts[:-1]):
            if text.lower() in ("-group", "-name") and texts[i + 1].lower() == "administrators":
                yield _hit(inv.args[i + 1])
    elif name == "dscl":
        # macOS directory service: `dscl . -append /Groups/admin GroupMembership guest`.
        verbs = {t.lstrip("-").lower() for t in texts[1:3]}
        for i, text in enumerate(texts):
            group = text.rstrip("/").rsplit("/", 1)[-1]
            if (
                verbs & {"append", "merge", "create"}
                and text.startswith("/Groups/")
                and group in _ADMIN_GROUPS
                and any(t in ("GroupMembership", "GroupMembers") for t in texts[i + 1 :])
            ):
                yield _hit(inv.args[i])


@only("useradd", "usermod", "adduser")
def uid_zero(inv: Invocation) -> Iterator[Hit]:
    if inv.name not in ("useradd", "usermod", "adduser"):
        return
    opts = parse_options(
        inv.args, short_arg="cdefgGlpsuLUK", longs={"uid": "u", "non-unique": "o"}, long_arg=("u",)
    )
    for word in opts.value("u"):
        if word.text == "0":
            yield _hit(word)


@only("passwd", "usermod")
def removes_password(inv: Invocation) -> Iterator[Hit]:
    if inv.name == "passwd" and any(a.text in ("-d", "--delete") for a in inv.args):
        yield inv.span, "passwd -d"
    elif inv.name == "usermod" and any(a.text in ("-p", "--password") for a in inv.args):
        idx = next(i for i, a in enumerate(inv.args) if a.text in ("-p", "--password"))
        if idx + 1 < len(inv.args) and inv.args[idx + 1].text in ("", "''", '""'):
            yield _hit(inv.args[idx])


@only("setcap")
def sets_capabilities(inv: Invocation) -> Iterator[Hit]:
    if inv.name == "setcap" and any(
        re.search(
            r"cap_(?:setuid|setgid|sys_admin|dac_override|dac_read_search|sys_ptrace|chown)|^all[=+]",
            a.text,
        )
        for a in inv.args
    ):
        yield inv.span, "setcap"
