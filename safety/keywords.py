"""Bash reserved words the grammar misreads as command names: `time` and `coproc`.

tree-sitter-bash parses `time { rm -rf /; }` as a command named `time` whose arguments
are `{`, `rm`, ... and a second command `}`, so the braces hide what runs. Neither word
changes what a command does to the system (one times it, the other runs it in the
background), so they are blanked out of the source, byte for byte, and the text is parsed
again: every offset, and so every span, stays where it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node, Tree

MAX_ROUNDS = 4  # `time time coproc ...`: each round peels one layer
_COMPOUND_OPENERS = (b"{", b"(")


def _prefix_spans(root: Node, src: bytes) -> list[tuple[int, int]]:
    """Byte ranges of the `time [-p]` / `coproc [NAME]` prefixes of commands under `root`."""
    spans: list[tuple[int, int]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "command":
            spans.extend(_prefix_of(node, src))
        stack.extend(node.children)
    return spans


def _prefix_of(node: Node, src: bytes) -> list[tuple[int, int]]:
    children = node.children
    if not children or children[0].type != "command_name":
        return []
    name = children[0]
    keyword = src[name.start_byte : name.end_byte]
    if keyword not in (b"time", b"coproc"):
        return []  # a quoted or escaped name is an ordinary command, not the reserved word
    end = name.end_byte
    rest = [c for c in children[1:] if c.is_named or c.type == "ERROR"]
    words = [src[c.start_byte : c.end_byte] for c in rest]
    if keyword == b"time":
        # `time -p`: the one option the keyword takes.
        after = 1 if words and words[0] == b"-p" else 0
        if len(words) > after and words[after].startswith(b"-"):
            # `time -f %e rm -rf /`: bash would run `-f`, but sh, `bash --posix` and dash run
            # the time program, which reads its options and runs the rest; the wrapper table
            # reads it as that program.
            return []
        if after:
            end = rest[0].end_byte
    elif len(words) >= 2 and words[1].startswith(_COMPOUND_OPENERS):
        # `coproc NAME { ...; }`: a name only comes before a compound command.
        end = rest[0].end_byte
    return [(name.start_byte, end)]


def blank_prefix_keywords(
    src: bytes, parse: Callable[[bytes], Tree | None]
) -> tuple[bytes, Tree | None]:
    """`src` with every `time`/`coproc` prefix blanked, and its parse tree.

    `parse` is grammar.parse; it is called again only when something was blanked.
    """
    tree = parse(src)
    for _ in range(MAX_ROUNDS):
        if tree is None or (b"time" not in src and b"coproc" not in src):
            break
        spans = _prefix_spans(tree.root_node, src)
        if not spans:
            break
        buf = bytearray(src)
        for start, end in spans:
            buf[start:end] = b" " * (end - start)
        src = bytes(buf)
        tree = parse(src)
    return src, tree
