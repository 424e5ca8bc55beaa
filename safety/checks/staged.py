"""Text written to a file and then run or installed in the same command, or written as a
git hook:
`echo '* * * * * bash -i >& /dev/tcp/...' > /tmp/c && crontab /tmp/c`,
`printf 'rm -rf ~\\n' > j.sh && sh j.sh`, `cat > job <<EOF ... EOF; at -f job now`.
What the file holds is judged like the command line itself."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING

from safety.checks.base import Hit, _program, _show
from safety.checks.downloads import _runs
from safety.facts import Invocation, Word
from safety.model import Risk
from safety.paths import normalise

if TYPE_CHECKING:
    from safety.facts import Walk

MAX_TEXT = 20_000  # characters of one written file that are judged
_WRITERS = frozenset({"echo", "printf", "cat", "tee"})
# A crontab line: five schedule fields or an @word, then the command.
_CRON_LINE = re.compile(r"^\s*(?:@\w+|(?:\S+\s+){5})(?P<command>.+)$")
# Judging a file may meet another written file: go one level deep only.
_DEPTH: ContextVar[int] = ContextVar("staged_depth", default=0)


def _written(inv: Invocation) -> list[tuple[str, str]]:
    """(path, text) for each file this echo/printf/cat/tee writes with text we can see."""
    if inv.name not in _WRITERS:
        return []
    if inv.name in ("echo", "printf"):
        words = [w.text for w in inv.args]
        while words and inv.name == "echo" and re.fullmatch(r"-[neE]+", words[0]):
            words = words[1:]
        text = " ".join(words).replace("\\n", "\n")
    else:
        text = inv.stdin_text or ""
    if not text:
        return []
    targets = [r.target.text for r in inv.redirects if r.writes and r.target is not None]
    if inv.name == "tee":
        targets += [w.text for w in inv.args if not w.text.startswith("-")]
    return [(normalise(t, inv.cwd), text) for t in targets if t not in ("/dev/null", "-")]


def _installed(inv: Invocation) -> Word | None:
    """The file this invocation installs as a job: `crontab FILE`, `at -f FILE`."""
    texts = [w.text for w in inv.args]
    if inv.name == "crontab":
        operands = [w for w in inv.args if not w.text.startswith("-")]
        if operands and not ({"-l", "-r", "-e"} & set(texts)):
            return operands[-1]
    if inv.name in ("at", "batch") and "-f" in texts[:-1]:
        return inv.args[texts.index("-f") + 1]
    return None


def _commands(text: str, as_crontab: bool) -> str:
    if not as_crontab:
        return text
    lines = []
    for line in text.splitlines():
        m = _CRON_LINE.match(line)
        if m and not line.lstrip().startswith("#") and "=" not in line.split()[0]:
            lines.append(m.group("command"))
    return "\n".join(lines)


def _worst(text: str) -> str | None:
    from safety.engine import analyse  # the engine runs this check: import when used

    findings, _parsed = analyse(text[:MAX_TEXT])
    worst = max(findings, key=lambda f: f.risk, default=None)
    if worst is None or worst.risk < Risk.HIGH:
        return None
    return worst.message


def _judged(text: str, as_crontab: bool) -> str | None:
    token = _DEPTH.set(_DEPTH.get() + 1)
    try:
        return _worst(_commands(text, as_crontab))
    finally:
        _DEPTH.reset(token)


def _hooks_path(inv: Invocation) -> list[str]:
    texts = [w.text for w in inv.args]
    if inv.name != "git" or "config" not in texts:
        return []
    for i, text in enumerate(texts[:-1]):
        if text.lower() == "core.hookspath":
            return [normalise(texts[i + 1], inv.cwd).rstrip("/")]
    return []


@_program
def runs_written_file(walker: Walk) -> Iterator[Hit]:
    if _DEPTH.get() > 1:
        return
    files: dict[str, str] = {}
    hooks: set[str] = set()  # folders `git config core.hooksPath` pointed at
    for inv in walker.invocations:
        if files:
            word = _installed(inv)
            as_crontab = word is not None and inv.name == "crontab"
            word = word or _runs(inv)
            text = files.get(normalise(word.text.removeprefix("./"), inv.cwd)) if word else None
            if word is not None and text:
                why = _judged(text, as_crontab)
                if why is not None:
                    yield word.span, _show(f"{word.text}: {why}")
                    return
        hooks.update(_hooks_path(inv))
        for path, text in _written(inv):
            appends = any(r.op in (">>", "&>>") for r in inv.redirects) or "-a" in (
                w.text for w in inv.args
            )
            files[path] = (files.get(path, "") + "\n" + text) if appends else text
            folder = path.rsplit("/", 1)[0]
            if "/.git/hooks/" in path or path.startswith(".git/hooks/") or folder in hooks:
                why = _judged(text, as_crontab=False)  # a git hook runs on every commit
                if why is not None:
                    yield inv.span, _show(f"{path}: {why}")
                    return
