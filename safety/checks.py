"""The predicates behind the rule table: each looks at one invocation (or the whole walk)
and yields (span, target) for every place it matches."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from safety import exfil, interp
from safety.commands import (
    CORE_COMMANDS,
    NET_CLIENTS,
    interpreter_code,
    is_interpreter,
    is_shell,
    reads_code_from_stdin,
    rm_options,
    shell_command_string,
    write_targets,
)
from safety.facts import DYN, DYN_SET, PATH_MARK, Invocation, Span, Word
from safety.options import parse_options
from safety.paths import (
    Place,
    classify,
    is_auth_file,
    is_device,
    is_history_file,
    is_startup_file,
    normalise,
)
from safety.wrappers import find_is_selective, find_start_paths

if TYPE_CHECKING:
    from safety.walker import Walker

Hit = tuple[Span, str]

DELETERS = frozenset({"rm", "unlink", "srm", "grm", "find", "mv", "rsync", "shred"})
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


def only(*names: str | frozenset[str]):  # noqa: ANN201
    """Mark a check as relevant to these command names only, so the engine can skip it."""
    flat: set[str] = set()
    for n in names:
        flat.update([n] if isinstance(n, str) else n)

    def mark(check):  # noqa: ANN001, ANN202
        check.commands = frozenset(flat)
        return check

    return mark


def command_key(name: str) -> str:
    """The index key for a command name: every mkfs.* spelling shares one."""
    return "mkfs" if is_mkfs(name) else name


def _hit(word: Word) -> Hit:
    return word.span, _show(word.text)


def _show(text: str) -> str:
    shown = text.replace(DYN, "$…").replace(DYN_SET, "$…").replace(PATH_MARK, "$PATH")
    return shown if len(shown) <= 60 else shown[:57] + "..."


# ---- deletion -----------------------------------------------------------------------------


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
            dest = opts.operands[-1]
            to_null = normalise(dest.text) == "/dev/null"
            for word in opts.operands[:-1]:
                place = classify(word.text, inv.cwd)
                if to_null or place in (Place.ROOT, Place.HOME, Place.SYSTEM_TOP, Place.SYSTEM):
                    yield word, True
    elif name == "rsync" and any(a.text.startswith("--delete") for a in args):
        operands = [a for a in args if not a.text.startswith("-")]
        if len(operands) >= 2 and ":" not in operands[-1].text:
            yield operands[-1], True
    elif name == "shred":
        # Shredding destroys the contents whether or not -u then unlinks the file.
        opts = parse_options(args, short_arg="nsx", longs={"iterations": "n", "size": "s"},
                             long_arg=("n", "s"))  # fmt: skip
        for word in opts.operands:
            yield word, via_find


def deletes_place(*places: Place, recursive: bool = True, glob_too: bool = False):  # noqa: ANN201
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


@only("mv")
def moves_to_null(inv: Invocation) -> Iterator[Hit]:
    opts = parse_options(inv.args, short_arg="tS")
    if len(opts.operands) >= 2 and normalise(opts.operands[-1].text) == "/dev/null":
        yield _hit(opts.operands[0])


# ---- writes to files and devices ----------------------------------------------------------

_QUIET_DEVICES = ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/zero", "/dev/fd/")


def writes_device(inv: Invocation) -> Iterator[Hit]:
    for word, _how in write_targets(inv):
        if is_device(word.text) or classify(word.text, inv.cwd) is Place.DEVICE:
            yield _hit(word)


def writes_where(predicate, *, truncate_only: bool = False, deletes: bool = False):  # noqa: ANN001, ANN201
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


def _preload(path: str, cwd: str | None) -> bool:
    return normalise(path, cwd) == "/etc/ld.so.preload"


def _startup(path: str, cwd: str | None) -> bool:
    return is_startup_file(path, cwd)


def _history(path: str, cwd: str | None) -> bool:
    return is_history_file(path)


def _logs(path: str, cwd: str | None) -> bool:
    return classify(path, cwd) is Place.LOGS


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
    return classify(path, cwd) in (Place.SYSTEM, Place.SYSTEM_TOP)


@only(PERMS, DELETERS)
def perms_on_auth(inv: Invocation) -> Iterator[Hit]:
    for word in _perm_targets(inv):
        if is_auth_file(word.text, inv.cwd):
            yield _hit(word)
    for word, _rec in delete_targets(inv):
        if is_auth_file(word.text, inv.cwd):
            yield _hit(word)


# ---- disks --------------------------------------------------------------------------------

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


# ---- permissions and privilege ------------------------------------------------------------


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


def perms_recursive_on(*places: Place):  # noqa: ANN201
    @only(PERMS)
    def check(inv: Invocation) -> Iterator[Hit]:
        if not _perm_recursive(inv):
            return
        for word in _perm_targets(inv):
            if classify(word.text, inv.cwd) in places:
                yield _hit(word)

    return check


@only(PERMS)
def perms_on_system(inv: Invocation) -> Iterator[Hit]:
    recursive = _perm_recursive(inv)
    for word in _perm_targets(inv):
        place = classify(word.text, inv.cwd)
        if is_auth_file(word.text, inv.cwd):
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


def world_writable_recursive(*places: Place):  # noqa: ANN201
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


def setuid(shell_only: bool):  # noqa: ANN201
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


@only("usermod", "useradd", "gpasswd", "adduser", "addgroup", "dseditgroup")
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
    elif name == "dseditgroup" and "admin" in texts and "-a" in texts:
        yield inv.span, "admin"


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


# ---- processes and power ------------------------------------------------------------------


@only(
    "shutdown",
    "reboot",
    "halt",
    "poweroff",
    "init",
    "telinit",
    "systemctl",
    "loginctl",
    "osascript",
)
def shuts_down(inv: Invocation) -> Iterator[Hit]:
    name = inv.name
    texts = [a.text for a in inv.args]
    if name in ("shutdown", "reboot", "halt", "poweroff"):
        if set(texts) & {"-c", "--help", "-k", "--show"}:
            return
        yield inv.argv[0].span, name
    elif name in ("init", "telinit") and texts and texts[0] in ("0", "6", "1", "s", "S"):
        yield inv.span, name + " " + texts[0]
    elif (
        name in ("systemctl", "loginctl")
        and any(
            t in ("poweroff", "reboot", "halt", "kexec", "soft-reboot")
            or t.startswith(("rescue", "emergency"))
            for t in texts
        )
        or (
            name == "systemctl"
            and "isolate" in texts
            and any(
                t.startswith(
                    ("rescue", "emergency", "poweroff", "reboot", "halt", "runlevel0", "runlevel6")
                )
                for t in texts
            )
        )
        or name == "osascript"
        and any(re.search(r"shut down|restart|\bsleep\b", t, re.I) for t in texts)
    ):
        yield inv.span, name


def _kill_targets(inv: Invocation) -> list[Word]:
    args = list(inv.args)
    if args and args[0].text in ("-s", "-n", "--signal"):
        args = args[2:]
    elif (
        args
        and args[0].text.startswith("-")
        and args[0].text not in ("--",)
        and not args[0].text.startswith("--")
    ):
        args = args[1:]  # the signal: -9, -KILL, -SIGTERM
    if args and args[0].text == "--":
        args = args[1:]
    return [a for a in args if not a.text.startswith("%")]


@only("kill")
def kills_init_or_all(inv: Invocation) -> Iterator[Hit]:
    if inv.name != "kill":
        return
    for word in _kill_targets(inv):
        if word.text in ("1", "-1"):
            yield _hit(word)


# Processes whose death takes the machine, the session or remote access with it.
_CRITICAL_PROCS = frozenset(
    {
        "init", "systemd", "launchd", "sshd", "dbus-daemon", "systemd-logind", "loginwindow",
        "WindowServer", "Xorg", "gdm", "sddm", "lightdm", "systemd-journald", "kernel_task",
    }
)  # fmt: skip


@only("pkill", "killall")
def kills_critical_process(inv: Invocation) -> Iterator[Hit]:
    opts = parse_options(
        inv.args, short_arg="gGPstuUF" if inv.name == "pkill" else "suoyn", numeric_flags=True
    )
    for word in opts.operands:
        if word.text.strip("^$'\"") in _CRITICAL_PROCS:
            yield _hit(word)
            return


@only("killall5", "pkill", "killall")
def mass_kill(inv: Invocation) -> Iterator[Hit]:
    name = inv.name
    texts = [a.text for a in inv.args]
    if name == "killall5":
        yield inv.span, name
    elif name in ("pkill", "killall"):
        operands = [t for t in texts if not t.startswith("-")]
        everything = {".", ".*", "", "^", "'.*'", "\\w", "^.*$"}
        if any(t in everything for t in operands) or (
            {"-u", "-U"} & set(texts)
            and any(t in ("root", "0") for t in texts)
            and not operands[1:]
        ):
            yield inv.span, name


# ---- firewall, security, scheduler, history -----------------------------------------------

_SECURITY_UNITS = re.compile(
    r"^(?:firewalld|ufw|iptables|ip6tables|nftables|netfilter-persistent|apparmor|selinux|fail2ban|auditd|pf|shorewall|csf|lfd|falcon-sensor|clamav-daemon|osqueryd|crowdstrike\w*)(?:\.service)?$"
)


@only(
    "iptables",
    "ip6tables",
    "iptables-legacy",
    "iptables-nft",
    "ip6tables-legacy",
    "ebtables",
    "arptables",
    "nft",
    "ufw",
    "systemctl",
    "service",
    "launchctl",
    "rc-service",
    "sv",
    "pfctl",
    "firewall-cmd",
    "netsh",
    "socketfilterfw",
)
def disables_firewall(inv: Invocation) -> Iterator[Hit]:
    name = inv.name
    texts = [a.text for a in inv.args]
    if name in (
        "iptables",
        "ip6tables",
        "iptables-legacy",
        "iptables-nft",
        "ip6tables-legacy",
        "ebtables",
        "arptables",
    ):
        if set(texts) & {"-F", "--flush", "-X", "--delete-chain", "-P", "--policy"} or any(
            re.fullmatch(r"-[A-Za-z]*F[A-Za-z]*", t) and not t.startswith("--") and "L" not in t
            for t in texts
        ):
            yield inv.span, name
    elif (
        name == "nft"
        and texts[:2]
        in (
            ["flush", "ruleset"],
            ["delete", "table"],
            ["flush", "table"],
        )
        or name == "ufw"
        and texts
        and texts[-1] in ("disable", "reset")
        or (
            name in ("systemctl", "service", "launchctl", "rc-service", "sv")
            and any(t in ("stop", "disable", "mask", "kill", "unload") for t in texts)
            and any(_SECURITY_UNITS.match(t) for t in texts)
        )
        or name == "pfctl"
        and ("-d" in texts or ("-F" in texts and "all" in texts))
        or name == "firewall-cmd"
        and any(t.startswith("--set-default-zone=trusted") or t == "--panic-off" for t in texts)
        or name == "netsh"
        and "advfirewall" in texts
        and "off" in (t.lower() for t in texts)
        or name == "socketfilterfw"
        and "--setglobalstate" in texts
        and "off" in texts
    ):
        yield inv.span, name


@only("setenforce", "aa-disable", "aa-teardown", "aa-complain", "csrutil", "spctl", "sed", "perl")
def disables_mac(inv: Invocation) -> Iterator[Hit]:
    name = inv.name
    texts = [a.text for a in inv.args]
    if (
        name == "setenforce"
        and texts
        and texts[0].lower() in ("0", "permissive")
        or name in ("aa-disable", "aa-teardown", "aa-complain")
        or name == "csrutil"
        and texts
        and texts[0] in ("disable", "clear")
        or name == "spctl"
        and any(t in ("--master-disable", "--global-disable", "--disable") for t in texts)
        or (
            name in ("sed", "perl")
            and any("selinux/config" in t for t in texts)
            and any(re.search(r"SELINUX=(?:disabled|permissive)", t) for t in texts)
        )
    ):
        yield inv.span, name


@only("crontab")
def removes_crontab(inv: Invocation) -> Iterator[Hit]:
    if inv.name != "crontab":
        return
    texts = [a.text for a in inv.args]
    flags = "".join(t[1:] for t in texts if t.startswith("-") and not t.startswith("--"))
    operands = [t for t in texts if not t.startswith("-") or t == "-"]
    if "r" in flags and "i" not in flags:
        yield inv.span, "crontab -r"
    elif texts and normalise(texts[-1]) == "/dev/null":
        yield inv.span, "crontab /dev/null"
    elif operands in ([], ["-"]) and _empty_stdin(inv):
        # Installing an empty table from stdin deletes every job, like -r.
        yield inv.span, "an empty crontab"


def _empty_stdin(inv: Invocation) -> bool:
    if inv.stdin_kind == "file":
        return any(
            r.op == "<" and r.target is not None and normalise(r.target.text) == "/dev/null"
            for r in inv.redirects
        )
    return inv.stdin_kind is not None and inv.stdin_text is not None and not inv.stdin_text.strip()


def clears_history(inv: Invocation) -> Iterator[Hit]:
    name = inv.name
    texts = [a.text for a in inv.args]
    if (
        name == "history"
        and texts
        and (
            any(t.startswith("-") and "c" in t for t in texts)
            or ("-w" in texts and "/dev/null" in texts)
        )
    ):
        yield inv.span, "history -c"
    elif name == "unset" and any(t in ("HISTFILE",) for t in texts):
        yield inv.span, "unset HISTFILE"
    elif name == "set" and "+o" in texts and "history" in texts:
        yield inv.span, "set +o history"
    for key, word in inv.assigns:
        if (
            key == "HISTFILE"
            and (word.text in ("", "/dev/null"))
            or key in ("HISTSIZE", "HISTFILESIZE", "SAVEHIST")
            and word.text == "0"
        ):
            yield _hit(word)


# ---- network: exfiltration, reverse shells, download-and-run -------------------------------


@only(exfil.UPLOADERS)
def uploads_secret(inv: Invocation) -> Iterator[Hit]:
    yield from exfil.upload_hits(inv)


@only(exfil.REMOTE_COPIERS)
def copies_secret_away(inv: Invocation) -> Iterator[Hit]:
    yield from exfil.copy_hits(inv)


@only(exfil.PY_SERVERS)
def serves_secrets(inv: Invocation) -> Iterator[Hit]:
    yield from exfil.serve_hits(inv)


@only(exfil.SINKS)
def sends_secret_as_login(inv: Invocation) -> Iterator[Hit]:
    yield from exfil.auth_hits(inv)


@only(exfil.SINKS)
def feeds_secret_to_network(inv: Invocation) -> Iterator[Hit]:
    yield from exfil.pipe_hits(inv)


def _net_exec_flag(inv: Invocation) -> Word | None:
    args = inv.args
    for i, word in enumerate(args):
        text = word.text
        if text in ("--exec", "--sh-exec", "--lua-exec") or text.startswith(
            ("--exec=", "--sh-exec=")
        ):
            return word
        if text.startswith("-") and not text.startswith("--") and "e" in text[1:]:
            return word
        if (
            text.startswith("-")
            and not text.startswith("--")
            and text.endswith("c")
            and i + 1 < len(args)
        ) and re.search(r"(?:^|/)(?:ba|z|da|k)?sh\b|python|perl|cmd", args[i + 1].text):
            return word
    return None


@only("nc", "ncat", "netcat", "nc.traditional", "nc.openbsd", "pwncat", "cryptcat")
def nc_exec(inv: Invocation) -> Iterator[Hit]:
    if inv.name in ("nc", "ncat", "netcat", "nc.traditional", "nc.openbsd", "pwncat", "cryptcat"):
        word = _net_exec_flag(inv)
        if word is not None:
            yield _hit(word)


@only("socat")
def socat_exec(inv: Invocation) -> Iterator[Hit]:
    if inv.name != "socat":
        return
    lows = [a.text.lower() for a in inv.args]
    runs = any(t.startswith(("exec:", "system:")) or "exec:" in t for t in lows)
    net = any(t.startswith(("tcp", "udp", "openssl", "ssl", "sctp")) for t in lows)
    if runs and net:
        yield inv.span, "socat"


def code_reverse_shell(inv: Invocation) -> Iterator[Hit]:
    code = interpreter_code(inv)
    texts = []
    if code is not None:
        texts.append((code.span, code.text))
    if (
        inv.stdin_text is not None
        and (is_interpreter(inv.name) or is_shell(inv.name))
        and reads_code_from_stdin(inv)
    ):
        texts.append((inv.span, inv.stdin_text))
    for span, text in texts:
        if interp.looks_like_reverse_shell(text):
            yield span, inv.name


def code_fork_bomb(inv: Invocation) -> Iterator[Hit]:
    code = interpreter_code(inv)
    if code is not None and interp.looks_like_fork_bomb(code.text):
        yield code.span, inv.name


def code_deletes_tree(inv: Invocation) -> Iterator[Hit]:
    code = interpreter_code(inv)
    if code is None:
        return
    for path in interp.deleted_trees(code.text):
        if classify(path) in (Place.ROOT, Place.HOME, Place.SYSTEM_TOP):
            yield code.span, path


def pipe_shell_download(inv: Invocation) -> Iterator[Hit]:
    if inv.stdin_kind == "pipe" and inv.stdin_download and reads_code_from_stdin(inv):
        yield inv.span, inv.name


def pipe_shell_unseen(inv: Invocation) -> Iterator[Hit]:
    if (
        inv.stdin_kind == "pipe"
        and not inv.stdin_download
        and inv.stdin_text is None
        and reads_code_from_stdin(inv)
    ):
        yield inv.span, inv.name


def decoded_into_shell(inv: Invocation) -> Iterator[Hit]:
    if inv.stdin_decoded and reads_code_from_stdin(inv):
        yield inv.span, inv.name


_RUNNERS = frozenset({"eval", "source", ".", "exec"})


def subst_download(inv: Invocation) -> Iterator[Hit]:
    name = inv.name
    if not (name in _RUNNERS or is_shell(name) or is_interpreter(name)):
        return
    for word in inv.args:
        if word.subst_download:
            yield _hit(word)
            return


def unseen_eval(inv: Invocation) -> Iterator[Hit]:
    name = inv.name
    if name == "eval" and any(w.from_subst or w.dynamic for w in inv.args):
        yield inv.span, "eval"
    elif name in ("source", ".") and inv.args and inv.args[0].text == "/dev/fd/63":
        yield inv.span, name
    elif is_shell(name):
        code = shell_command_string(inv)
        if code is not None and code.text.strip(DYN + DYN_SET + " ") == "":
            yield _hit(code)


def dynamic_command(inv: Invocation) -> Iterator[Hit]:
    if inv.argv and inv.argv[0].dynamic:
        yield _hit(inv.argv[0])


def dynamic_destructive(inv: Invocation) -> Iterator[Hit]:
    if not inv.argv or not inv.argv[0].dynamic:
        return
    opts = rm_options(inv.args)
    if opts.has("r", "f"):
        for word in opts.operands:
            if classify(word.text, inv.cwd) in (
                Place.ROOT,
                Place.HOME,
                Place.SYSTEM_TOP,
                Place.DEVICE,
            ):
                yield _hit(word)


# ---- git, containers, clouds, databases ---------------------------------------------------


def _git(inv: Invocation) -> tuple[str, list[Word]] | None:
    if inv.name != "git":
        return None
    args = list(inv.args)
    i = 0
    while i < len(args):
        text = args[i].text
        if text in (
            "-C",
            "-c",
            "--git-dir",
            "--work-tree",
            "--namespace",
            "--exec-path",
            "--config-env",
        ):
            i += 2
        elif text.startswith("-"):
            i += 1
        else:
            return text, args[i + 1 :]
    return None


def git_sub(sub: str, pred):  # noqa: ANN001, ANN201
    @only("git")
    def check(inv: Invocation) -> Iterator[Hit]:
        found = _git(inv)
        if found is not None and found[0] == sub:
            hit = pred(found[1])
            if hit:
                yield inv.span, "git " + sub

    return check


def _force_push(args: list[Word]) -> bool:
    texts = [a.text for a in args]
    if "--force-with-lease" in texts or any(t.startswith("--force-with-lease=") for t in texts):
        return any(t in ("-f", "--force") for t in texts)
    return (
        any(t in ("--force", "--mirror", "--force-if-includes") for t in texts)
        or any(re.fullmatch(r"-[a-zA-Z]*f[a-zA-Z]*", t) for t in texts)
        or any(t.startswith("+") and len(t) > 1 for t in texts)
    )


def _lease_push(args: list[Word]) -> bool:
    texts = [a.text for a in args]
    return any(t.startswith("--force-with-lease") for t in texts) and not _force_push(args)


def _reset_hard(args: list[Word]) -> bool:
    return any(a.text in ("--hard", "--merge") for a in args)


def _clean_force(args: list[Word]) -> bool:
    flags = "".join(
        a.text[1:] for a in args if a.text.startswith("-") and not a.text.startswith("--")
    )
    longs = {a.text for a in args if a.text.startswith("--")}
    dry = "n" in flags or "--dry-run" in longs
    return ("f" in flags or "--force" in longs) and not dry


@only("git")
def git_discards(inv: Invocation) -> Iterator[Hit]:
    found = _git(inv)
    if found is None:
        return
    sub, args = found
    texts = [a.text for a in args]
    if (
        (sub in ("checkout", "restore") and ("." in texts or ":/" in texts) and "-b" not in texts)
        or (sub == "stash" and texts[:1] in (["clear"], ["drop"]))
        or (sub == "branch" and any(t in ("-D",) for t in texts))
        or (sub == "reflog" and texts[:1] == ["expire"])
        or (sub == "gc" and any(t.startswith("--prune=now") for t in texts))
        or sub == "filter-branch"
        or (
            sub == "push"
            and (
                any(t in ("--delete", "-d") for t in texts) or any(t.startswith(":") for t in texts)
            )
        )
        or (sub == "update-ref" and "-d" in texts)
    ):
        yield inv.span, "git " + sub


def _kubectl(inv: Invocation) -> list[str] | None:
    if inv.name not in _K8S:
        return None
    texts = [a.text for a in inv.args]
    if inv.name == "k3s" and texts[:1] == ["kubectl"]:
        texts = texts[1:]
    return texts


_NS = {"ns", "namespace", "namespaces"}
_CLUSTER_WIDE = {
    "node",
    "nodes",
    "no",
    "pv",
    "persistentvolume",
    "persistentvolumes",
    "crd",
    "crds",
    "customresourcedefinition",
    "customresourcedefinitions",
    "clusterrole",
    "clusterroles",
    "clusterrolebinding",
    "clusterrolebindings",
    "storageclass",
    "storageclasses",
    "sc",
    "mutatingwebhookconfiguration",
    "apiservice",
}


@only(_K8S)
def k8s_delete_namespace(inv: Invocation) -> Iterator[Hit]:
    texts = _kubectl(inv)
    if texts and "delete" in texts:
        rest = texts[texts.index("delete") + 1 :]
        if any(t.split("/", 1)[0] in _NS for t in rest if not t.startswith("-")):
            yield inv.span, "kubectl delete namespace"


@only(_K8S)
def k8s_delete_all(inv: Invocation) -> Iterator[Hit]:
    texts = _kubectl(inv)
    if texts and "delete" in texts:
        rest = texts[texts.index("delete") + 1 :]
        if set(rest) & {"--all", "-A", "--all-namespaces"} or any(
            t.split("/", 1)[0].split(",")[0] in _CLUSTER_WIDE for t in rest if not t.startswith("-")
        ):
            yield inv.span, "kubectl delete"


@only(_K8S)
def k8s_delete(inv: Invocation) -> Iterator[Hit]:
    texts = _kubectl(inv)
    if texts and "delete" in texts:
        yield inv.span, "kubectl delete"


def _docker(inv: Invocation) -> list[str] | None:
    if inv.name in ("docker", "podman", "nerdctl"):
        return [a.text for a in inv.args]
    if inv.name == "docker-compose":
        return ["compose", *[a.text for a in inv.args]]
    return None


@only(_DOCKER)
def docker_prune(inv: Invocation) -> Iterator[Hit]:
    texts = _docker(inv)
    if not texts:
        return
    flags = set(texts)
    short = "".join(t[1:] for t in texts if t.startswith("-") and not t.startswith("--"))
    if texts[:2] == ["system", "prune"] and (
        "--volumes" in flags or "--all" in flags or "a" in short
    ):
        yield inv.span, "docker system prune"
    elif texts[:2] == ["volume", "prune"] or texts[:2] == ["system", "reset"]:
        yield inv.span, "docker " + " ".join(texts[:2])
    elif (
        texts[:1] == ["compose"]
        and "down" in texts
        and (flags & {"-v", "--volumes"} or "--rmi" in flags)
    ):
        yield inv.span, "docker compose down -v"


@only(_DOCKER)
def docker_mass_remove(inv: Invocation) -> Iterator[Hit]:
    texts = _docker(inv)
    if not texts:
        return
    # Stopping is recoverable; removing containers, images and volumes is not.
    verbs = {("rm",), ("rmi",), ("container", "rm"), ("image", "rm"), ("volume", "rm")}
    head = tuple(texts[:2]) if tuple(texts[:2]) in verbs else tuple(texts[:1])
    if head in verbs and any(w.from_subst for w in inv.args):
        yield inv.span, "docker " + " ".join(head)


_HOST_TREES = frozenset({"/", "/etc", "/var/run", "/run", "/root", "/boot", "/usr", "/home"})


@only(_DOCKER)
def docker_host_root(inv: Invocation) -> Iterator[Hit]:
    texts = _docker(inv)
    if not texts or not set(texts[:2]) & {"run", "create"}:
        return
    for i, text in enumerate(texts):
        value = None
        if text in ("-v", "--volume", "--mount") and i + 1 < len(texts):
            value = texts[i + 1]
        elif text.startswith(("--volume=", "--mount=", "-v")) and len(text) > 2:
            value = text.split("=", 1)[-1] if "=" in text and text.startswith("--") else text[2:]
        if value is None:
            continue
        source = value.split(":", 1)[0] if ":" in value and "source=" not in value else ""
        m = re.search(r"(?:source|src)=([^,]*)", value)
        if m:
            source = m.group(1)
        if source and normalise(source) in _HOST_TREES:
            yield inv.span, value


@only("terraform", "tofu", "terragrunt", "pulumi", "cdk", "aws", "gsutil", "gcloud", "az")
def cloud_destroy(inv: Invocation) -> Iterator[Hit]:
    name = inv.name
    texts = [a.text for a in inv.args]
    if name in ("terraform", "tofu", "terragrunt", "pulumi", "cdk") and (
        "destroy" in texts or ("apply" in texts and "-destroy" in texts)
    ):
        yield inv.span, name + " destroy"
    elif name == "aws" and texts[:2] == ["s3", "rm"] and "--recursive" in texts:
        yield inv.span, "aws s3 rm --recursive"
    elif name == "aws" and texts[:2] == ["s3", "rb"] and "--force" in texts:
        yield inv.span, "aws s3 rb --force"
    elif name == "gsutil" and "rm" in texts and any(t in ("-r", "-R", "-rf", "-a") for t in texts):
        yield inv.span, "gsutil rm -r"
    elif name == "gcloud" and "projects" in texts and "delete" in texts:
        yield inv.span, "gcloud projects delete"
    elif name == "az" and texts[:2] == ["group", "delete"]:
        yield inv.span, "az group delete"


_DB_WIPE = re.compile(
    r"\bDROP\s+(?:DATABASE|SCHEMA|TABLE)\b|\bTRUNCATE\b|\bFLUSHALL\b|\bFLUSHDB\b|dropDatabase\(",
    re.I,
)


@only(_DB, "dropdb", "mysqladmin")
def db_destroys(inv: Invocation) -> Iterator[Hit]:
    name = inv.name
    if name in ("dropdb",):
        yield inv.span, name
        return
    if name == "mysqladmin" and any(a.text == "drop" for a in inv.args):
        yield inv.span, name
        return
    if name not in _DB:
        return
    for word in inv.args:
        if _DB_WIPE.search(word.text):
            yield _hit(word)
            return
    if inv.stdin_text and _DB_WIPE.search(inv.stdin_text):
        yield inv.span, name


@only("journalctl")
def journal_vacuum(inv: Invocation) -> Iterator[Hit]:
    if inv.name == "journalctl" and any(a.text.startswith("--vacuum") for a in inv.args):
        yield inv.span, "journalctl --vacuum"


# ---- shell environment --------------------------------------------------------------------


@only("alias")
def alias_core(inv: Invocation) -> Iterator[Hit]:
    if inv.name != "alias":
        return
    for word in inv.args:
        name, eq, value = word.text.partition("=")
        if not eq or name not in CORE_COMMANDS:
            continue
        first = value.strip().split(" ", 1)[0].lstrip("\\") if value.strip() else ""
        if first.startswith("command"):
            first = value.strip().split()[1] if len(value.split()) > 1 else first
        if first.rsplit("/", 1)[-1] != name:
            yield _hit(word)


@only("function")
def function_core(inv: Invocation) -> Iterator[Hit]:
    if (
        inv.name == "function"
        and len(inv.argv) == 2
        and inv.argv[1].text in CORE_COMMANDS
        and inv.argv[1].text != "cd"
    ):
        yield _hit(inv.argv[1])


_SYSTEM_BIN = re.compile(
    r"^(?:/usr/local/s?bin|/usr/s?bin|/s?bin|/opt/homebrew/s?bin|/snap/bin)/?$"
)
_RISKY_PATH_ENTRY = re.compile(
    r"^(?:\.|\.\.|/tmp(?:/.*)?|/var/tmp(?:/.*)?|/dev/shm(?:/.*)?|[^/~\ue000\ue001\ue002].*)?$"
)


def replaces_path(inv: Invocation) -> Iterator[Hit]:
    if inv.name == "unset" and any(a.text == "PATH" for a in inv.args):
        yield inv.span, "unset PATH"
    for key, word in inv.assigns:
        if key != "PATH":
            continue
        entries = word.text.split(":")
        keeps = PATH_MARK in word.text
        if not keeps:
            if not all(_SYSTEM_BIN.match(e) for e in entries):
                yield _hit(word)
            continue
        before = entries[: next(i for i, e in enumerate(entries) if PATH_MARK in e)]
        if any(_RISKY_PATH_ENTRY.match(e) for e in before):
            yield _hit(word)


def preloads_library(inv: Invocation) -> Iterator[Hit]:
    for key, word in inv.assigns:
        if key in ("LD_PRELOAD", "LD_AUDIT", "DYLD_INSERT_LIBRARIES") and word.text.strip():
            yield _hit(word)


# ---- whole-command checks -----------------------------------------------------------------


def _program(check):  # noqa: ANN001, ANN201
    check.program = True
    return check


@_program
def sends_staged_secret(walker: Walker) -> Iterator[Hit]:
    yield from exfil.staged_hits(walker)


@_program
def secret_to_dev_tcp(walker: Walker) -> Iterator[Hit]:
    yield from exfil.dev_tcp_hits(walker)


@_program
def fork_bomb_function(walker: Walker) -> Iterator[Hit]:
    for fd in walker.functions:
        if fd.self_piped or fd.self_background or fd.self_calls >= 2:
            yield fd.span, fd.name


_FORK_TEXT = re.compile(r"(\S{1,40}?)\s*\(\s*\)\s*\{\s*\1\s*\|\s*\1\s*&?\s*;?\s*\}")


@_program
def fork_bomb_text(walker: Walker) -> Iterator[Hit]:
    if not walker.parse_errors:
        return
    m = _FORK_TEXT.search(walker.command[:100_000])
    if m:
        yield m.span(), m.group(1)


def background_loop(shell_only: bool):  # noqa: ANN201
    def check(inv: Invocation) -> Iterator[Hit]:
        if not (inv.in_infinite_loop and inv.background and inv.argv):
            return
        spawns_shell = (
            is_shell(inv.name)
            or inv.argv[0].text in ("$0", DYN, DYN_SET)
            or inv.name == inv.function
        )
        if spawns_shell == shell_only:
            yield inv.span, inv.name

    return check


@_program
def dev_tcp_shell(walker: Walker) -> Iterator[Hit]:
    tcp = [
        (inv, r)
        for inv in walker.invocations
        for r in inv.redirects
        if r.target is not None and r.target.text.startswith(("/dev/tcp/", "/dev/udp/"))
    ]
    if not tcp:
        return
    for inv, redirect in tcp:
        if is_shell(inv.name) or inv.name in ("exec",) and len(inv.argv) > 1:
            yield redirect.span, redirect.target.text if redirect.target else ""
            return
    for inv in walker.invocations:
        dup = any(
            r.op in (">&", "<&")
            and r.target is not None
            and r.target.text.isdigit()
            and r.target.text not in ("1", "2")
            for r in inv.redirects
        )
        if is_shell(inv.name) and (
            dup or any(a.text.startswith("-") and "i" in a.text for a in inv.args)
        ):
            yield tcp[0][1].span, "/dev/tcp"
            return
        if inv.argv and inv.argv[0].dynamic and inv.in_infinite_loop is False and dup:
            yield tcp[0][1].span, "/dev/tcp"
            return


@_program
def dev_tcp_any(walker: Walker) -> Iterator[Hit]:
    for inv in walker.invocations:
        for r in inv.redirects:
            if r.target is not None and r.target.text.startswith(("/dev/tcp/", "/dev/udp/")):
                yield r.span, r.target.text
    if walker.parse_errors and re.search(r"/dev/(?:tcp|udp)/", walker.command[:100_000]):
        m = re.search(r"/dev/(?:tcp|udp)/\S*", walker.command)
        if m:
            yield m.span(), m.group(0)


@_program
def pipe_shell_network(walker: Walker) -> Iterator[Hit]:
    pipes: dict[int, list[Invocation]] = {}
    for inv in walker.invocations:
        if inv.pipe is not None:
            pipes.setdefault(inv.pipe, []).append(inv)
    for stages in pipes.values():
        shells = [
            i
            for i in stages
            if is_shell(i.name)
            and (reads_code_from_stdin(i) or any(a.text == "-i" for a in i.args))
        ]
        clients = [i for i in stages if i.name in NET_CLIENTS]
        if shells and clients:
            yield shells[0].span, clients[0].name


_OUTPUT_OPTS = {"-o", "--output", "-O", "--output-document"}


@_program
def download_then_run(walker: Walker) -> Iterator[Hit]:
    saved: dict[str, Span] = {}
    for inv in walker.invocations:
        name = inv.name
        if name in ("curl", "wget", "fetch", "aria2c"):
            args = inv.args
            urls = [a.text for a in args if re.match(r"^(?:https?|ftp)://", a.text)]
            for i, word in enumerate(args):
                text = word.text
                if text in _OUTPUT_OPTS and i + 1 < len(args):
                    target = args[i + 1].text
                    if name == "curl" and text == "-O":
                        continue
                    saved[normalise(target).lstrip("./") or target] = inv.span
                elif text.startswith(("--output=", "--output-document=")):
                    saved[normalise(text.split("=", 1)[1]).lstrip("./")] = inv.span
                elif text.startswith("-o") and len(text) > 2 and not text.startswith("--"):
                    saved[normalise(text[2:]).lstrip("./")] = inv.span
            remote_name = name == "wget" and not any(
                a.text in ("-O", "--output-document") for a in args
            )
            remote_name = remote_name or (
                name == "curl"
                and any(
                    a.text in ("-O", "--remote-name")
                    or re.fullmatch(r"-[a-zA-Z]*O[a-zA-Z]*", a.text)
                    for a in args
                )
            )
            if remote_name:
                for url in urls:
                    base = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
                    if base:
                        saved[base] = inv.span
            continue
        if not saved or not inv.argv:
            continue
        candidates = [inv.argv[0].text]
        if is_shell(name) or is_interpreter(name) or name in ("source", ".", "sudo"):
            candidates += [a.text for a in inv.args if not a.text.startswith("-")][:1]
        for cand in candidates:
            key = normalise(cand).lstrip("./")
            if key in saved and (cand.startswith(("./", "/", "~")) or cand != inv.argv[0].text):
                yield inv.span, cand
                return


@_program
def parse_failed(walker: Walker) -> Iterator[Hit]:
    if walker.parse_errors:
        yield walker.parse_errors[0], "parse error"


@_program
def too_large(walker: Walker) -> Iterator[Hit]:
    if walker.truncated:
        yield (0, len(walker.command)), "too large"


@_program
def too_deep(walker: Walker) -> Iterator[Hit]:
    if walker.too_deep:
        yield walker.too_deep[0], "nesting"


def is_program_check(check: object) -> bool:
    return bool(getattr(check, "program", False))
