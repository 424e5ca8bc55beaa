"""tldr page parsing and placeholder filling, shared by build_dataset.py and the tests.

A tldr page (CC BY 4.0, read at build time from ../shared/tldr-pages, never copied here) is
a ``# name`` title, ``> `` summary lines, then ``- description:`` lines each followed by a
backticked command in which ``{{...}}`` marks a placeholder and ``{{[-x|--long]}}`` a choice
between equivalent spellings.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

ALIAS_MARKER = "This command is an alias of"
PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}(?!\})")
_BRACKET_CHOICE = re.compile(r"\[([^\[\]]*\|[^\[\]]*)\]")


@dataclass(frozen=True)
class Example:
    description: str
    command: str  # with {{placeholders}}


@dataclass(frozen=True)
class Page:
    name: str
    platform: str  # common | linux | osx
    summary: str
    examples: tuple[Example, ...]
    is_alias: bool = False


def parse_page(text: str, platform: str) -> Page:
    """Parse one tldr page's Markdown."""
    name = ""
    summary: list[str] = []
    examples: list[Example] = []
    pending: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("# ") and not name:
            name = line[2:].strip()
        elif line.startswith(">"):
            summary.append(line.lstrip("> ").strip())
        elif line.startswith("- "):
            pending = line[2:].strip().rstrip(":").strip()
        elif line.startswith("`") and line.endswith("`") and len(line) > 2 and pending:
            examples.append(Example(description=pending, command=line[1:-1]))
            pending = None
    joined = " ".join(summary)
    return Page(
        name=name,
        platform=platform,
        summary=joined,
        examples=tuple(examples),
        is_alias=ALIAS_MARKER in joined,
    )


def read_pages(root: Path, platforms: tuple[str, ...] = ("common", "linux", "osx")) -> list[Page]:
    pages: list[Page] = []
    for platform in platforms:
        for path in sorted((root / platform).glob("*.md")):
            pages.append(parse_page(path.read_text(encoding="utf-8"), platform))
    return pages


def split_of(page_name: str, dev_pct: int = 5, test_pct: int = 5) -> str:
    """Deterministic split by page name: every variant of one page lands in one split."""
    bucket = int(hashlib.sha256(page_name.encode("utf-8")).hexdigest()[:8], 16) % 100
    if bucket < test_pct:
        return "test"
    if bucket < test_pct + dev_pct:
        return "dev"
    return "train"


def clean_description(text: str) -> str:
    """'[c]reate a g[z]ipped archive' -> 'create a gzipped archive'; drop backticks."""
    text = re.sub(r"\[([A-Za-z0-9])\]", r"\1", text)
    text = text.replace("`", "")
    return re.sub(r"\s+", " ", text).strip()


# --- placeholder values -------------------------------------------------------------------

