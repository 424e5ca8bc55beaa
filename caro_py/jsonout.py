"""The one JSON object `caro --json` prints: its fields, their types, and how it is built.

Every run prints exactly one object on stdout, errors included (then `error` is set and
the other fields hold whatever was known when it happened).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

# Field -> the JSON types it may hold ("null" where it can be absent). The README's
# table and the tests both follow this.
SCHEMA: dict[str, tuple[str, ...]] = {
    "request": ("string", "null"),  # the user's words (null: none were given)
    "command": ("string", "null"),  # the command as last assessed (after any edit)
    "explanation": ("string", "null"),
    "backend": ("string", "null"),  # the backend that answered
    "model": ("string", "null"),  # the model it used
    "fallback_from": ("array",),  # backends that failed before `backend` answered
    "sources": ("array",),  # tldr examples in the model's prompt: {page, description, command}
    "risk": ("string", "null"),  # safe | moderate | high | critical
    "findings": ("array",),  # {rule_id, category, message, span: [start, end], risk}
    "decision": ("string", "null"),  # allow | confirm | block (under the active policy)
    "executed": ("boolean",),  # whether caro ran the command
    "exit_code": ("integer",),  # caro's own exit status (the command's when it ran)
    "timings_ms": ("object",),  # {retrieve, detect, generate, total}: numbers, or null
    "error": ("object", "null"),  # {type, message}, or null
}
FINDING_FIELDS: tuple[str, ...] = ("rule_id", "category", "message", "span", "risk")
TIMING_FIELDS: tuple[str, ...] = ("retrieve", "detect", "generate", "total")
SOURCE_FIELDS: tuple[str, ...] = ("page", "description", "command")


@dataclass
class Result:
    request: str | None = None
    command: str | None = None
    explanation: str | None = None
    backend: str | None = None
    model: str | None = None
    fallback_from: list[str] = field(default_factory=list)
    sources: list[dict[str, str]] = field(default_factory=list)
    risk: str | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    decision: str | None = None
    executed: bool = False
    exit_code: int = 0
    timings_ms: dict[str, float | None] = field(
        default_factory=lambda: dict.fromkeys(TIMING_FIELDS)
    )
    error: dict[str, str] | None = None

    def set_error(self, type_name: str, message: str) -> None:
        self.error = {"type": type_name, "message": message}

    def to_json(self) -> str:
        data = asdict(self)
        data["timings_ms"] = {
            key: (round(value, 2) if value is not None else None)
            for key, value in self.timings_ms.items()
        }
        return dumps(data)


def dumps(data: Any) -> str:
    """JSON text that can always be written as UTF-8: readable non-ASCII where possible,
    escapes where the data holds lone surrogates (a file name that is not UTF-8)."""
    text = json.dumps(data, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(data)
    return text
