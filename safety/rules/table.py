"""The rule table: every safety/rules/*.toml file, read once at import.

A rule describes its check by keys (safety.checks.table) or names a Python check with
`check = "module.function"` and optional `args` (safety.checks.named)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from safety.checks.named import named_check
from safety.checks.table import table_check
from safety.datafile import read_toml
from safety.model import Risk
from safety.rules.rule import Rule

HERE = Path(__file__).resolve().parent
_RISKS = {"moderate": Risk.MODERATE, "high": Risk.HIGH, "critical": Risk.CRITICAL}


def _rule(spec: dict[str, Any], source: str) -> Rule:
    try:
        return Rule(
            str(spec["id"]),
            str(spec["category"]),
            _RISKS[str(spec["risk"])],
            str(spec["message"]),
            named_check(str(spec["check"]), spec.get("args"))
            if "check" in spec
            else table_check(spec),
            matches=tuple(spec.get("matches", ())),
            non_matches=tuple(spec.get("non_matches", ())),
        )
    except (KeyError, ValueError, TypeError) as exc:  # a broken data file is a bug: say where
        raise ValueError(f"{source}: rule {spec.get('id', '?')}: {exc!r}") from exc


def load(directory: Path = HERE) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for path in sorted(directory.glob("*.toml")):
        data = read_toml(path)
        rules.extend(_rule(spec, path.name) for spec in data.get("rule", ()))
    return tuple(rules)


RULES: tuple[Rule, ...] = load()
