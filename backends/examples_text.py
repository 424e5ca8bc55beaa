"""The retrieved examples as prompt text: one block, the same for every backend and profile.

tldr writes placeholders as ``{{path/to/file}}`` and equivalent option spellings as
``{{[-r|--recursive]}}``; a prompt shows them the way tldr's own clients do, without the
braces, and with the first spelling of a choice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from backends.protocol import Example

_CHOICE = re.compile(r"\{\{\[([^\[\]|]*)\|[^\[\]]*\]\}\}")
_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}(?!\})")
HEADER = "Examples from the tldr pages (use them only where they fit the request):"


def shown_command(command: str) -> str:
    """'tar {{[-c|--create]}} {{path/to/file}}' -> 'tar -c path/to/file'."""
    return _PLACEHOLDER.sub(r"\1", _CHOICE.sub(r"\1", command))


def render_examples(examples: Sequence[Example]) -> str:
    """The block, without a trailing newline; '' when there are none."""
    if not examples:
        return ""
    lines = [HEADER]
    lines += [f"- {ex.description}: {shown_command(ex.command)}" for ex in examples]
    return "\n".join(lines)
