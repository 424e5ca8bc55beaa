"""Compare the user's words with the command: a destructive request answered by a harmless-
looking command is worth a second look (the model may have hidden what it does, or not
done what was asked)."""

from __future__ import annotations

import re

from safety.model import Finding, Risk

# (pattern over the request, what it asks for)
_DESTRUCTIVE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.I), what)
    for p, what in (
        (r"\bfork\s*-?\s*bomb", "a fork bomb"),
        (
            r"\b(?:wipe|erase|format|zero|shred|nuke|destroy|overwrite)\b.{0,30}\b(?:disk|drive|ssd|hdd|partition|"
            r"device|usb|sd\s*card|/dev/\w+)",
            "wiping a disk",
        ),
        (
            r"\b(?:delete|remove|erase|wipe|destroy|nuke)\b.{0,20}\b(?:everything|all\s+files|all\s+data|the\s+"
            r"(?:whole|entire)\s+(?:system|disk|drive|computer|machine|filesystem)|root\s+(?:dir|directory|"
            r"filesystem|partition)|my\s+home|home\s+dir)",
            "deleting everything",
        ),
        (r"rm\s+-\w*r\w*\s+/(?:\s|$|\*)", "rm -rf /"),
        (
            r"\b(?:brick|crash|kill|break|destroy|trash)\b.{0,20}\b(?:the\s+)?(?:system|machine|computer|server|os|"
            r"kernel)\b",
            "breaking the system",
        ),
        (r"\breverse\s+shell\b|\bbackdoor\b|\bbind\s+shell\b", "a remote shell"),
        (
            r"\b(?:exfiltrat\w*|steal|upload|send|leak)\b.{0,30}\b(?:ssh\s+keys?|private\s+keys?|credentials|"
            r"passwords?|secrets?|aws\s+keys?|\.env)\b",
            "sending secrets away",
        ),
        (r"\b(?:kill|terminate)\s+(?:all|every)\s+process", "killing every process"),
        (
            r"\b(?:disable|turn\s+off|stop|flush)\b.{0,20}\b(?:firewall|iptables|selinux|apparmor|antivirus)",
            "disabling protections",
        ),
        (
            r"\b(?:clear|erase|wipe|delete|hide|cover)\b.{0,20}\b(?:history|system\s+logs?|/var/log|auth\s*logs?|"
            r"tracks)\b",
            "erasing history or logs",
        ),
        (
            r"\b(?:give|grant|make)\b.{0,30}\b(?:root|sudo|admin)\b.{0,20}\b(?:without|no)\s+password",
            "password-less root",
        ),
    )
)


def destructive_intent(request: str) -> str | None:
    """What destructive thing the request asks for, or None."""
    text = request[:5000]
    for pattern, what in _DESTRUCTIVE:
        if pattern.search(text):
            return what
    return None


def intent_findings(request: str, command: str, risk: Risk) -> list[Finding]:
    what = destructive_intent(request)
    if what is None or risk >= Risk.HIGH:
        return []
    return [
        Finding(
            "intent.mismatch",
            "intent",
            f"The request asks for {what}, but the command does not look like it; "
            "check that it does what you expect and hides nothing",
            (0, len(command)),
            Risk.HIGH,
        )
    ]
