"""Flag normalisation: `-rf`, `-r -f`, `--recursive --force` and `--recur` all read the same."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from safety.facts import Word


@dataclass
class Options:
    flags: set[str] = field(default_factory=set)  # canonical names: 'r', 'f', 'no-preserve-root'
    values: dict[str, list[Word]] = field(default_factory=dict)
    operands: list[Word] = field(default_factory=list)
    rest: list[Word] = field(default_factory=list)  # words after the first operand (stop mode)

    def has(self, *names: str) -> bool:
        return any(n in self.flags for n in names)

    def value(self, *names: str) -> list[Word]:
        out: list[Word] = []
        for n in names:
            out.extend(self.values.get(n, ()))
        return out


def _long_canonical(name: str, longs: Mapping[str, str]) -> str:
    if name in longs:
        return longs[name]
    # GNU getopt accepts any unambiguous prefix: --recur means --recursive.
    hits = {canon for full, canon in longs.items() if full.startswith(name)}
    if len(hits) == 1 and len(name) >= 2:
        return hits.pop()
    return name


def _long_full_name(name: str, longs: Mapping[str, str]) -> str:
    """The long option `name` abbreviates (`--repl` -> `replace`), or `name` itself."""
    if name in longs or len(name) < 2:
        return name
    fulls = [full for full in longs if full.startswith(name)]
    return fulls[0] if len(fulls) == 1 else name


def parse_options(
    args: Sequence[Word],
    *,
    short_arg: str = "",
    short_optional: str = "",
    longs: Mapping[str, str] | None = None,
    long_arg: Iterable[str] = (),
    long_optional: Iterable[str] = (),
    stop_at_operand: bool = False,
    numeric_flags: bool = False,
) -> Options:
    """Split `args` into canonical flags, option values and operands.

    short_arg: single-letter options that take a value (`-o FILE`, `-oFILE`).
    short_optional: letters whose value, if any, is attached (`-i{}`; `-i` alone takes none).
    longs: long option name -> canonical name (often the matching short letter).
    long_arg: canonical names whose long form takes a value (`--file=X`, `--file X`).
    long_optional: long option names whose value, if any, follows `=` (`--replace[=R]`).
    stop_at_operand: POSIX style (wrappers): everything from the first operand on is `rest`.
    numeric_flags: treat `-9`, `-15` as flags (kill), not operands.
    """
    longs = longs or {}
    # Letters, not a string: `canon in short_arg` would take `--fo` for a spelling of -f.
    short_letters = frozenset(short_arg)
    optional_letters = frozenset(short_optional)
    optional_longs = frozenset(long_optional)
    takes_value = set(long_arg)
    opts = Options()
    i = 0
    n = len(args)
    while i < n:
        word = args[i]
        text = word.text
        if text == "--":
            opts.operands.extend(args[i + 1 :])
            if stop_at_operand:
                opts.rest = list(args[i + 1 :])
            break
        if text.startswith("--") and len(text) > 2:
            name, eq, val = text[2:].partition("=")
            canon = _long_canonical(name, longs)
            opts.flags.add(canon)
            if _long_full_name(name, longs) in optional_longs:
                if eq:
                    opts.values.setdefault(canon, []).append(Word(val, word.span))
            elif canon in takes_value or canon in short_letters:
                if eq:
                    opts.values.setdefault(canon, []).append(Word(val, word.span))
                elif i + 1 < n:
                    opts.values.setdefault(canon, []).append(args[i + 1])
                    i += 1
            elif eq:
                opts.values.setdefault(canon, []).append(Word(val, word.span))
            i += 1
            continue
        if text.startswith("-") and len(text) > 1 and not (numeric_flags and text[1:].isdigit()):
            body = text[1:]
            j = 0
            while j < len(body):
                ch = body[j]
                opts.flags.add(ch)
                if ch in optional_letters:
                    if body[j + 1 :]:
                        opts.values.setdefault(ch, []).append(Word(body[j + 1 :], word.span))
                    break
                if ch in short_letters:
                    rest = body[j + 1 :]
                    if rest:
                        opts.values.setdefault(ch, []).append(Word(rest, word.span))
                    elif i + 1 < n:
                        opts.values.setdefault(ch, []).append(args[i + 1])
                        i += 1
                    break
                j += 1
            i += 1
            continue
        if numeric_flags and text.startswith("-") and text[1:].isdigit():
            opts.flags.add(text[1:])
            i += 1
            continue
        if stop_at_operand:
            opts.operands.extend(args[i:])
            opts.rest = list(args[i:])
            break
        opts.operands.append(word)
        i += 1
    return opts
