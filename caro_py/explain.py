"""Explain a command in plain words, part by part, without running anything.

Used by `x` at the confirm prompt and by `caro --explain CMD`. The words come from a model
server (the backend that wrote the command, or the first server found); the embedded model
is trained to write commands, not prose, so with it alone each program is described by the
knowledge base's tldr page summary (caro_py/knowledge), else its manual page (`whatis`),
and the answer says that the options are not explained.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backends.errors import BackendUnavailable
from caro_py.errors import UsageError

if TYPE_CHECKING:
    from config.model import Settings

SYSTEM_PROMPT = """\
You explain shell commands to someone who does not know them.
Go through the command part by part: each program, option, argument, pipe or redirection \
that matters. One line per part, in the form
PART: what it does
in plain words, at most 10 lines. Say nothing else: no introduction, no advice, no Markdown."""
MAX_TOKENS = 400
MAX_LINES = 12  # a rambling answer is cut, not scrolled past the prompt
WHATIS_SECONDS = 3.0


@dataclass
class Explanation:
    command: str
    lines: list[str] = field(default_factory=list)
    source: str = ""  # "lmstudio · qwen2.5-coder", or where the descriptions came from

    def to_dict(self) -> dict[str, Any]:
        return {"command": self.command, "explanation": self.lines, "source": self.source}


def explain(command: str, settings: Settings, *, backend: str | None = None) -> Explanation:
    """Explain `command`, asking `backend` (a name) or else the first model server found."""
    import asyncio

    if backend == "embedded":  # it wrote the command, but cannot explain one: try servers
        backend = None
    try:
        return asyncio.run(from_model(command, settings, backend))
    except BackendUnavailable as exc:
        described = from_descriptions(command)
        if described.lines:
            described.lines.append(f"(no model server to explain the options: {exc.message})")
            return described
        raise BackendUnavailable(
            f"nothing can explain it here: {exc.message}; and neither the knowledge base "
            "nor a manual page describes its programs"
        ) from None


async def from_model(command: str, settings: Settings, wanted: str | None) -> Explanation:
    from backends.registry import create_backend
    from backends.remote.http_backend import HttpBackend
    from backends.selection import auto_candidates

    if wanted is None and settings.backend != "auto":
        wanted = settings.backend
    names = [wanted] if wanted else auto_candidates(settings)
    servers = [name for name in names if name != "embedded"]
    if not servers:
        raise BackendUnavailable(
            "the embedded model writes commands, not explanations; start a model server "
            "(Ollama, LM Studio, vLLM, Exo) or configure [backend.openai]"
        )
    for name in servers:
        backend = create_backend(name, settings, use_overrides=name == wanted)
        assert isinstance(backend, HttpBackend)  # every backend but embedded speaks HTTP
        try:
            if not wanted and not (await backend.probe()).up:
                continue
            return await ask(backend, command)
        finally:
            await backend.aclose()
    raise BackendUnavailable(f"no model server answered (tried {', '.join(servers)})")


async def ask(backend: Any, command: str) -> Explanation:
    """One chat request to the server, in its own API's shape; the answer's lines."""
    from backends.remote.transport import request_json

    backend.check_ready()
    model = await backend.resolve_model()
    limit = min(MAX_TOKENS, backend.max_tokens)  # the user's cap for this server, if lower
    messages = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": command},
    ]
    if backend.name == "ollama":
        path = "/api/chat"
        payload: dict[str, Any] = {
            "model": model,
            "messages": messages,
            "stream": False,
            "options": {"temperature": 0, "num_predict": limit},
        }
    else:
        path = "/v1/chat/completions"
        payload = {"model": model, "messages": messages, "temperature": 0}
        payload["max_tokens"] = limit
    response = await request_json(
        backend.client,
        "POST",
        path,
        backend=backend.name,
        timeout=backend.timeout,
        payload=payload,
    )
    text = answer_text(response.body)
    lines = clean_lines(text)
    if not lines:
        from backends.errors import BackendProtocolError

        raise BackendProtocolError(f"{backend.name} ({model}) gave an empty explanation")
    return Explanation(command=command, lines=lines, source=f"{backend.name} · {model}")


def answer_text(body: Any) -> str:
    """The assistant's text in an OpenAI (choices) or Ollama (message) response body."""
    message: Any = None
    if isinstance(body, dict):
        choices = body.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            message = choices[0].get("message")
        else:
            message = body.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    return content if isinstance(content, str) else ""


def clean_lines(text: str) -> list[str]:
    """Non-blank lines, without a reasoning model's <think> block or Markdown fences."""
    import re

    text = re.sub(r"<think>.*?</think>", "", text, flags=re.DOTALL)
    lines = [line.rstrip() for line in text.splitlines()]
    lines = [line for line in lines if line.strip() and not line.strip().startswith("```")]
    return lines[:MAX_LINES]


