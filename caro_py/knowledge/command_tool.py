"""Which tool a command line uses: its first program, looking through wrappers.

`sudo -u postgres psql` uses psql, not postgres: a wrapper's options and the values they take
(safety/data/wrappers.toml, the validator's table too) are skipped, as are its fixed operands
(`timeout 5 curl ...`) and NAME=value words. When what the wrapper runs is no tool of its own
(a script, `!!`, an interpreter running a script file, nothing at all), the wrapper is the
tool: `nohup ./server.sh &` is about nohup.

One definition for the knowledge base's build (scripts/build_kb.py), the router's training and
benchmarks, the dataset builder, and `caro explain` (which lists every program of a line).
Commands may be tldr's, with `{{placeholders}}` and `{{[-u|--user]}}` option choices.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from safety.wrapper_table import WrapperSpec, wrapper_specs

ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
SEPARATORS = ("|", ";", "&", ">", "<")
INTERPRETERS = frozenset(
    {"sh", "bash", "zsh", "dash", "ksh", "fish", "python", "python3", "node", "ruby", "perl", "php"}
)
SCRIPT_SUFFIXES = (".sh", ".bash", ".zsh", ".py", ".pl", ".rb", ".js", ".php")


def program_name(word: str) -> str:
    """'/usr/bin/tar' -> 'tar'; quotes and parentheses around it dropped."""
    return word.strip("'\"()").rsplit("/", 1)[-1]


def option_text(word: str) -> str:
    """tldr's `{{[-u|--user]}}` reads as its first spelling, `-u`; other words as written."""
    if word.startswith("{{[") and word.endswith("]}}"):
        return word[3:-3].split("|", 1)[0].split(" ", 1)[0]
    return word


def wrapper_words(spec: WrapperSpec, words: Sequence[str]) -> int | None:
    """How many of ``words`` (those after the wrapper's name) belong to the wrapper: its
    options, their values and its operands. None when an option means it runs no command."""
    i = 0
    while i < len(words):
        word = option_text(words[i])
        if word == "--":
            i += 1
            break
        if not word.startswith("-") or word == "-":
            break
        if word in spec.self_options:
            return None
        i += 1
        if word.startswith("--"):
            name, eq, _value = word[2:].partition("=")
            if name in spec.value_longs and not eq:
                i += 1
            continue
        letters = word[1:]
        for at, letter in enumerate(letters):
            if letter in spec.short:
                i += at == len(letters) - 1  # '-u root'; '-uroot' holds its value
                break
    return i + spec.operands


def simple_words(command: str) -> list[str]:
    """The words of the line's first simple command (up to a pipe, `;`, `&`, a redirection)."""
    out: list[str] = []
    for word in command.split():
        if word.startswith(SEPARATORS):
            break
        out.append(word)
    return out


def tool_of(command: str) -> str | None:
    """The tool a command line uses: 'sudo -u postgres psql' -> 'psql', 'ls -la' -> 'ls',
    'nohup ./server.sh &' -> 'nohup'; None for an empty line."""
    words = simple_words(command)
    wrapper: str | None = None
    i = 0
    while i < len(words):
        word = words[i]
        if ASSIGNMENT.match(word) or word.startswith("-"):
            i += 1
            continue
        name = program_name(word)
        if not name:  # a lone '(' of a subshell
            i += 1
            continue
        spec = wrapper_specs().get(name)
        if spec is None or not spec.look_through:
            if wrapper is not None and not is_tool(words[i:]):
                return wrapper
            return name
        span = wrapper_words(spec, words[i + 1 :])
        if span is None:
            return name
        wrapper = name
        i += 1 + span
    return wrapper


def is_tool(words: Sequence[str]) -> bool:
    """Whether the program at ``words[0]`` (what a wrapper runs) is a tool of its own rather
    than a script, a history expansion, a placeholder for any command, or an interpreter
    running a script file."""
    word = words[0].strip("'\"")
    if word.startswith(("!", "{{", "./", "../", "~/", "$")) or word.endswith(SCRIPT_SUFFIXES):
        return False
    if program_name(word) in INTERPRETERS and len(words) > 1:
        script = words[1].strip("'\"")
        return script.startswith("-") or not ("/" in script or script.endswith(SCRIPT_SUFFIXES))
    return True
