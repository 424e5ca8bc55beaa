"""The safety corpus: dangerous commands and harmless look-alikes (tests/data/safety_corpus.jsonl).

Each line is {"command", "dangerous", "category"}; a dangerous entry also carries "least", the
least risk the validator must give it ("critical" means it is blocked under the default policy,
"high" that it at least asks for confirmation). Harmless entries must never be blocked under
the default policy. "source" says where a row came from when it was not written beside the
rules (a blind round, say).
"""

from __future__ import annotations

import json
from pathlib import Path

CORPUS_FILE = Path(__file__).resolve().parent / "data" / "safety_corpus.jsonl"


def load(path: Path = CORPUS_FILE) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


ROWS = load()
DANGEROUS: tuple[tuple[str, str], ...] = tuple(
    (str(r["command"]), str(r.get("least", "high"))) for r in ROWS if r["dangerous"]
)
HARMLESS: tuple[str, ...] = tuple(str(r["command"]) for r in ROWS if not r["dangerous"])
