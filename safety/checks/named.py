"""Checks written in Python that a data rule names (`check = "deletion.deletes_place"`).

A rule in safety/rules/*.toml either describes its check by keys (safety.checks.table) or
names one of these; `args` configures a named factory: `places` are safety.paths.Place names,
`predicate` names one of the module's PREDICATES, anything else is passed as a keyword.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from safety.paths import Place

# The check modules a rule may name: a fixed list, so a data file cannot import anything else.
MODULES = frozenset(
    {"accounts", "code", "config_edits", "deletion", "disk", "downloads", "environment", "infra",
     "net", "network", "permissions", "processes", "secret_vars", "security", "staged", "streams",
     "startup", "whole_command", "writes"}
)  # fmt: skip


def named_check(name: str, args: Mapping[str, Any] | None = None) -> Callable[[Any], Any]:
    """The check `module.function` (built with `args` when it is a factory); ValueError if
    no such check exists."""
    module_name, _, function = name.partition(".")
    if module_name not in MODULES or not function or function.startswith("_"):
        raise ValueError(f"unknown check {name!r}")
    module = importlib.import_module(f"safety.checks.{module_name}")
    found = getattr(module, function, None)
    if not callable(found):
        raise ValueError(f"unknown check {name!r}")
    if not args:
        return found  # type: ignore[no-any-return]
    kwargs = dict(args)
    places = [Place[str(p)] for p in kwargs.pop("places", ())]
    if "predicate" in kwargs:
        kwargs["predicate"] = module.PREDICATES[str(kwargs["predicate"])]
    return found(*places, **kwargs)  # type: ignore[no-any-return]
