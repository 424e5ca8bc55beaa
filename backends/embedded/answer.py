"""The embedded model's text to one command: shared by the in-process backend and the worker client.

The worker only ever returns text and figures (backends/embedded/worker); turning that text into a
command (parse_completion) happens here, in the caller's process: FunctionGemma's command as the
model wrote it (backends/embedded/functiongemma_call.py), chatml's answer as text
(backends/answer_text.py), both judged by backends/command_text.py.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from backends.answer_text import parse_text_detailed
from backends.command_text import ParsedCommand
from backends.embedded.functiongemma_call import command_after_prefill
from backends.errors import NoUsableCommand
from backends.protocol import Example, GeneratedCommand

BACKEND = "embedded"


@dataclass
class Completion:
    """What one generation produced, before parsing: plain data, so it crosses a socket as JSON."""

    text: str
    profile: str  # "functiongemma" | "chatml"
    model_label: str  # "gemma3-270m + shell-lora"
    stats: dict[str, Any]  # token counts, finish_reason, tokens/s, prefix cache state
    timings_ms: dict[str, float]
    load: dict[str, float] | None = None  # the load breakdown, on the request that loaded
    examples_shown: bool = False  # the request's retrieved examples were in the prompt
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "profile": self.profile,
            "model_label": self.model_label,
            "stats": self.stats,
            "timings_ms": self.timings_ms,
            "load": self.load,
            "examples_shown": self.examples_shown,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Completion:
        return cls(
            text=str(data["text"]),
            profile=str(data["profile"]),
            model_label=str(data["model_label"]),
            stats=dict(data["stats"]),
            timings_ms={k: float(v) for k, v in dict(data["timings_ms"]).items()},
            load=data.get("load"),
            examples_shown=bool(data.get("examples_shown", False)),
        )

    def figures(self) -> dict[str, Any]:
        """The backend's figures for this generation (``last_stats``, $CARO_EMBEDDED_STATS)."""
        figures = {"text": self.text, "profile": self.profile, **self.stats}
        figures["timings_ms"] = self.timings_ms
        if self.load is not None:
            figures["load"] = self.load
        return figures


def to_command(
    completion: Completion, max_tokens: int, examples: tuple[Example, ...] = ()
) -> GeneratedCommand:
    """Parse the completion into a command, or raise NoUsableCommand.

    ``examples`` are the request's retrieved examples; the command names them as its sources
    only when they were in the prompt.
    """
    parsed = parse_completion(completion, max_tokens)
    return GeneratedCommand(
        command=parsed.command,
        backend=BACKEND,
        model=completion.model_label,
        explanation=parsed.explanation,
        raw={"text": completion.text, "profile": completion.profile, **completion.stats},
        timings_ms=dict(completion.timings_ms),
        examples_used=examples if completion.examples_shown else (),
    )


def parse_completion(completion: Completion, max_tokens: int) -> ParsedCommand:
    """The parse step for the embedded model: its profile says how it answered."""
    if completion.stats.get("finish_reason") == "length":
        raise NoUsableCommand(
            f"the embedded model's answer did not end within {max_tokens} "
            "tokens (embedded.max_tokens)",
            raw=completion.text,
            backend=BACKEND,
        )
    if completion.profile == "functiongemma":
        # The prompt ends in the call's prefill: the text is the command itself.
        return command_after_prefill(completion.text)
    # chatml: asked for {"command": ...}, read like any text answer (a model without the
    # grammar may still write a fence or a bare line).
    return parse_text_detailed(completion.text)


def record_figures(figures: dict[str, Any]) -> None:
    """Append one generation's figures to $CARO_EMBEDDED_STATS (scripts/bench_embedded.py)."""
    target = os.environ.get("CARO_EMBEDDED_STATS")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(figures) + "\n")
    except OSError:
        pass  # figures for a benchmark must never break a real request
