"""FunctionGemma prompt rendering for the one tool caro declares: execute_shell.

Shared by the dataset builder (scripts/build_dataset.py), which trains the shell adapter on
exactly these strings, and the embedded backend, which must prompt the model the same way.
Any change here changes what the shipped adapter was trained on: the golden-string tests in
tests/test_functiongemma.py pin the output.

The declaration is serialised the way FunctionGemma's chat template renders a tool (facts
of the format, re-implemented here): keys in sorted order, types upper-cased, every string
wrapped in ``<escape>``, no spaces anywhere (the template's ``{ {{- ... -}} }`` whitespace
control collapses to ``}}``).

BOS: ``render_prompt`` does not start with ``<bos>``. The Gemma tokenizer adds BOS itself
(llama.cpp's ``tokenize(..., add_bos=True)``, which ``Llama.create_completion`` uses, and
transformers' ``add_special_tokens=True``); a literal ``<bos>`` in the text as well would give
the model two BOS tokens. Callers that tokenize without special tokens prepend ``BOS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from backends.examples_text import render_examples
from backends.protocol import Example

BOS = "<bos>"
TRIGGER = "You are a model that can do function calling with the following functions"
PREFILL = "<start_function_call>call:execute_shell{command:<escape>"
STOP = "<escape>"
END_OF_CALL = "<escape>}<end_function_call>"

EXECUTE_SHELL_DECLARATION: dict[str, Any] = {
    "name": "execute_shell",
    "description": "Run one shell command on the user's machine and return its output.",
    "parameters": {
        "type": "object",
        "properties": {
            "command": {
                "type": "string",
                "description": "The complete shell command line that does what the user asked.",
            }
        },
        "required": ["command"],
    },
}


def _escape(text: str) -> str:
    return f"<escape>{text}<escape>"


def _render_value(value: Any) -> str:
    """A literal inside a declaration: strings escaped, lists bracketed, maps braced."""
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_render_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{_render_value(value[k])}" for k in sorted(value)) + "}"
    raise TypeError(f"cannot render {type(value).__name__} in a function declaration")


def _render_schema(schema: dict[str, Any]) -> str:
    """One parameter schema (or the parameters object) as ``{key:value,...}``, keys sorted."""
    parts: list[str] = []
    for key in sorted(schema):
        value = schema[key]
        if key == "type":
            parts.append(f"type:{_escape(str(value).upper())}")
        elif key == "properties":
            props = ",".join(f"{name}:{_render_schema(value[name])}" for name in sorted(value))
            parts.append(f"properties:{{{props}}}")
        elif key == "items" and isinstance(value, dict):
            parts.append(f"items:{_render_schema(value)}")
        else:
            parts.append(f"{key}:{_render_value(value)}")
    return "{" + ",".join(parts) + "}"


def render_declaration(decl: dict[str, Any]) -> str:
    """``<start_function_declaration>declaration:NAME{description:...,parameters:{...}}...``."""
    body = f"description:{_escape(decl.get('description', ''))}"
    params = decl.get("parameters")
    if params:
        body += f",parameters:{_render_schema(params)}"
    return (
        f"<start_function_declaration>declaration:{decl['name']}{{{body}}}"
        "<end_function_declaration>"
    )


def render_fixed_prefix(context: str | None = None) -> str:
    """The developer turn up to the end of the declaration: fixed for one machine, so the
    embedded backend saves its state (backends/embedded/prefix_cache.py)."""
    lines = f"{context.strip()}\n" if context and context.strip() else ""
    return (
        f"<start_of_turn>developer\n{lines}{TRIGGER}{render_declaration(EXECUTE_SHELL_DECLARATION)}"
    )


def render_developer_turn(context: str | None = None, examples: Sequence[Example] = ()) -> str:
    """The developer turn: context lines, the tool, then any retrieved examples (after the
    fixed part, so the saved prefix state still applies)."""
    block = render_examples(examples)
    return render_fixed_prefix(context) + (f"\n{block}" if block else "") + "<end_of_turn>\n"


def render_prompt(
    user_text: str, context: str | None = None, examples: Sequence[Example] = ()
) -> str:
    """The full prompt, ending in the prefill so the model writes only the command."""
    return (
        render_developer_turn(context, examples)
        + f"<start_of_turn>user\n{user_text.strip()}<end_of_turn>\n"
        + f"<start_of_turn>model\n{PREFILL}"
    )


def render_target(command: str) -> str:
    """What the model learns to write after the prefill."""
    return command + END_OF_CALL


def extract_command(generated: str) -> str | None:
    """The command in text the model wrote after the prefill, or None when there is none.

    Generation normally stops at ``STOP``; the rest of the call (if present) is cut off here.
    """
    command = generated.split(STOP, 1)[0].strip()
    return command or None