def programs(command: str) -> list[tuple[str, str | None]]:
    """Each simple command's program and the word after it (a subcommand, perhaps), in order.

    Best effort, from shell words: `sudo -u bob find . | xargs -I {} wc -l {}` gives sudo,
    find, xargs, wc (a wrapper's options and their values are skipped: caro_py.knowledge's
    one definition of them).
    """
    from caro_py.knowledge.command_tool import ASSIGNMENT, program_name, wrapper_words
    from safety.wrapper_table import wrapper_specs

    found: list[tuple[str, str | None]] = []
    for words in simple_commands(command):
        i = 0
        while i < len(words):
            if ASSIGNMENT.match(words[i]):  # LANG=C, before the program or a wrapped one
                i += 1
                continue
            name = program_name(words[i])
            spec = wrapper_specs().get(name)
            if spec is None:
                after = words[i + 1] if i + 1 < len(words) else None
                found.append((name, after if after is None or after[:1].isalpha() else ""))
                break
            found.append((name, None))
            span = wrapper_words(spec, words[i + 1 :])
            if span is None:
                break
            i += 1 + span
    return list(dict.fromkeys(found))  # each once, first seen first


REDIRECTIONS = frozenset({"<", ">", ">>", "<<", "<<<", ">&", "<&", "&>", ">|"})


def simple_commands(command: str) -> list[list[str]]:
    """The line's simple commands as word lists, redirections left out."""
    import shlex

    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    out: list[list[str]] = [[]]
    skip_next = False
    try:
        for token in lexer:
            if token and set(token) <= set("|&;()<>"):
                skip_next = token in REDIRECTIONS
                if not skip_next and out[-1]:
                    out.append([])
                continue
            if skip_next:  # a redirection's target
                skip_next = False
            elif token:
                out[-1].append(token)
    except ValueError:  # unbalanced quotes: what was read so far
        pass
    return [words for words in out if words]


def from_descriptions(command: str) -> Explanation:
    """Each program's one-line description: the knowledge base's tldr page summary (a page
    for `git commit` before one for `git`), else the system's manual (`whatis`)."""
    result = Explanation(command=command)
    used: list[str] = []
    for name, after in programs(command):
        found = describe(name, after)
        if found is None:
            continue
        label, text, source = found
        result.lines.append(f"{label}: {text}")
        if source not in used:
            used.append(source)
    result.source = " and ".join(used)
    return result


def describe(name: str, after: str | None) -> tuple[str, str, str] | None:
    """(label, description, source) for one program, or None when nothing describes it."""
    if after and (text := tldr_summary(f"{name}-{after}")):
        return f"{name} {after}", text, KB_SOURCE
    if text := tldr_summary(name):
        return name, text, KB_SOURCE
    if text := whatis_summary(name):
        return name, text, WHATIS_SOURCE
    return None


KB_SOURCE = "tldr pages (the knowledge base)"
WHATIS_SOURCE = "manual pages (whatis)"


def tldr_summary(page: str) -> str | None:
    """The tldr page's summary for this OS, without its links ("More information: <...>")."""
    import re
    import sqlite3

    from caro_py.knowledge.index import connect, platforms_for

    platforms = platforms_for("darwin" if sys.platform == "darwin" else "linux")
    try:
        rows = (
            connect()
            .execute("SELECT platform, summary FROM pages WHERE name = ?", (page,))
            .fetchall()
        )
    except (OSError, sqlite3.Error):  # a missing or broken knowledge base costs only this
        return None
    by_platform = dict(rows)
    for platform in platforms:
        if platform in by_platform:
            text = re.sub(
                r"\s*(More information|See also):.*?(\.(?=\s|$)|$)", "", by_platform[platform]
            )
            return text.strip() or None
    return None


def whatis_summary(name: str) -> str | None:
    """The manual page's one-line summary from `whatis`, where the system has one."""
    import shutil
    import subprocess

    whatis = shutil.which("whatis")
    if whatis is None:
        return None
    try:
        done = subprocess.run(
            [whatis, "-l", "--", name], capture_output=True, text=True, timeout=WHATIS_SECONDS
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    first = done.stdout.splitlines()[0] if done.returncode == 0 and done.stdout else ""
    return first.split(" - ", 1)[1].strip() if " - " in first else None


def show(explanation: Explanation, *, out: Any = None) -> None:
    """The explanation, each line made visible (no control characters from a model)."""
    from caro_py.visible import visible

    out = out or sys.stderr
    out.write(f"Explanation ({visible(explanation.source)}):\n")
    for line in explanation.lines:
        out.write(f"  {visible(line)}\n")
    out.flush()


def explain_cli(command: str, settings: Settings, env: Mapping[str, str], *, as_json: bool) -> int:
    """`caro --explain CMD`: the explanation on stdout; nothing is run."""
    if not command.strip():
        raise UsageError("--explain needs a command to explain; it got only blanks")
    explanation = explain(command, settings)
    if as_json:
        from caro_py.jsonout import dumps

        sys.stdout.write(dumps(explanation.to_dict()) + "\n")
    else:
        show(explanation, out=sys.stdout)
    return 0
