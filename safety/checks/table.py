"""Checks described by data: a tool, the sub-command words, options or text that make it harmful.

safety/rules/*.toml describe these rules; this module turns one description into a check.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any

from safety.checks.base import Hit, _show, only
from safety.commands import is_interpreter, is_shell
from safety.facts import Invocation

# Forms that only print help or show what would happen.
_DRY_RUN = re.compile(
    r"--dry-?run(?!=(?:none|false|0)\b)|--what-?if|--plan(?:-only)?$|--simulate|--noop",
    re.I,
)
_HELP = frozenset({"--help", "-h", "-?", "--usage"})


class TableCheck:
    """One data rule's predicate over an invocation (see safety/rules/verbs.toml for the keys)."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.tools = frozenset(str(t) for t in spec.get("tools", ()))
        self.words = tuple(str(w).lower() for w in spec.get("words", ()))
        self.within = int(spec.get("within", 3))
        self.options = tuple(str(o) for o in spec.get("options", ()))
        # Case is ignored unless the rule says options differ by case (ssh -g / -G).
        self._flags = re.S if spec.get("case_sensitive") else re.I | re.S
        # Patterns are compiled on first use: most rules never meet their tool in a given
        # process, and compiling every one at import cost caro ~40 ms a request.
        self._sources = {
            key: str(spec[key]) for key in ("text", "unless", "cwd", "name") if spec.get(key)
        }
        self.stdin = bool(spec.get("stdin", False))
        self.from_download = bool(spec.get("from_download", False))  # only when fed a download
        # Only when some argument is computed at run time: `$(...)`, xargs input, a read value.
        self.computed = bool(spec.get("computed", False))
        self.via = tuple(str(v) for v in spec.get("via", ()))
        help_words = spec.get("help")
        self.help = frozenset(help_words) if help_words is not None else _HELP
        # Variables whose assigned value `text` is matched against (`PROMPT_COMMAND=...`),
        # whatever the command (often none): such a rule is checked on every invocation.
        self.assigns = frozenset(str(a) for a in spec.get("assigns", ()))
        # The engine's index: only these names are checked (None: every invocation).
        generic = self.assigns or "name" in self._sources
        self.commands: frozenset[str] | None = None if generic else self.tools

    def _pattern(self, key: str, flags: int) -> re.Pattern[str] | None:
        source = self._sources.get(key)
        return None if source is None else re.compile(source, flags)  # re caches it

    @functools.cached_property
    def text(self) -> re.Pattern[str] | None:
        return self._pattern("text", self._flags)

    @functools.cached_property
    def unless(self) -> re.Pattern[str] | None:
        return self._pattern("unless", self._flags)

    @functools.cached_property
    def cwd(self) -> re.Pattern[str] | None:
        """The directory an earlier `cd` in the same command moved to must match this."""
        return self._pattern("cwd", 0)

    @functools.cached_property
    def name(self) -> re.Pattern[str] | None:
        """A regex the command name must match, for commands named by a path (`/tmp/.k`)."""
        return self._pattern("name", 0)

    def __call__(self, inv: Invocation) -> Iterator[Hit]:
        if self.assigns:
            yield from self._assigned(inv)
            return
        if self.name is not None:
            if not self.name.search(inv.name):
                return
        elif inv.name not in self.tools:
            return
        if self.via and not any(v in inv.via for v in self.via):
            return
        if self.from_download and not inv.stdin_download:
            return
        if self.computed and not any(w.from_subst or w.unknown or w.dynamic for w in inv.args):
            return
        if self.cwd is not None and (inv.cwd is None or not self.cwd.match(inv.cwd)):
            return
        texts = [w.text for w in inv.args]
        cut = texts.index("--") if "--" in texts else len(texts)
        head = texts[:cut]
        # `docker run IMAGE --help` hands --help to the container: only early words count.
        asks = head[:2] if inv.name in _PASSES_ARGS_ON else head
        helps = self.help - {"-h"} if inv.name in _H_IS_HOST else self.help
        if is_help_or_dry_run(asks, helps):
            return
        positional = [t for t in head if not t.startswith("-")]
        shown = inv.name
        if self.words:
            hit = next(
                (
                    p
                    for p in positional[: self.within]
                    if any(fnmatchcase(p.lower(), w) for w in self.words)
                ),
                None,
            )
            if hit is None:
                return
            shown += " " + hit
        if self.options:
            option = next(
                (t for t in head if t.startswith("-") and _option_hit(t, self.options)), None
            )
            if option is None:
                return
            shown += " " + option
        joined = " ".join(texts)
        for r in inv.redirects:  # `> file` reads as part of the arguments: "... > file"
            if r.writes and r.target is not None:
                joined += f" {r.op} {r.target.text}"
        if self.stdin and inv.stdin_text:
            joined += "\n" + inv.stdin_text
        if self.text is not None:
            m = self.text.search(joined)
            if m is None:
                return
            if not self.words and not self.options:
                shown += " " + m.group(0).strip()
        if self.unless is not None and self.unless.search(joined):
            return
        yield inv.span, _show(shown)

    def _assigned(self, inv: Invocation) -> Iterator[Hit]:
        for key, word in inv.assigns:
            if key not in self.assigns:
                continue
            if self.text is not None and self.text.search(word.text) is None:
                continue
            if self.unless is not None and self.unless.search(word.text):
                continue
            yield word.span, _show(f"{key}={word.text}")


