"""A list of tool calls in OpenAI's shape, `[{"function": {"name", "arguments"}}]`, to one command.

OpenAI-compatible servers send it in `message.tool_calls` (arguments as a JSON string), Ollama
too (arguments as an object), and models without native tools write the same shape out as JSON
text; all three read it here. Which message field holds the list is the wire format's business
(backends/remote/openai_message.py, backends/remote/ollama_message.py, backends/answer_text.py).
"""

from __future__ import annotations

import json
from typing import Any

from backends.command_text import (
    TOOL_NAMES,
    ParsedCommand,
    clip,
    command_from_arguments,
    one_command,
)


def command_from_tool_calls(calls: Any) -> ParsedCommand | None:
    """The one command the shell-tool calls in ``calls`` carry; None when none calls it."""
    if not isinstance(calls, list):
        return None
    commands: list[ParsedCommand] = []
    for call in calls:
        if not isinstance(call, dict):
            continue
        function = call.get("function", call)
        if not isinstance(function, dict):
            continue
        name = function.get("name")
        if not isinstance(name, str) or name not in TOOL_NAMES:
            continue
        arguments = function.get("arguments", function.get("parameters"))
        if isinstance(arguments, str):
            text = arguments
            try:
                arguments = json.loads(text) if text.strip() else {}
            except (json.JSONDecodeError, RecursionError):
                # Some servers pass the bare command as the argument string; broken JSON
                # (an answer cut off mid-object) is no command at all.
                if text.lstrip().startswith(("{", "[")):
                    continue
                arguments = {"command": text}
        if not isinstance(arguments, dict):
            continue
        found = command_from_arguments(name, arguments, source="tool_call")
        if found is not None:
            commands.append(found)
    return one_command(commands, clip(json.dumps(calls, default=str)))
