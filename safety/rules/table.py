"""Rules written as data: every safety/rules/*.toml file, read once at import."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from safety.checks.table import table_check
from safety.model import Risk
from safety.rules.rule import Rule

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
_RISKS = {"moderate": Risk.MODERATE, "high": Risk.HIGH, "critical": Risk.CRITICAL}


def _rule(spec: dict[str, Any], source: str) -> Rule:
    try:
        return Rule(
            str(spec["id"]),
            str(spec["category"]),
            _RISKS[str(spec["risk"])],
            str(spec["message"]),
            table_check(spec),
            matches=tuple(spec.get("matches", ())),
            non_matches=tuple(spec.get("non_matches", ())),
        )
    except (KeyError, ValueError, TypeError) as exc:  # a broken data file is a bug: say where
        raise ValueError(f"{source}: rule {spec.get('id', '?')}: {exc!r}") from exc


def load(directory: Path = HERE) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for path in sorted(directory.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        rules.extend(_rule(spec, path.name) for spec in data.get("rule", ()))
    return tuple(rules)


RULES: tuple[Rule, ...] = load()
