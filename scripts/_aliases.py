"""tldr alias pages made useful: the original page's examples, rewritten to call the alias.

An alias page (`gunzip`: "This command is an alias of `gzip --decompress`.") holds no examples
of its own, only a pointer to the original's page (`tldr gzip`). What it does state is exact:
typing the alias runs the expansion. So an example of the original that passes every option of
the expansion can be written with the alias instead, those options taken out:

    gzip {{[-d|--decompress]}} {{path/to/file.gz}}    ->  gunzip {{path/to/file.gz}}
    gzip {{[-cd|--stdout --decompress]}} {{file.gz}}  ->  zcat {{file.gz}}

An example that does not pass them all ("Compress a file": `gzip {{path/to/file}}`) is not
something the alias does, and is left out; so is one where an expansion option may hide in a
bundle of short options the page never spells out (`-dk`), one where it is bundled with others
(`uname -mp` for `arch`, an alias of `uname --machine`: the description is of both), and every
example of an expansion whose options take separate values. Equivalent spellings come from the
original page's own option choices (`{{[-d|--decompress]}}`). Nothing is guessed: when no
example can be written, the alias gets none (and no page in the knowledge base).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from _shellspec import Example, Page

EXPANSION = re.compile(r"alias of (?:GNU )?`([^`]+)`")
# A word of a tldr command: runs of non-space characters and {{...}} placeholders, which
# may hold spaces ({{path/to/file1 path/to/file2 ...}}).
TOKEN = re.compile(r"(?:\{\{.*?\}\}(?!\})|[^\s{]|\{(?!\{))+")
CHOICE = re.compile(r"\{\{\[([^\[\]]*\|[^\[\]]*)\]\}\}")


@dataclass(frozen=True)
class Alias:
    typed: tuple[str, ...]  # how the alias is typed: ('gunzip',), ('docker', 'ps')
    program: tuple[
        str, ...
    ]  # the expansion's program words: ('gzip',), ('docker', 'container', 'ls')
    options: tuple[str, ...]  # the expansion's options: ('--decompress',)
    target: str  # the original's page (file name): 'gzip', 'docker-container-ls'
    target_platform: str | None  # named by the pointer (`tldr -p common wc`), else None


def alias_of(page: Page, title: str) -> Alias | None:
    """What the alias page ``page`` (titled ``title``) says, or None when it says too little
    to derive examples from (no expansion, or an option taking a separate value)."""
    found = EXPANSION.search(page.summary)
    if found is None:
        return None
    words = found.group(1).split()
    program = tuple(w for w in words if not w.startswith("-"))
    options = tuple(w for w in words if w.startswith("-"))
    if not program or words[: len(program)] != list(program):
        return None  # `foo --bar baz`: is baz a value or an operand? Unknown.
    target, platform = _pointer(page) or ("-".join(program), None)
    return Alias(tuple(title.split()), program, options, target, platform)


def _pointer(page: Page) -> tuple[str, str | None] | None:
    """The page the alias page points to: `tldr gzip`, `tldr {{[-p|--platform]}} common wc`."""
    for ex in page.examples:
        words = ex.command.split()
        if words[:1] != ["tldr"]:
            continue
        words = words[1:]
        platform = None
        if words and (words[0] in ("-p", "--platform") or words[0].startswith("{{[-p|")):
            platform, words = (words[1] if len(words) > 1 else None), words[2:]
        if words and all(re.fullmatch(r"[A-Za-z0-9._+-]+", w) for w in words):
            return "-".join(words).lower(), platform
    return None


def spellings(page: Page) -> dict[str, tuple[str, ...]]:
    """Each short spelling of the page's option choices -> its long words:
    '-d' -> ('--decompress',), '-cd' -> ('--stdout', '--decompress')."""
    out: dict[str, tuple[str, ...]] = {}
    for ex in page.examples:
        for choice in CHOICE.findall(ex.command):
            alternatives = [alt.split() for alt in choice.split("|")]
            longs = [alt for alt in alternatives if alt and all(w.startswith("--") for w in alt)]
            if len(longs) != 1:
                continue
            for alt in alternatives:
                if len(alt) == 1 and re.fullmatch(r"-[A-Za-z0-9]+", alt[0]):
                    out.setdefault(alt[0], tuple(longs[0]))
    return out


def derive(alias: Alias, target: Page) -> tuple[Example, ...]:
    """The target's examples the alias can run, written with the alias (see the module doc)."""
    known = spellings(target)
    return tuple(
        Example(ex.description, command)
        for ex in target.examples
        if (command := rewrite(alias, ex.command, known)) is not None
    )


def _program_words(tokens: list[str], program: tuple[str, ...]) -> int | None:
    """How many tokens spell the expansion's program: 'docker container ls' is spelled
    `docker container ls` or `docker {{[ps|container ls]}}`. None if the command is another."""
    i = j = 0
    while j < len(program):
        if i >= len(tokens):
            return None
        if tokens[i] == program[j]:
            i, j = i + 1, j + 1
            continue
        choice = CHOICE.fullmatch(tokens[i])
        alternatives = [a.strip() for a in choice.group(1).split("|")] if choice else []
        for k in range(len(program) - j, 0, -1):
            if " ".join(program[j : j + k]) in alternatives:
                i, j = i + 1, j + k
                break
        else:
            return None
    return i


def rewrite(alias: Alias, command: str, known: dict[str, tuple[str, ...]]) -> str | None:
    """``command`` with the alias in place of its expansion, or None when it is not one the
    alias can run (or the rewrite could be wrong)."""
    tokens = TOKEN.findall(command)
    n = _program_words(tokens, alias.program)
    if n is None:
        return None
    needed = set(alias.options)
    # Short letters of the needed options: a bundle holding one ('-dk') is ambiguous.
    letters = {s[1] for s, longs in known.items() if len(s) == 2 and needed & set(longs)}
    letters |= {o[1] for o in needed if len(o) == 2 and not o.startswith("--")}
    covered: set[str] = set()
    rest: list[str] = []
    for token in tokens[n:]:
        longs: tuple[str, ...] | None = None
        if token in needed:
            longs = (token,)
        elif token in known:
            longs = known[token]
        elif (choice := CHOICE.fullmatch(token)) is not None:
            alternatives = [alt.split() for alt in choice.group(1).split("|")]
            long_alts = [a for a in alternatives if a and all(w.startswith("--") for w in a)]
            longs = tuple(long_alts[0]) if len(long_alts) == 1 else None
        elif re.fullmatch(r"-[A-Za-z0-9]+", token) and letters & set(token[1:]):
            return None  # an unknown bundle that may hold an expansion option
        if longs is None or not needed & set(longs):
            rest.append(token)
            continue
        if not set(longs) <= needed:
            # '-mp' for arch (`uname --machine`): its description is of both options, and a
            # separate program behind the alias may take neither. Left out.
            return None
        covered |= set(longs)
    if covered != needed:
        return None
    return " ".join([*alias.typed, *rest])
