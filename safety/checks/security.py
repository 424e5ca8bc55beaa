"""Firewall, MAC and scheduler switches, history wiping."""

from __future__ import annotations

import re
from collections.abc import Iterator

from safety.checks.base import Hit, _hit, only
from safety.facts import Invocation
from safety.paths import normalise

_SECURITY_UNITS = re.compile(
    r"^(?:firewalld|ufw|iptables|ip6tables|nftables|netfilter-persistent|apparmor|selinux|fail2ban|auditd|pf|shorewall|csf|lfd|falcon-sensor|clamav-daemon|osqueryd|crowdstrike\w*)(?:\.service)?$"
)


_IPTABLES_FAMILY = (
    "iptables",
    "ip6tables",
    "iptables-legacy",
    "iptables-nft",
    "ip6tables-legacy",
    "ebtables",
    "arptables",
)


@only(
    *_IPTABLES_FAMILY,
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
    if name in _IPTABLES_FAMILY:
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


_REMOTE_ACCESS_UNITS = re.compile(
    r"^(?:sshd?|openssh-server|ssh\.socket|sshd\.socket)(?:\.service)?$"
)


@only("systemctl", "service", "launchctl", "rc-service", "sv")
def stops_remote_access(inv: Invocation) -> Iterator[Hit]:
    """Stopping sshd on a remote machine locks out everyone who reaches it over ssh."""
    texts = [a.text for a in inv.args]
    if any(t in ("stop", "disable", "mask", "kill") for t in texts):
        for word in inv.args:
            if _REMOTE_ACCESS_UNITS.match(word.text):
                yield _hit(word)
                return


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