_FILE_STEMS = ["notes", "report", "data", "config", "main", "backup", "todo", "server", "app"]
_EXT_STEMS = {
    "txt": ["notes", "todo", "readme", "words", "log"],
    "py": ["main", "app", "utils", "script", "setup"],
    "js": ["index", "app", "server", "bundle"],
    "json": ["config", "package", "data", "settings"],
    "csv": ["sales", "users", "data", "report"],
    "log": ["app", "error", "access", "syslog"],
    "tar.gz": ["backup", "release", "project"],
    "zip": ["photos", "archive", "release"],
    "pdf": ["report", "invoice", "thesis", "manual"],
    "png": ["screenshot", "logo", "photo"],
    "jpg": ["photo", "holiday", "avatar"],
    "md": ["README", "notes", "CHANGELOG"],
    "sh": ["deploy", "build", "install"],
    "yaml": ["config", "docker-compose", "values"],
    "yml": ["config", "docker-compose", "ci"],
    "conf": ["nginx", "app", "server"],
}
_DIRS = ["src", "docs", "logs", "build", "photos", "~/projects", "/var/log", "backups", "data"]
_DIRS += ["~/Downloads", "/tmp/work", "project", "assets", "/etc/nginx", "music"]
_NAMED_VALUES: list[tuple[str, list[str]]] = [
    (r"^(user(name)?|login|owner)$", ["alice", "bob", "deploy", "www-data", "admin"]),
    (r"password|passphrase|secret", ["hunter2", "s3cret", "p4ssw0rd"]),
    (r"^(remote_)?(host(name)?|server)$", ["server1", "db.internal", "web01", "192.168.1.20"]),
    (r"ip_?address|^ip$", ["192.168.1.20", "10.0.0.5", "172.16.0.3"]),
    (r"port", ["8080", "3000", "443", "5432", "22"]),
    (r"^(https?://)?(www\.)?example\.(com|org)", ["example.com"]),
    (r"^url$|^https?://", ["https://example.com/file.tar.gz", "https://example.org/data.json"]),
    (r"domain", ["example.com", "mysite.org", "api.example.net"]),
    (r"^package(_name)?\d*$|^package\d", ["nginx", "curl", "htop", "git", "vim"]),
    (r"branch", ["main", "feature/login", "develop", "bugfix/crash"]),
    (r"remote(_name)?$", ["origin", "upstream"]),
    (r"^tag", ["v1.2.0", "latest", "v2.0.1"]),
    (r"container", ["web", "db", "redis_cache", "api"]),
    (r"^image", ["nginx:latest", "ubuntu:22.04", "postgres:16", "alpine"]),
    (r"message|comment", ["fix typo in readme", "initial commit", "update dependencies"]),
    (
        r"search_pattern|^pattern|regex|keyword|search_string|exact_string|^query",
        ["error", "TODO", "timeout", "failed"],
    ),
    (r"^(string|text)$", ["hello world", "error", "done"]),
    (r"database", ["shop", "app_db", "analytics"]),
    (r"service|^unit$|daemon", ["nginx", "sshd", "docker", "cron"]),
    (r"^pid$|process_id", ["4242", "1337", "28731"]),
    (r"process_name|^process$", ["firefox", "node", "python3"]),
    (r"group", ["developers", "docker", "staff"]),
    (r"version", ["1.2.3", "3.11", "2.0.0"]),
    (r"^command$|^cmd$", ["make", "ls -la", "npm test", "python3 app.py"]),
    (r"interface|^eth\d|^wlan\d", ["eth0", "wlan0", "enp3s0"]),
    (r"^/dev/sd[a-z]?X$|^device$|disk", ["/dev/sdb", "/dev/sdc"]),
    (r"^/dev/sdX[YN]$|partition", ["/dev/sdb1", "/dev/sdc2"]),
    (r"^(n|number|count|num|lines?|amount)$", ["5", "10", "20", "3"]),
    (
        r"hours?|minutes?|seconds?|days?|width|height|depth|level|percent|timeout|limit|"
        r"threads|jobs|retries|times|delay|interval|bpm|quality|rate|_number$|_count$|^max|^min",
        ["2", "5", "10", "30", "60"],
    ),
    (r"^(key)$", ["API_KEY", "color", "name"]),
    (r"^(value)$", ["42", "blue", "true"]),
    (r"^variable|env_var", ["PATH", "HOME", "EDITOR"]),
    (r"email", ["alice@example.com", "ops@example.org"]),
    (r"^(name)$", ["myapp", "backup", "test"]),
    (r"signal", ["SIGTERM", "SIGKILL", "SIGHUP"]),
    (r"^(size)$", ["100M", "1G", "500k"]),
    (r"^(timezone)$", ["Europe/Berlin", "UTC", "America/New_York"]),
]


@dataclass
class Filled:
    command: str
    mentions: list[tuple[str, str]] = field(default_factory=list)  # (kind, value)
    alternatives: list[str] = field(default_factory=list)  # equivalent spellings


def _choose(options: list[str], rng: random.Random) -> str:
    return options[rng.randrange(len(options))]


def _expand_inline_choices(text: str, rng: random.Random) -> str:
    """'source.tar[.gz|.bz2|.xz]' -> 'source.tar.gz' (one option)."""
    return _BRACKET_CHOICE.sub(lambda m: _choose(m.group(1).split("|"), rng), text)


def _file_value(spec: str, rng: random.Random) -> str:
    base = spec.rsplit("/", 1)[-1]
    if "." in base and not base.startswith("."):
        stem, ext = base.split(".", 1)
        if stem in {"file", "input", "output", "source", "target", "image", "archive"} or (
            stem.startswith(("file", "input", "output"))
        ):
            stems = _EXT_STEMS.get(ext.lower(), _FILE_STEMS)
            return f"{_choose(stems, rng)}.{ext}"
        return base
    if "directory" in base or base in {"dir", "folder", "path", "to"} or base.endswith("_dir"):
        return _choose(_DIRS, rng)
    if base in {"file", "file1", "file2", "input", "output", "output_file", "input_file"}:
        ext = _choose(["txt", "log", "csv", "json", "py", "md"], rng)
        return f"{_choose(_EXT_STEMS[ext], rng)}.{ext}"
    if base == "file_or_directory":
        return _choose([*_DIRS[:5], "notes.txt", "report.pdf"], rng)
    if base == "binary" or base == "executable":
        return _choose(["./app", "./server", "/usr/local/bin/tool"], rng)
    return base.replace("_", "-")


