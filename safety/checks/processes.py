"""Processes and power: shutdown, reboot, kills of init, critical or many processes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from safety.checks.base import Hit, _hit, _program, only
from safety.facts import Invocation, Word
from safety.options import parse_options

if TYPE_CHECKING:
    from safety.facts import Walk


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


# Patterns that match every process name.
_EVERY_NAME = frozenset({".", ".*", "", "^", "\\w", "^.*$", "^.", "[a-z]*", "*"})
# Shared runtimes and shells: every process by such a name is many unrelated programs.
_RUNTIMES = frozenset(
    {
        "python", "python2", "python3", "node", "nodejs", "java", "ruby", "perl", "php",
        "php-fpm", "bash", "sh", "zsh", "dash", "fish", "ksh", "dotnet", "deno", "bun", "mono",
        "beam.smp", "erl", "Rscript",
    }
)  # fmt: skip


def _sigkill(args: list[Word]) -> bool:
    """Whether these kill/pkill/killall arguments send SIGKILL (no chance to clean up)."""
    texts = [a.text for a in args]
    for i, text in enumerate(texts):
        value = None
        if text in ("-s", "-n", "--signal") and i + 1 < len(texts):
            value = texts[i + 1]
        elif text.startswith("--signal="):
            value = text.split("=", 1)[1]
        elif text.startswith("-") and not text.startswith("--"):
            value = text[1:]
        if value is not None and value.upper().removeprefix("SIG") in ("KILL", "9"):
            return True
    return False


def _selection(name: str, args: list[Word]) -> tuple[list[str], list[Word]]:
    """(name patterns, users) that pkill/pgrep/killall/pidof pick processes by."""
    pk = name in ("pkill", "pgrep")
    opts = parse_options(
        args,
        short_arg="gGPstuUFd" if pk else "suoyn",
        longs={"user": "u", "uid": "U", "euid": "u", "signal": "s", "full": "f"},
        long_arg=("u", "U", "s"),
        numeric_flags=True,
    )
    return [w.text for w in opts.operands], opts.value("u", "U")


def _selects_every(patterns: list[str], users: list[Word]) -> bool:
    return any(p in _EVERY_NAME for p in patterns) or bool(users) and not patterns


@only("killall5", "pkill", "killall")
def mass_kill(inv: Invocation) -> Iterator[Hit]:
    name = inv.name
    if name == "killall5":
        yield inv.span, name
    elif name != "pgrep":
        patterns, users = _selection(name, inv.args)
        # `-u USER` without a name: every process of that user, the session included.
        if _selects_every(patterns, users):
            yield inv.span, name


@only("pkill", "killall")
def force_kills_runtime(inv: Invocation) -> Iterator[Hit]:
    patterns, _ = _selection(inv.name, inv.args)
    if _sigkill(inv.args):
        for pattern in patterns:
            if pattern.strip("^$") in _RUNTIMES:
                yield inv.span, pattern.strip("^$")
                return


_LISTERS = frozenset({"pgrep", "pidof", "ps"})
_FILTERS = frozenset({"grep", "egrep", "fgrep", "rg", "ag"})


def _lists_all(inv: Invocation) -> bool:
    """`ps` options that list every process (or every process of a user)."""
    for a in inv.args:
        t = a.text
        if t.startswith("-") and not t.startswith("--") and ("e" in t[1:] or "A" in t[1:]):
            return True
        if not t.startswith("-") and "a" in t and "x" in t and t.isalpha():
            return True  # BSD style: ps aux, ps ax
        if t in ("-u", "-U", "--user", "-x") or t.startswith("--user="):
            return True
    return False


def _feeds(source: Invocation, kill: Invocation) -> bool:
    """Whether `source` runs inside `kill`'s arguments or in an earlier stage of its pipe."""
    inside = kill.span[0] <= source.span[0] and source.span[1] <= kill.span[1]
    if inside and source.span != kill.span:
        return True
    return kill.pipe is not None and source.pipe == kill.pipe and source.stage < kill.stage


@_program
def kill_listed(walker: Walk) -> Iterator[Hit]:
    """`kill -9 $(pgrep .)`, `ps aux | awk '{print $2}' | xargs kill`: kills what a broad
    process listing printed (a listing narrowed by grep or an awk pattern is left alone)."""
    related = [i for i in walker.invocations if i.name in _LISTERS or i.name in _FILTERS]
    related += [i for i in walker.invocations if i.name in ("awk", "gawk", "mawk")]
    if not related:
        return
    for inv in walker.invocations:
        if inv.name != "kill" or not any(w.dynamic for w in _kill_targets(inv)):
            continue
        sigkill = _sigkill(inv.args)
        feeding = [o for o in related if o is not inv and _feeds(o, inv)]
        narrowed: list[str] = []
        for o in feeding:
            if o.name in _FILTERS:
                narrowed += [a.text for a in o.args if not a.text.startswith("-")]
            elif o.name in ("awk", "gawk", "mawk") and any(
                c in a.text for a in o.args for c in "/~=" if not a.text.startswith("-")
            ):
                narrowed.append("awk")
        for o in feeding:
            if o.name == "ps":
                broad = _lists_all(o) and (
                    not narrowed or sigkill and any(n in _RUNTIMES for n in narrowed)
                )
            elif o.name == "pidof":
                names = [a.text for a in o.args if not a.text.startswith("-")]
                broad = sigkill and any(n in _RUNTIMES for n in names)
            elif o.name == "pgrep":
                patterns, users = _selection("pgrep", o.args)
                broad = (
                    _selects_every(patterns, users)
                    or sigkill
                    and any(p.strip("^$") in _RUNTIMES for p in patterns)
                )
            else:
                continue
            if broad:
                yield inv.span, " ".join(a.text for a in o.argv)[:40]
                break


_SCRATCH = re.compile(r"^(/tmp|/var/tmp|/dev/shm|/run/user/\d+)/|/\.[^/]+/")


def installed_from_scratch(inv: Invocation) -> Iterator[Hit]:
    """A cron line, unit or hook that runs a program kept in a temp or hidden folder."""
    if not inv.argv or not {"crontab", "installed"} & set(inv.via):
        return
    program = inv.argv[0]
    if _SCRATCH.search(program.text):
        yield _hit(program)
