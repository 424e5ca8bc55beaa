"""Check the raw TOML tables against the Settings dataclasses, key by key.

The accepted keys and their types come from config/model.py itself, so a field added
there is accepted (and type-checked) here without a second list to keep in step.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from config.model import (
    BACKEND_NAMES,
    PROMPT_PROFILES,
    REMOTE_BACKENDS,
    BackendSettings,
    EmbeddedSettings,
    HistorySettings,
    RetrievalSettings,
)
from safety.vocabulary import LEVELS

# Top-level keys and the type each accepts (the tables `backend` and `safety` have
# their own checks, since each may also be a plain string).
TOP_LEVEL_TYPES: dict[str, str] = {
    "backend": "str",
    "order": "list[str]",
    "safety": "str",
    "shell": "str",
    "timeout_seconds": "float",
    "probe_timeout_ms": "int",
    "detect_cache_seconds": "float",
    "fallback": "bool",
}
SAFETY_TABLE_TYPES: dict[str, str] = {"level": "str", "allow": "list[str]", "deny": "list[str]"}
# In the `[backend]` table form, this key names the backend to use ("auto" or a name).
BACKEND_SELECT_KEY = "use"


def _field_types(cls: type) -> dict[str, str]:
    # config/model.py uses `from __future__ import annotations`, so types are strings.
    return {f.name: str(f.type) for f in dataclasses.fields(cls)}


BACKEND_TABLE_TYPES: dict[str, str] = _field_types(BackendSettings)
EMBEDDED_TABLE_TYPES: dict[str, str] = _field_types(EmbeddedSettings)
RETRIEVAL_TABLE_TYPES: dict[str, str] = _field_types(RetrievalSettings)
HISTORY_TABLE_TYPES: dict[str, str] = _field_types(HistorySettings)


class Problem(Exception):
    """One bad value: where it is (dotted key) and what is wrong with it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


def suggest(name: str, valid: list[str] | tuple[str, ...]) -> str:
    """' (did you mean "x"?)' for the nearest valid name, or ''."""
    import difflib  # only when a name is wrong: keeps it off the start-up path

    close = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def type_name(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def coerce(key: str, value: Any, annotation: str) -> Any:
    """Return `value` as the type that `annotation` names, or raise Problem."""
    options = [part.strip() for part in annotation.split("|")]
    if value is None and "None" in options:
        return None
    for option in options:
        # bool is an int subclass in Python, but `true` is never a valid number here.
        if option == "bool" and isinstance(value, bool):
            return value
        if option == "int" and isinstance(value, int) and not isinstance(value, bool):
            return value
        if option == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if option == "str" and isinstance(value, str):
            return value
        if option == "list[str]" and isinstance(value, list):
            if all(isinstance(item, str) for item in value):
                return list(value)
            raise Problem(key, "every item must be a string")
    wanted = " or ".join(
        {
            "bool": "true or false",
            "int": "an integer",
            "float": "a number",
            "str": "a string",
            "list[str]": "an array of strings",
        }.get(option, option)
        for option in options
        if option != "None"
    )
    raise Problem(key, f"expected {wanted}, got {type_name(value)}")


def check_choice(key: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise Problem(key, f'"{value}" is not one of {", ".join(choices)}{suggest(value, choices)}')
    return value


def check_backend_name(key: str, value: str) -> str:
    return check_choice(key, value, ("auto", *BACKEND_NAMES))


def check_finite(key: str, value: float) -> float:
    # TOML has nan and inf, and float() reads them from flags: no time limit is either.
    if not math.isfinite(value):
        raise Problem(key, f"must be a finite number, got {value}")
    return value


def check_positive(key: str, value: float) -> float:
    if check_finite(key, value) <= 0:
        raise Problem(key, f"must be greater than 0, got {value}")
    return value


def check_not_negative(key: str, value: float) -> float:
    if check_finite(key, value) < 0:
        raise Problem(key, f"must not be negative, got {value}")
    return value


def check_order(key: str, value: list[str]) -> list[str]:
    if not value:
        raise Problem(key, "must name at least one backend")
    seen: set[str] = set()
    for name in value:
        check_choice(key, name, BACKEND_NAMES)
        if name in seen:
            raise Problem(key, f'"{name}" is listed twice')
        seen.add(name)
    return value


def check_patterns(key: str, value: list[str]) -> list[str]:
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise Problem(key, f"bad regular expression {pattern!r}: {exc}") from None
    return value


def check_base_url(key: str, value: str) -> str:
    if not re.match(r"^https?://[^/\s]+", value):
        raise Problem(key, f'"{value}" is not an http:// or https:// URL')
    if re.search(r"[\x00-\x20\x7f]", value):
        raise Problem(key, f"{value!r} holds a space or control character")
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        port = parts.port  # reading it checks it: a number from 0 to 65535
    except ValueError as exc:
        raise Problem(key, f'"{value}" is not a usable URL ({exc})') from None
    if not parts.hostname or port == 0:
        raise Problem(key, f'"{value}" names no host, or port 0')
    return value.rstrip("/")


def check_bounded(most: int) -> Callable[[str, Any], Any]:
    """A positive number no larger than `most`: llama.cpp aborts the process, or allocates
    until the machine runs out of memory, on absurd thread counts and context sizes."""

    def check(key: str, value: Any) -> Any:
        if value is None:
            return value
        if check_positive(key, value) > most:
            raise Problem(key, f"must be at most {most}, got {value}")
        return value

    return check


def check_shell(key: str, value: str) -> str:
    if not value.strip():
        raise Problem(key, "must not be empty")
    return value


MAX_THREADS = 1024
MAX_EXAMPLES = 16  # more would crowd a small model's context and slow every request
MAX_CONTEXT = 131_072  # 4x what Gemma 3 270M was trained on; far past any one-line request

# Range and choice checks applied after the type check, by key name within a table.
TOP_LEVEL_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "backend": check_backend_name,
    "order": check_order,
    "safety": lambda k, v: check_choice(k, v, LEVELS),
    "shell": check_shell,
    "timeout_seconds": check_positive,
    "probe_timeout_ms": check_positive,
    "detect_cache_seconds": check_not_negative,
}
SAFETY_TABLE_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "level": lambda k, v: check_choice(k, v, LEVELS),
    "allow": check_patterns,
    "deny": check_patterns,
}
BACKEND_TABLE_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "base_url": check_base_url,
    "timeout_seconds": lambda k, v: v if v is None else check_positive(k, v),
    "max_tokens": lambda k, v: v if v is None else check_positive(k, v),
}
EMBEDDED_TABLE_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "prompt_profile": lambda k, v: v if v is None else check_choice(k, v, PROMPT_PROFILES),
    "n_threads": check_bounded(MAX_THREADS),
    "n_ctx": check_bounded(MAX_CONTEXT),
    "max_tokens": check_positive,
    "keep_alive": check_not_negative,
}
RETRIEVAL_TABLE_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "k": check_bounded(MAX_EXAMPLES),
}


def check_table(
    prefix: str,
    table: Mapping[str, Any],
    types: Mapping[str, str],
    checks: Mapping[str, Callable[[str, Any], Any]],
    warnings: list[str],
) -> dict[str, Any]:
    """Type- and range-check one table; unknown keys become warnings, not errors."""
    clean: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if key not in types:
            warnings.append(f'unknown key "{dotted}"{suggest(key, list(types))}; ignored')
            continue
        value = coerce(dotted, value, types[key])
        if key in checks and value is not None:
            value = checks[key](dotted, value)
        clean[key] = value
    return clean


def known_remote(name: str) -> bool:
    return name in REMOTE_BACKENDS
