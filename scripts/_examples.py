"""The project's own examples: topics read from JSONL files under scripts/data.

One JSON object a line, one topic each::

    {"topic": "kebab-name", "category": "files", "command": "ls -lh",
     "alternatives": ["ls -l -h"], "requests": ["list files with sizes", ...],
     "checked": true, "setup": "git init -q"}

``alternatives`` (equivalent spellings), ``checked`` (the command ran in the evaluation sandbox
against the fixture tree: written by check_examples.py) and ``setup`` (a shell line the checker
runs first in the same sandbox, e.g. to make a git repository; never part of the training
example) may be left out. The topic is the split key, so every phrasing of one topic lands in
the same split.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
OWN_FILE = DATA_DIR / "own.jsonl"
EVERYDAY_GLOB = "everyday*.jsonl"

_REQUIRED = ("topic", "category", "command", "requests")
_KEYS = ("topic", "category", "command", "alternatives", "requests", "checked", "setup")


class ExampleFileError(ValueError):
    """A topic file that does not follow the format above (names the file and line)."""


@dataclass(frozen=True)
class Topic:
    topic: str
    category: str
    command: str
    requests: tuple[str, ...]
    alternatives: tuple[str, ...] = ()
    checked: bool | None = None
    setup: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The object as written to the file: optional keys only when set."""
        obj: dict[str, Any] = {
            "topic": self.topic,
            "category": self.category,
            "command": self.command,
        }
        if self.alternatives:
            obj["alternatives"] = list(self.alternatives)
        obj["requests"] = list(self.requests)
        if self.checked is not None:
            obj["checked"] = self.checked
        if self.setup is not None:
            obj["setup"] = self.setup
        return obj


def _nonempty_str(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _str_list(value: object) -> bool:
    return isinstance(value, list) and all(_nonempty_str(v) for v in value)


def parse_topic(obj: object) -> Topic:
    """One topic from its JSON object; ValueError says what is wrong with it."""
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    missing = [k for k in _REQUIRED if k not in obj]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    unknown = sorted(set(obj) - set(_KEYS))
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)}")
    for key in ("topic", "category", "command"):
        if not _nonempty_str(obj[key]):
            raise ValueError(f"{key} must be a non-empty string")
    if not _str_list(obj["requests"]) or not obj["requests"]:
        raise ValueError("requests must be a non-empty list of non-empty strings")
    alternatives = obj.get("alternatives", [])
    if not _str_list(alternatives):
        raise ValueError("alternatives must be a list of non-empty strings")
    checked = obj.get("checked")
    if checked is not None and not isinstance(checked, bool):
        raise ValueError("checked must be true or false")
    setup = obj.get("setup")
    if setup is not None and not _nonempty_str(setup):
        raise ValueError("setup must be a non-empty string")
    return Topic(
        topic=obj["topic"],
        category=obj["category"],
        command=obj["command"],
        requests=tuple(obj["requests"]),
        alternatives=tuple(alternatives),
        checked=checked,
        setup=setup,
    )


def load_topics(path: Path) -> list[Topic]:
    """Every topic of one JSONL file, in file order; blank lines are skipped."""
    topics: list[Topic] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                topic = parse_topic(json.loads(line))
            except ValueError as exc:  # json.JSONDecodeError is a ValueError too
                raise ExampleFileError(f"{path}:{number}: {exc}") from None
            if topic.topic in seen:
                raise ExampleFileError(f"{path}:{number}: topic {topic.topic!r} appears twice")
            seen.add(topic.topic)
            topics.append(topic)
    return topics


def write_topics(path: Path, topics: list[Topic]) -> None:
    """Write topics back, one object a line (a temporary file first, so a crash loses nothing)."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for topic in topics:
            fh.write(json.dumps(topic.to_json(), ensure_ascii=False) + "\n")
    tmp.replace(path)


def everyday_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """The everyday topic files (the first set, then each later family file), in a stable order."""
    return sorted(data_dir.glob(EVERYDAY_GLOB))
