"""Source text on its way to the parser: offsets, sanitising, and pieces small enough to parse."""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Iterator

from safety.facts import Span

WHOLE_PARSE_LIMIT = 16_384  # larger sources are parsed in chunks of whole logical lines
CHUNK_SIZE = 2_048
# A logical line longer than this is not parsed (error recovery on it can take seconds) but
# judged by its words; cutting it up instead would hide `A=<17 KB> rm -rf /`.
LINE_PARSE_LIMIT = 16_384


class Mapper:
    """Maps byte offsets in the text being parsed to character spans in the assessed command."""

    def __init__(self, text: str, base: int | None, fixed: Span | None) -> None:
        self.base = base
        self.fixed = fixed
        self._text_len = len(text)
        self._starts: array[int] | None = None
        if base is not None and not text.isascii():
            starts: array[int] = array("q")
            pos = 0
            for ch in text:
                starts.append(pos)
                pos += len(ch.encode("utf-8", "surrogatepass"))
            starts.append(pos)  # the end of the text maps to len(text)
            self._starts = starts

    def shift(self, offset: int, text: str) -> Mapper:
        """A mapper for a slice of this text starting `offset` characters in."""
        if self.fixed is not None or self.base is None:
            return self
        if offset == 0 and self._text_len == len(text):
            return self
        return Mapper(text, self.base + offset, None)

    def char(self, byte: int) -> int:
        if self._starts is None:
            return byte
        return bisect_right(self._starts, byte) - 1 if byte > 0 else 0

    def chars(self, start: int, end: int) -> Span:
        """The span of characters `start`..`end` of this text in the assessed command."""
        if self.fixed is not None or self.base is None:
            return self.fixed or (0, 0)
        return (self.base + start, self.base + end)

    def span(self, start: int, end: int) -> Span:
        if self.fixed is not None or self.base is None:
            return self.fixed or (0, 0)
        return (self.base + self.char(start), self.base + self.char(end))


_SURROGATE = re.compile("[\ud800-\udfff]")


def sanitise(text: str) -> str:
    """Make text parseable without moving any offset: NUL becomes a space (no shell can
    receive one, and the grammar chokes on long runs of them) and lone surrogates, which
    UTF-8 cannot encode, become U+FFFD."""
    if "\x00" in text:
        text = text.replace("\x00", " ")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _SURROGATE.sub("\ufffd", text)
    return text


def logical_lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each logical line: a newline after an odd run of backslashes
    continues the line, as in the shell."""
    start = 0
    pos = text.find("\n")
    while pos != -1:
        k = pos
        while k > start and text[k - 1] == "\\":
            k -= 1
        if (pos - k) % 2 == 0:
            yield start, pos + 1
            start = pos + 1
        pos = text.find("\n", pos + 1)
    if start < len(text):
        yield start, len(text)


def split_chunks(text: str) -> list[tuple[int, str, bool]]:
    """(char offset, text, too long to parse) pieces: the whole text when small, else runs
    of whole logical lines. A line is never cut: one too long to parse is its own piece."""
    if len(text) <= WHOLE_PARSE_LIMIT:
        return [(0, text, False)]
    chunks: list[tuple[int, str, bool]] = []
    start = 0
    pos = 0
    for line_start, line_end in logical_lines(text):
        if line_end - line_start > LINE_PARSE_LIMIT:
            if pos > start:
                chunks.append((start, text[start:pos], False))
            chunks.append((line_start, text[line_start:line_end], True))
            start = pos = line_end
            continue
        if line_end - start > CHUNK_SIZE and pos > start:
            chunks.append((start, text[start:pos], False))
            start = pos
        pos = line_end
    if pos > start:
        chunks.append((start, text[start:pos], False))
    return chunks


_FLANKED = re.compile(r"[^\s$]\\\n\S")
_SPECIAL = re.compile(r"\\.|\$'|['\"#]", re.S)


def join_continuations(text: str) -> str:
    """Make a backslash-newline inside a word read as what the shell makes of it, without
    moving any offset.

    The shell deletes backslash-newline before it splits words, so `r\\<newline>m` runs
    `rm`; the grammar reads two words there. Each such pair between two word characters
    becomes `""`, an empty string of the same length that joins them the same way (in
    double quotes it closes and reopens the string). Single quotes keep it literally,
    as the shell does, and so does a comment, where no continuation happens.
    """
    if not _FLANKED.search(text):
        return text
    out = list(text)
    quote = ""  # "'" single, '"' double, "$'" ANSI-C, "" none
    pos = 0
    while True:
        m = _SPECIAL.search(text, pos)
        if m is None:
            break
        token, at = m.group(), m.start()
        pos = m.end()
        if quote == "'":
            if token.endswith("'") and not token.startswith("\\"):
                quote = ""
                pos = at + 1
            elif token.startswith("\\"):
                pos = at + 1  # no escapes in single quotes
        elif quote == "$'":
            if token == "'":
                quote = ""
        elif token == "\\\n":
            before = text[at - 1] if at else " "
            after = text[at + 2] if at + 2 < len(text) else " "
            if not before.isspace() and not after.isspace() and before != "$":
                out[at] = out[at + 1] = '"'
        elif token.startswith("\\"):
            pass  # an escaped character is never a quote or a comment
        elif quote == '"':
            if token == '"':
                quote = ""
            elif token != "#":
                pos = at + 1
        elif token == "$'":
            quote = "$'"
        elif token in ("'", '"'):
            quote = token
        elif token == "#" and (at == 0 or text[at - 1].isspace() or text[at - 1] in ";&|()"):
            end = text.find("\n", at)
            if end == -1:
                break
            pos = end
    return "".join(out)