def fill_placeholder(spec: str, rng: random.Random) -> tuple[str, str]:
    """One placeholder's text -> (value, kind). kind drives how the request mentions it."""
    spec = spec.strip()
    if spec.startswith("[") and spec.endswith("]") and "|" in spec:
        return _choose(spec[1:-1].split("|"), rng), "flag"
    spec = _expand_inline_choices(spec, rng)
    if "|" in spec and " " not in spec:
        return _choose(spec.split("|"), rng), "choice"
    if spec.endswith("..."):
        items = [i for i in spec[:-3].split() if i]
        values = [fill_placeholder(i, rng)[0] for i in items]
        values = list(dict.fromkeys(values))
        kind = "paths" if any("/" in i for i in items) else "items"
        return " ".join(values), kind
    if spec.startswith("path/to") or spec.startswith("~/") or spec == "path":
        value = _file_value(spec, rng)
        is_dir = "directory" in spec or spec.endswith(("/to", "_dir", "/dir", "folder"))
        return value, "dir" if is_dir or value in _DIRS else "file"
    if spec.startswith("*") or spec.endswith("*"):
        if spec in {"*.ext", "*ext"}:
            return _choose(["*.py", "*.log", "*.txt", "*.jpg", "*.md"], rng), "glob"
        return spec, "glob"
    if re.fullmatch(r"[+-]?\d+(\.\d+)?[A-Za-z%]?", spec):
        return spec, "number"
    for pattern, values in _NAMED_VALUES:
        if re.search(pattern, spec):
            return _choose(values, rng), re.sub(r"\d+$", "", spec)
    if re.fullmatch(r"[a-z][a-z0-9_]*", spec):
        words = spec.replace("_name", "").replace("_id", "").split("_")
        word = words[-1] if words[-1] else spec
        return f"my-{word}" if len(word) > 2 else spec, spec
    return spec, "literal"


def fill_command(command: str, rng: random.Random) -> Filled:
    """Fill every placeholder; collect what the request should mention."""
    mentions: list[tuple[str, str]] = []
    flag_options: list[list[str]] = []

    def replace(match: re.Match[str]) -> str:
        spec = match.group(1)
        value, kind = fill_placeholder(spec, rng)
        if kind == "flag":
            flag_options.append(spec.strip()[1:-1].split("|"))
        elif kind not in {"choice"}:
            mentions.append((kind, value))
        return value

    chosen: list[str] = []

    def replace_tracking(match: re.Match[str]) -> str:
        value = replace(match)
        spec = match.group(1).strip()
        if spec.startswith("[") and spec.endswith("]") and "|" in spec:
            chosen.append(value)
        return value

    filled = PLACEHOLDER.sub(replace_tracking, command)
    filled = filled.replace("{{", "").replace("}}", "")
    alternatives = _flag_alternatives(command, filled, flag_options, chosen)
    return Filled(command=filled, mentions=mentions, alternatives=alternatives)


def _flag_alternatives(
    template: str, filled: str, options: list[list[str]], chosen: list[str]
) -> list[str]:
    """Every other spelling of the flag choices (-x vs --long): equivalent references."""
    if not options or len(options) > 3:
        return []
    results: set[str] = set()
    combos: list[list[str]] = [[]]
    for opts in options:
        combos = [c + [o] for c in combos for o in opts]
    for combo in combos[:16]:
        it = iter(combo)

        def pick(match: re.Match[str], it=it) -> str:  # type: ignore[no-untyped-def]
            spec = match.group(1).strip()
            if spec.startswith("[") and spec.endswith("]") and "|" in spec:
                return next(it)
            return match.group(0)

        results.add(PLACEHOLDER.sub(pick, template))
    # Non-flag placeholders keep the filled values: rebuild by aligning on the filled text.
    refilled = {_refill(alt, filled, template, chosen) for alt in results}
    return sorted(alt for alt in refilled if alt is not None and alt != filled)


def _refill(alt_template: str, filled: str, template: str, chosen: list[str]) -> str | None:
    """Put the filled values of the non-flag placeholders into an alternative template."""
    pattern = ""
    pos = 0
    flags = iter(chosen)
    for match in PLACEHOLDER.finditer(template):
        pattern += re.escape(template[pos : match.start()])
        spec = match.group(1).strip()
        is_flag = spec.startswith("[") and spec.endswith("]") and "|" in spec
        pattern += re.escape(next(flags, "")) if is_flag else "(.*?)"
        pos = match.end()
    pattern += re.escape(template[pos:])
    found = re.fullmatch(pattern, filled, flags=re.S)
    if not found:
        return None
    values = iter(found.groups())
    return PLACEHOLDER.sub(lambda m: next(values, m.group(0)), alt_template)
