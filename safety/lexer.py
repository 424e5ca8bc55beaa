"""A forgiving word scanner for text the grammar cannot parse (unbalanced quotes, other shells).

It splits on command separators and whitespace, honours quotes where it can and never
fails, so a broken command is still judged by its words.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from safety.facts import Redirect, Span, Word

_SEPARATORS = (";", "&&", "||", "|&", "|", "&", "\n", "(", ")", "`", "$(", "<(", ">(")
_REDIRECTS = ("&>>", "&>", ">>", ">|", ">&", "<&", "<>", ">", "<<<", "<<", "<")
_SPECIAL = frozenset("".join(_SEPARATORS) + "".join(_REDIRECTS) + "#")


@dataclass
class Segment:
    words: list[Word] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)
    span: Span = (0, 0)
    pipe: int | None = None
    stage: int = 0


def scan(text: str, limit: int = 200_000) -> Iterator[Segment]:
    """Split `text` into simple-command segments with quote-removed words, lazily (a caller
    that has seen enough stops the scan)."""
    text = text[:limit]
    segments: list[Segment] = []
    current = Segment(span=(0, 0))
    pipe_id = 0
    in_pipe = False
    i = 0
    n = len(text)
    pending_redirect: tuple[str, str | None, int] | None = None

    def flush(end: int, piped: bool) -> Segment:
        nonlocal pipe_id, in_pipe
        if current.words or current.redirects:
            if piped or in_pipe:
                if not in_pipe:
                    pipe_id += 1
                current.pipe = pipe_id
            current.span = (current.span[0], end)
            segments.append(current)
        return Segment(span=(end, end))

    while i < n:
        if segments:
            yield from segments
            segments.clear()
        ch = text[i]
        if ch == "\\" and text.startswith("\n", i + 1):
            i += 2  # a line continuation joins the lines
            continue
        if ch in " \t\r\\" and not (ch == "\\" and i + 1 < n and text[i + 1] not in " \t"):
            i += 1
            continue
        special = ch in _SPECIAL
        sep = next((s for s in _SEPARATORS if text.startswith(s, i)), None) if special else None
        if sep is not None:
            piped = sep in ("|", "|&")
            stage = current.stage
            nxt = flush(i, piped)
            if piped:
                in_pipe = True
                nxt.stage = stage + 1
            else:
                in_pipe = False
            current = nxt
            pending_redirect = None  # `<` then a newline: the target is missing, not the next word
            i += len(sep)
            current.span = (i, i)
            continue
        if ch == "#" and (i == 0 or text[i - 1] in " \t\n;"):
            end = text.find("\n", i)
            i = n if end == -1 else end
            continue
        red = next((r for r in _REDIRECTS if text.startswith(r, i)), None) if special else None
        if red is not None:
            fd = None
            if (
                current.words
                and current.words[-1].span[1] == i
                and current.words[-1].text.isdigit()
            ):
                fd = current.words.pop().text
            pending_redirect = (red, fd, i)
            i += len(red)
            continue
        start = i
        buf: list[str] = []
        while i < n:
            ch = text[i]
            if ch in " \t\r\n;&|()<>`":
                break
            if ch == "\\" and i + 1 < n:
                if text[i + 1] != "\n":  # a line continuation inside a word vanishes
                    buf.append(text[i + 1])
                i += 2
                continue
            if ch in "'\"":
                end = text.find(ch, i + 1)
                if end == -1:
                    # An unbalanced quote: drop it and read on, so what follows is still seen.
                    i += 1
                    continue
                buf.append(text[i + 1 : end])
                i = end + 1
                continue
            if text.startswith("$'", i):
                end = text.find("'", i + 2)
                end = n if end == -1 else end
                buf.append(text[i + 2 : end])
                i = end + 1
                continue
            if text.startswith("$(", i):
                break
            buf.append(ch)
            i += 1
        word = Word("".join(buf), (start, i))
        if word.text in ("{", "}", "!") and pending_redirect is None:
            continue  # group braces and negation are not words of the command
        if pending_redirect is not None:
            op, fd, at = pending_redirect
            current.redirects.append(Redirect(op, fd, word, (at, i)))
            pending_redirect = None
        else:
            current.words.append(word)
        if i == start:
            i += 1
    flush(n, False)
    yield from segments
