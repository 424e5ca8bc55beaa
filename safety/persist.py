"""Code installed to run later (cron lines, systemd units, git hooks, autostart entries): the
commands inside, so the walker can judge them like any other command."""

from __future__ import annotations

import re

# Files whose content runs by itself later, and how to read the commands out of them.
_UNIT = re.compile(r"/systemd/.*\.(service|timer|socket|path)$|\.service$")
_LATER = re.compile(
    r"(^|/)\.git/hooks/[\w.-]+$|(^|/)\.husky/[\w.-]+$|^/etc/cron\.[\w.]+/|^/etc/crontab$|"
    r"^/var/spool/cron/|/autostart/[^/]+\.desktop$|/LaunchAgents/|/LaunchDaemons/|"
    r"^/etc/rc\.local$|^/etc/init\.d/|/etc/profile\.d/|/\.config/fish/conf\.d/|/xinitrc|"
    r"/\.xprofile$|/\.config/autostart-scripts/|^/etc/update-motd\.d/|/\.bash_logout$"
)
_CRON_LINE = re.compile(r"^\s*(@\w+|(\S+\s+){5})(\S+\s+)??(.+)$")
_CRON_USERS = re.compile(r"^(root|[a-z_][\w-]{0,30})\s+")
_EXEC_KEY = re.compile(r"^\s*(ExecStart\w*|ExecStop\w*|ExecReload|Exec)\s*=\s*[-@:+!]*(.+)$", re.M)


def runs_later(path: str) -> bool:
    return bool(_UNIT.search(path) or _LATER.search(path))


def cron_commands(text: str, system: bool = False) -> list[str]:
    """The command part of each crontab line (schedule, and for /etc files the user, removed)."""
    out: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or re.match(r"^\w+=", stripped):
            continue
        m = re.match(r"^(@\w+|(?:\S+\s+){5})(.+)$", stripped)
        if m is None:
            continue
        command = m.group(2)
        if system:
            command = _CRON_USERS.sub("", command, count=1)
        out.append(command)
    return out[:32]


def file_commands(path: str, text: str) -> list[str]:
    """Commands held in a file that runs later, given its path and content."""
    if _UNIT.search(path) or path.endswith(".desktop"):
        return [m.group(2) for m in _EXEC_KEY.finditer(text)][:32]
    if "/cron" in path:
        return cron_commands(text, system=path.startswith("/etc/"))
    return [text]
