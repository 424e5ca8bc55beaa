"""The wrapper table (safety/data/wrappers.toml): programs that run a command given after their
own options, and which of those options take a value. One table for the validator's unwrapping
(safety.wrappers) and the router's "which tool does this command use" (caro_py.knowledge)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from safety.datafile import read_toml

WRAPPERS_FILE = Path(__file__).resolve().parent / "data" / "wrappers.toml"

_KEYS = frozenset(
    {"short", "optional", "long", "long_value", "long_optional", "operands", "self", "look_through"}
)


@dataclass(frozen=True)
class WrapperSpec:
    """One wrapper's options (see the keys at the top of safety/data/wrappers.toml)."""

    short: str = ""  # letters of short options that take a value
    optional: str = ""  # letters whose value is attached only (`-i{}`)
    long: dict[str, str] = field(default_factory=dict)  # long name -> letter or own name
    long_value: frozenset[str] = frozenset()  # long names with no letter that take a value
    long_optional: frozenset[str] = frozenset()  # long names whose value follows '=' only
    operands: int = 0  # operands before the command (timeout's DURATION)
    self_options: frozenset[str] = frozenset()  # after these it runs no command
    look_through: bool = True  # the wrapped program is the command line's tool

    @cached_property
    def value_longs(self) -> frozenset[str]:
        """Long names (no dashes) whose value may be the next word: `--user bob`."""
        takes = {n for n, canon in self.long.items() if len(canon) == 1 and canon in self.short}
        return frozenset((takes | self.long_value) - self.long_optional)


def _spec(path: Path, name: str, raw: dict[str, Any]) -> WrapperSpec:
    unknown = set(raw) - _KEYS
    if unknown:  # a misspelt key would silently mean "no such options"
        raise ValueError(f"{path}: [{name}] has unknown keys {sorted(unknown)}")
    return WrapperSpec(
        short=str(raw.get("short", "")),
        optional=str(raw.get("optional", "")),
        long={str(k): str(v) for k, v in raw.get("long", {}).items()},
        long_value=frozenset(str(n) for n in raw.get("long_value", ())),
        long_optional=frozenset(str(n) for n in raw.get("long_optional", ())),
        operands=int(raw.get("operands", 0)),
        self_options=frozenset(str(o) for o in raw.get("self", ())),
        look_through=bool(raw.get("look_through", True)),
    )


def read_wrapper_specs(path: Path) -> dict[str, WrapperSpec]:
    """The wrappers described in the TOML file at `path` (ValueError naming it if broken)."""
    return {name: _spec(path, name, raw) for name, raw in read_toml(path).items()}


@cache
def wrapper_specs() -> dict[str, WrapperSpec]:
    """Every wrapper in the table, by program name."""
    return read_wrapper_specs(WRAPPERS_FILE)
