"""What the remote chat backends send: system prompt, tool, JSON fallback, repair turn."""

from __future__ import annotations

from typing import Any

from backends.protocol import GenerationRequest

TOOL_NAME = "execute_shell"

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

#: Forces the one tool; servers that cannot (vLLM without auto tool choice) accept a named choice.
TOOL_CHOICE: dict[str, Any] = {"type": "function", "function": {"name": TOOL_NAME}}

#: response_format for servers that take a JSON schema (LM Studio, vLLM, OpenAI).
JSON_SCHEMA_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {"name": "shell_command", "schema": COMMAND_SCHEMA, "strict": True},
}

_RULES = """\
Rules:
- Exactly one command, on one line. Join steps with pipes, && or ; when needed.
- Use only tools and flags that exist on this system ({userland}).
- Quote paths and patterns safely. Do not add sudo unless the request needs it.
- No commentary, no Markdown, no placeholders the user must fill in unless unavoidable."""


def system_prompt(request: GenerationRequest, *, json_answer: bool) -> str:
    ctx = request.context
    userland = {
        "gnu": "GNU coreutils",
        "bsd": "BSD userland: no GNU-only flags",
        "busybox": "BusyBox applets",
    }.get(ctx.userland, "unknown userland: prefer POSIX flags")
    how = (
        'Answer with only a JSON object: {"command": "<the command>"}.'
        if json_answer
        else f"Answer by calling the {TOOL_NAME} tool once with the command."
    )
    return (
        f"You translate a request in plain words into one {request.shell} command.\n"
        f"System: {ctx.describe()}.\n"
        f"Working directory: {ctx.cwd}\n"
        f"{how}\n" + _RULES.format(userland=userland)
    )


def messages(request: GenerationRequest, *, json_answer: bool) -> list[dict[str, Any]]:
    return [
        {"role": "system", "content": system_prompt(request, json_answer=json_answer)},
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
    """The one follow-up caro sends when an answer held no usable command."""
    return [
        *messages(request, json_answer=True),
        {"role": "assistant", "content": _excerpt(previous_answer)},
        {
            "role": "user",
            "content": (
                f"That answer could not be used ({problem}). Reply with only "
                '{"command": "<one command on one line>"}. If no single command can do it, '
                'reply {"command": ""}.'
            ),
        },
    ]
