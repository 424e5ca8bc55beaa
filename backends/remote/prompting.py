"""How one server and model is asked, learned from its answers and kept with the detection cache.

- mode "tools": the server returned a native tool call when asked with the execute_shell tool;
  it is asked that way from then on.
- mode "text": it answered the tool request with plain text (it ignores tools), or refused it;
  it gets one plain chat turn asking for the bare command, and the answer is read as text.
- refused: request fields ("tools", "stop") the server answered with an error status, so no
  request carrying them is sent to it again.

Learned once per backend, address and model; kept in memory for the process and on disk in the
detection cache (backends/detect.py) for later runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Mode = Literal["tools", "text"]
#: Request fields a server may refuse: the tool declaration (with its tool_choice), stops.
FEATURES = ("tools", "stop")
#: Statuses with which a server says "not this request shape": a validation error (400, 422),
#: or llama-cpp-python's 500 for a field it does not take (its message may be empty).
REFUSAL_STATUSES = frozenset({400, 422, 500})


@dataclass
class Prompting:
    mode: Mode | None = None  # None: not learned yet
    refused: set[str] = field(default_factory=set)

    def to_json(self) -> dict[str, Any]:
        return {"mode": self.mode, "refused": sorted(self.refused)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Prompting:
        mode = data.get("mode")
        refused = data.get("refused")
        return cls(
            mode=mode if mode in ("tools", "text") else None,
            refused={f for f in refused if f in FEATURES} if isinstance(refused, list) else set(),
        )


def server_key(backend: str, base_url: str, model: str) -> str:
    """Names one server and model in the cache."""
    return f"{backend} {base_url} {model}"


def load(key: str) -> Prompting:
    from backends import detect

    return Prompting.from_json(detect.read_server_notes(key))


def save(key: str, prompting: Prompting) -> None:
    from backends import detect

    detect.write_server_notes(key, prompting.to_json())
