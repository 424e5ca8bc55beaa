"""The word expansions the walker emulates: quote removal, brace expansion, scanned values."""

from __future__ import annotations

import re

from safety.facts import DYN_SET

_HOME = re.compile(r"^\$(?:HOME\b|\{HOME\})")
_IFS = re.compile(r"\$(?:IFS\b|\{IFS\})")


def scanned_values(text: str) -> list[str]:
    """What one word of the word scan may expand to: $HOME is home, $IFS splits, braces
    expand, any other leading $ is a value known only at run time."""
    value = _HOME.sub("~", text)
    split = _IFS.sub(" ", value)
    # Only an $IFS expansion splits: a quoted "a b" stays one word, as in the shell.
    parts = split.split() if split != value else [value]
    return [
        item.replace("$", DYN_SET) if item.startswith("$") else item
        for part in parts
        for item in brace_expand(part)
    ]


def unescape_word(text: str) -> str:
    """Quote removal for an unquoted word: `\\r\\m` is `rm`; a line continuation vanishes."""
    if "\\" not in text:
        return text
    return re.sub(r"\\(\n|.)", lambda m: "" if m.group(1) == "\n" else m.group(1), text, flags=re.S)


_BRACE = re.compile(r"\{([^{}]*,[^{}]*)\}")


def brace_expand(text: str, limit: int = 32) -> list[str]:
    """Expand comma braces: `{rm,-rf,/}` becomes three words, `a{b,c}d` two."""
    m = _BRACE.search(text)
    if not m:
        return [text]
    head, tail = text[: m.start()], text[m.end() :]
    items = m.group(1).split(",")
    if head == "" and tail == "":
        return items[:limit]
    out: list[str] = []
    for item in items:
        out.extend(brace_expand(head + item + tail, limit))
        if len(out) >= limit:
            break
    return out[:limit]
