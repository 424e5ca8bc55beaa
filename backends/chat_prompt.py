"""What the remote chat backends send: the system message, the tool, stops, the repair turn.

Two ways of asking (see backends/remote/prompting.py for which a server gets): with the
execute_shell tool declared, for servers that return native tool calls; or as one plain chat
turn whose answer is the bare command, parsed as text. The system message is built in one place,
``system_prompt``, for both ways and for the embedded ChatML profile.
"""

from __future__ import annotations

from typing import Any, Literal

from backends.protocol import GenerationRequest

TOOL_NAME = "execute_shell"

#: How the answer is asked for: a tool call, the bare command, or {"command": ...} as JSON.
AnswerShape = Literal["tool", "command", "json"]

COMMAND_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "command": {
            "type": "string",
            "description": "The complete shell command, on one line.",
        }
    },
    "required": ["command"],
    "additionalProperties": False,
}

SHELL_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": TOOL_NAME,
        "description": "Run one shell command on the user's machine, after the user approves it.",
        "parameters": COMMAND_SCHEMA,
    },
}

#: Forces the one tool by name (vLLM, OpenAI, llama.cpp's server constrain the answer to it).
TOOL_CHOICE: dict[str, Any] = {"type": "function", "function": {"name": TOOL_NAME}}

#: Where a plain answer has said all it should: the explanation a model adds after the
#: command. None of them can cut a command or the code block that holds it; OpenAI takes at
#: most four.
TEXT_STOPS: tuple[str, ...] = ("\n\nExplanation", "\nExplanation:", "\n\nThis command", "\n\n\n")

_HOW: dict[str, str] = {
    "tool": f"Answer by calling the {TOOL_NAME} tool once with the command.",
    "command": "Answer with only the command, on one line, with nothing before or after it.",
    "json": 'Answer with only a JSON object: {"command": "<the command>"}.',
}

_USERLAND: dict[str, str] = {
    "gnu": "GNU coreutils",
    "bsd": "BSD userland: no GNU-only flags",
    "busybox": "BusyBox applets",
}

_RULES = """\
Rules:
- Exactly one command, on one line. Join steps with pipes, && or ; when needed.
- Use only tools and flags that exist on this system ({userland}).
- Quote paths and patterns safely. Do not add sudo unless the request needs it.
- No commentary, no Markdown, no placeholders the user must fill in unless unavoidable."""


def system_prompt(request: GenerationRequest, *, answer: AnswerShape = "command") -> str:
    """The system message for ``request``; every chat prompt caro sends starts with it."""
    ctx = request.context
    userland = _USERLAND.get(ctx.userland, "unknown userland: prefer POSIX flags")
    return (
        f"You translate a request in plain words into one {request.shell} command.\n"
        f"System: {ctx.describe()}.\n"
        f"Working directory: {ctx.cwd}\n"
        f"{_HOW[answer]}\n" + _RULES.format(userland=userland) + examples_block(request)
    )


def examples_block(request: GenerationRequest) -> str:
    """The retrieved tldr examples, after the fixed rules ('' when there are none)."""
    from backends.examples_text import render_examples

    block = render_examples(request.examples)
    return f"\n\n{block}" if block else ""


def messages(
    request: GenerationRequest, *, answer: AnswerShape = "command"
) -> list[dict[str, Any]]:
    return [
        {"role": "system", "content": system_prompt(request, answer=answer)},
        {"role": "user", "content": request.text},
    ]


# Enough of a bad answer for the model to see what went wrong; a long ramble echoed back whole
# would only crowd a small context window (llama.cpp servers answer 500 when it overflows).
REPAIR_ECHO_CHARS = 300


def _excerpt(answer: str) -> str:
    if not answer:
        return "(empty)"
    return answer if len(answer) <= REPAIR_ECHO_CHARS else answer[:REPAIR_ECHO_CHARS] + " ..."


def repair_messages(
    request: GenerationRequest, previous_answer: str, problem: str
) -> list[dict[str, Any]]:
    """The one follow-up caro sends when an answer held a command it could not use."""
    return [
        *messages(request, answer="command"),
        {"role": "assistant", "content": _excerpt(previous_answer)},
        {
            "role": "user",
            "content": (
                f"That answer could not be used ({problem}). Reply with only the one command, "
                "on one line, nothing else."
            ),
        },
    ]
