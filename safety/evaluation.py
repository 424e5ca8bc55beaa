"""Word evaluation: what each word node of the tree expands to (quotes, variables, parameter
expansions, command substitutions, splitting, braces), and what assignments bind."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from safety.dataflow import assign
from safety.expand import brace_expand, unescape_word
from safety.facts import DYN, DYN_SET, PATH_MARK, SECRET_VAR, UNKNOWN_VAR, Word
from safety.textops import decode_escapes
from safety.walk_state import POSITIONAL, Ctx, Val, WalkState, fresh

if TYPE_CHECKING:
    from tree_sitter import Node

_MARKERS = frozenset((DYN, DYN_SET, PATH_MARK))
_SUBSTITUTIONS = ("command_substitution", "process_substitution")


class Evaluation(WalkState):
    """The word-evaluation part of the walker."""

    def assignments(self, node: Node, ctx: Ctx) -> list[tuple[str, Word]]:
        """The NAME=value pairs under `node`, bound in `ctx.env` as they are met."""
        nodes = [node] if node.type == "variable_assignment" else list(node.named_children)
        out: list[tuple[str, Word]] = []
        for item in nodes:
            if item.type != "variable_assignment":
                continue
            name_node = item.child_by_field_name("name")
            value_node = item.child_by_field_name("value")
            name = self.text_of(name_node, ctx) if name_node is not None else ""
            if name_node is not None and name_node.type == "subscript":
                self.walk_substitutions(name_node, ctx)  # a[$(cmd)]=1 runs cmd
            if value_node is None:
                val = Val("")
                span = self.span_of(item, ctx)
            elif value_node.type == "array":
                # a=(~ /etc): keep the elements, so "${a[@]}" gives them back one by one.
                elements = [self.evaluate(c, ctx) for c in value_node.named_children]
                val = Val(
                    " ".join(e.text for e in elements),
                    subst=any(e.subst for e in elements),
                    download=any(e.download for e in elements),
                    secret=any(e.secret for e in elements),
                    unknown=any(e.unknown for e in elements),
                )
                span = self.span_of(value_node, ctx)
            else:
                val = self.evaluate(value_node, ctx)
                span = self.span_of(value_node, ctx)
            word = Word(val.text, span, val.subst, val.download, val.secret, val.picked)
            assign(ctx.env, name, val)
            out.append((name, word))
        return out

    def words(self, node: Node, ctx: Ctx) -> list[Word]:
        """Evaluate one argument node into words (splitting and brace expansion applied)."""
        val = self.evaluate(node, ctx)
        span = self.span_of(node, ctx)
        texts = [val.text]
        if val.split:
            ifs = ctx.env.get("IFS", " \t\n")
            # Every IFS character splits (`IFS=,; c=rm,-rf,/; $c`); run-time markers do not.
            seps = "".join(ch for ch in ifs if ch not in _MARKERS) or " "
            parts = re.split("[" + re.escape(seps) + "]+", val.text) if ifs else [val.text]
            texts = [p for p in parts if p] or []
        if node.type in ("word", "concatenation") and "{" in val.text and "," in val.text:
            texts = [t for text in texts for t in brace_expand(text)]
        return [
            Word(t, span, val.subst, val.download, val.secret, val.picked, unknown=val.unknown)
            for t in texts
        ]

    def evaluate(self, node: Node, ctx: Ctx, quoted: bool = False) -> Val:
        """What `node` expands to; substitutions inside it are walked (they run)."""
        kind = node.type
        if kind == "word":
            return Val(unescape_word(self.text_of(node, ctx)))
        if kind in ("number", "brace_expression", "variable_name", "extglob_pattern", "regex"):
            return Val(self.text_of(node, ctx))
        if kind == "raw_string":
            return Val(self.text_of(node, ctx)[1:-1])
        if kind == "ansi_c_string":
            return Val(decode_escapes(self.text_of(node, ctx)[2:-1]))
        if kind in ("string", "translated_string"):
            return self.eval_parts(node.named_children, ctx, quoted=True, strip_quotes=node)
        if kind == "string_content":
            return Val(re.sub(r"\\([$`\"\\\n])", r"\1", self.text_of(node, ctx)))
        if kind == "concatenation":
            return self.eval_parts(node.children, ctx, quoted=quoted)
        if kind == "simple_expansion":
            name = self.text_of(node, ctx)[1:]
            mark = ctx.env.get(SECRET_VAR + name)
            return Val(
                ctx.env.get(name, DYN),
                split=not quoted,
                secret=mark is not None,
                picked=mark == "picked",
                unknown=name in POSITIONAL or UNKNOWN_VAR + name in ctx.env,
            )
        if kind == "expansion":
            return self.eval_expansion(node, ctx, quoted)
        if kind in ("command_substitution", "process_substitution"):
            flow = self.walk_block(node, fresh(ctx))
            if kind == "process_substitution":
                # Decoded text read as a file (`python3 <(echo ... | base64 -d)`) is code nobody
                # saw: mark it so a program run from it is judged.
                return Val(
                    "/dev/fd/63",
                    subst=True,
                    download=flow.download,
                    secret=flow.secret,
                    unknown=flow.decoded,
                )
            if flow.text is not None:
                text = flow.text.rstrip("\n")
            elif flow.paths:
                text = " ".join(flow.paths)  # $(ls), $(find ...): the paths they list
            else:
                text = DYN
            return Val(
                text,
                split=not quoted,
                subst=True,
                download=flow.download,
                secret=flow.secret,
                picked=flow.secret and flow.picked,
                # `rm -rf $(cat list)`: the list is a file's content, unseen; fail closed.
                unknown=flow.unread and text == DYN,
            )
        if kind == "arithmetic_expansion":
            for child in node.named_children:
                self.walk(child, ctx)
            return Val(DYN_SET)
        if kind == "ERROR":
            self.parse_errors.append(self.span_of(node, ctx))
        # Arrays, subscripts and other forms whose value is not modelled: whatever
        # substitutions they hold still run.
        self.walk_substitutions(node, ctx)
        return Val(self.text_of(node, ctx))

    def walk_substitutions(self, node: Node, ctx: Ctx) -> None:
        """Walk every `$(...)`, backquote and `<(...)` under `node` (not inside one another:
        walking one walks what it holds)."""
        stack = list(reversed(node.children))
        while stack:
            child = stack.pop()
            if child.type in _SUBSTITUTIONS:
                self.walk_block(child, fresh(ctx))
            else:
                stack.extend(reversed(child.children))

    def eval_parts(
        self, children: list[Node], ctx: Ctx, quoted: bool, strip_quotes: Node | None = None
    ) -> Val:
        """The parts of a concatenation or string, joined; `strip_quotes` is the string node."""
        texts: list[str] = []
        split = subst = download = secret = whole = unknown = array = False
        last_end: int | None = None
        for child in children:
            if strip_quotes is not None and not child.is_named:
                continue
            if strip_quotes is not None and last_end is not None and child.start_byte > last_end:
                # The grammar leaves a newline inside "..." between two content nodes.
                texts.append(ctx.src[last_end : child.start_byte].decode("utf-8", "replace"))
            last_end = child.end_byte
            val = self.evaluate(child, ctx, quoted)
            texts.append(val.text)
            split = split or val.split
            subst = subst or val.subst
            download = download or val.download
            secret = secret or val.secret
            whole = whole or val.secret and not val.picked
            unknown = unknown or val.unknown
            array = array or val.array
        if strip_quotes is not None and not texts:
            # "" or a string whose content tree-sitter did not split out.
            raw = self.text_of(strip_quotes, ctx)
            inner = raw[2:-1] if raw.startswith('$"') else raw[1:-1]
            texts.append(re.sub(r"\\([$`\"\\\n])", r"\1", inner))
        return Val(
            "".join(texts),
            split=split and not quoted or array,
            subst=subst,
            download=download,
            secret=secret,
            picked=secret and not whole,
            unknown=unknown,
        )

    def eval_expansion(self, node: Node, ctx: Ctx, quoted: bool) -> Val:
        val = self._expansion_value(node, ctx, quoted)
        name_node = next((c for c in node.named_children if c.type == "variable_name"), None)
        mark = ctx.env.get(SECRET_VAR + self.text_of(name_node, ctx)) if name_node else None
        if mark is not None:
            val.secret = True  # ${KEY}, ${KEY:-x}, ${KEY#...}: still the credential
            val.picked = mark == "picked"
        name = self.text_of(name_node, ctx) if name_node else ""
        if name in POSITIONAL or UNKNOWN_VAR + name in ctx.env:
            val.unknown = True
        return val

    def _expansion_value(self, node: Node, ctx: Ctx, quoted: bool) -> Val:
        raw = self.text_of(node, ctx)
        name_node = next((c for c in node.named_children if c.type == "variable_name"), None)
        name = self.text_of(name_node, ctx) if name_node is not None else ""
        op = next(
            (c.type for c in node.children if not c.is_named and c.type not in ("${", "}")), ""
        )
        value = ctx.env.get(name) if name else None
        for child in node.named_children:
            if child.type == "subscript":
                self.walk_substitutions(child, ctx)  # ${a[$(cmd)]} runs cmd
                sub = self.text_of(child, ctx)
                if not name and sub.endswith(("[@]", "[*]")) and not raw.startswith(("${#", "${!")):
                    # "${a[@]}": every element of an array we saw assigned, one word each.
                    array = sub.split("[", 1)[0]
                    element = ctx.env.get(array)
                    unknown = element is None or UNKNOWN_VAR + array in ctx.env
                    if not op:
                        return Val(element or DYN, split=True, array=True, unknown=unknown)
        if raw.startswith("${#") or raw.startswith("${!"):
            return Val(DYN_SET, split=not quoted)
        if op in (":-", "-", ":=", "="):
            if value is not None and value not in (DYN, ""):
                return Val(value, split=not quoted)
            default = [c for c in node.named_children if c is not name_node]
            if default:
                parts = [self.evaluate(c, ctx, quoted=True).text for c in default]
                return Val("".join(parts), split=not quoted)
            return Val(DYN, split=not quoted)
        if op in (":?", "?"):
            if value is not None and value != DYN:
                return Val(value, split=not quoted)
            return Val(DYN_SET, split=not quoted)
        if op in (":+", "+"):
            return Val(DYN, split=not quoted)
        if op:
            # Pattern removal, substitution, case changes: walk any substitutions, value unknown.
            for child in node.named_children:
                if child.type in ("command_substitution", "process_substitution"):
                    self.evaluate(child, ctx)
            return Val(DYN if value is None else DYN_SET, split=not quoted)
        if value is None:
            return Val(DYN, split=not quoted)
        return Val(value, split=not quoted)