def is_help_or_dry_run(texts: list[str], help_words: frozenset[str] = _HELP) -> bool:
    """Does the argument list only ask for help, or for what would happen?"""
    if any(t in help_words for t in texts) or any(_DRY_RUN.match(t) for t in texts):
        return True
    return next((t for t in texts if not t.startswith("-")), None) == "help"


# Commands that hand their later arguments to another program.
_PASSES_ARGS_ON = frozenset(
    {"sudo", "doas", "env", "xargs", "find", "parallel", "watch", "timeout", "nice", "nohup",
     "exec", "eval", "command", "builtin", "time", "strace", "ltrace", "su", "runuser", "ssh",
     "docker", "podman", "npx", "pnpx", "bunx", "uv", "uvx", "pipx", "poetry",
     "bundle", "npm", "yarn", "pnpm", "make", "just", "task", "cargo", "go", "dotnet",
     "systemd-run", "flock", "setsid", "chroot", "unshare", "nsenter", "firejail", "script"}
)  # fmt: skip
# Database clients where -h names the host, not help (`redis-cli -h prod FLUSHALL`).
_H_IS_HOST = frozenset(
    {"mysql", "mariadb", "mysqladmin", "mysqldump", "psql", "pg_dump", "pg_restore", "dropdb",
     "createdb", "pg_dropcluster", "redis-cli", "valkey-cli", "keydb-cli", "clickhouse-client",
     "sqlcmd", "cockroach", "influx", "cqlsh", "memcached-tool"}
)  # fmt: skip
# Short options that mean "show what would happen" for these tools only.
# mke2fs -n and mkfs.xfs -N print the layout without writing (mkfs.vfat -n is a label, so
# only the tools where the letter means that are named).
_DRY_SHORT = {
    "rsync": "n", "git": "n", "make": "n", "apt-get": "s", "apt": "s",
    "mke2fs": "n", "mkfs.ext2": "n", "mkfs.ext3": "n", "mkfs.ext4": "n", "mkfs.xfs": "N",
    "mkntfs": "n", "mkfs.ntfs": "n", "wipefs": "n", "fsck": "N", "sfdisk": "n",
}  # fmt: skip


def only_describes(inv: Invocation) -> bool:
    """Does this invocation only print help or what it would do (`--help`, `--dry-run`,
    `rsync -n`)? Then no per-command rule applies to it."""
    if is_shell(inv.name) or is_interpreter(inv.name) or inv.name in _PASSES_ARGS_ON:
        return False  # `python3 -c CODE --help` runs CODE: the flag is the program's
    texts = [w.text for w in inv.args]
    head = texts[: texts.index("--")] if "--" in texts else texts
    if is_help_or_dry_run(head, frozenset({"--help"})):
        return True
    short = _DRY_SHORT.get(inv.name)
    return short is not None and any(
        t.startswith("-") and not t.startswith("--") and short in t[1:] for t in head
    )


def _option_hit(option: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatchcase(option, p) for p in patterns)


def table_check(spec: Mapping[str, Any]) -> TableCheck:
    check = TableCheck(spec)
    if check.commands is not None:
        only(check.tools)(check)
    return check
