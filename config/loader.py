"""Build Settings from defaults, the TOML file, the environment and flags (weakest first).

Precedence: flag > environment (CARO_BACKEND, CARO_MODEL, CARO_SAFETY, CARO_SHELL) >
config file > defaults. The file is ~/.caro/config.toml unless CARO_CONFIG or --config
names another one.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from config.errors import ConfigError, FlagError
from config.model import BACKEND_NAMES, REMOTE_BACKENDS, SafetySettings, Settings
from config.validate import (
    BACKEND_SELECT_KEY,
    BACKEND_TABLE_CHECKS,
    BACKEND_TABLE_TYPES,
    EMBEDDED_TABLE_CHECKS,
    EMBEDDED_TABLE_TYPES,
    HISTORY_TABLE_TYPES,
    RETRIEVAL_TABLE_CHECKS,
    RETRIEVAL_TABLE_TYPES,
    SAFETY_TABLE_CHECKS,
    SAFETY_TABLE_TYPES,
    TOP_LEVEL_CHECKS,
    TOP_LEVEL_TYPES,
    Problem,
    check_backend_name,
    check_base_url,
    check_choice,
    check_positive,
    check_shell,
    check_table,
    coerce,
    suggest,
    type_name,
)
from safety.vocabulary import LEVELS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

ENV_CONFIG = "CARO_CONFIG"
# Environment variable -> the override key it feeds.
ENV_KEYS: dict[str, str] = {
    "CARO_BACKEND": "backend",
    "CARO_MODEL": "model",
    "CARO_SAFETY": "safety",
    "CARO_SHELL": "shell",
}
OVERRIDE_KEYS: tuple[str, ...] = (
    "backend",
    "model",
    "base_url",
    "shell",
    "safety",
    "timeout_seconds",
)

# Override keys whose flag has another name.
FLAG_FOR_KEY: dict[str, str] = {"timeout_seconds": "timeout"}


def expand_home(path: str | Path) -> Path:
    """`path` with a leading ~ or ~user expanded; ConfigError when there is no such home."""
    try:
        return Path(path).expanduser()
    except RuntimeError:  # ~nosuchuser, or no HOME and no password entry
        raise ConfigError(f"{path}: cannot expand '~': no such user or home directory") from None


def default_config_path(env: Mapping[str, str]) -> Path:
    """CARO_CONFIG when set, else ~/.caro/config.toml."""
    if env.get(ENV_CONFIG):
        return expand_home(env[ENV_CONFIG])
    home = env.get("HOME")
    return (Path(home) if home else expand_home("~")) / ".caro" / "config.toml"


def load_settings(
    *,
    path: Path | None = None,
    env: Mapping[str, str],
    overrides: Mapping[str, Any] | None = None,
) -> tuple[Settings, list[str]]:
    """Return the effective settings and any warnings (unknown keys and the like).

    `path` is --config: it must exist. The file found through CARO_CONFIG or the home
    directory is optional (a missing CARO_CONFIG file is a warning). Raises ConfigError
    (exit 2) for a broken file or a bad value.
    """
    settings = Settings()
    warnings: list[str] = []
    file = expand_home(path) if path is not None else default_config_path(env)
    if path is not None and not file.exists():
        raise ConfigError(f"config file not found: {file}")
    if path is None and env.get(ENV_CONFIG) and not file.exists():
        # Optional, but a name the user set by hand and got wrong should not pass unseen.
        warnings.append(f"{ENV_CONFIG} names {file}, which does not exist; using the defaults")
    if file.exists():
        text, data = read_toml(file)
        apply_file(settings, data, text, file, warnings)
        settings.source = file
    apply_env(settings, env)
    apply_overrides(settings, overrides or {})
    return settings, warnings


def read_toml(file: Path) -> tuple[str, dict[str, Any]]:
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file}: not valid UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read it: {exc.strerror or exc}") from None
    text = text.removeprefix("\ufeff")  # a byte-order mark some editors write is no TOML
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(describe_toml_error(file, exc, text)) from None
    except RecursionError:
        raise ConfigError(f"{file}: arrays or tables are nested too deeply to read") from None


def describe_toml_error(file: Path, exc: ValueError, text: str = "") -> str:
    """'PATH: line N, column M: problem' from tomllib's message (3.10-3.13 keep it in text)."""
    message = str(exc)
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*$", message)
    if found:
        problem = message[: found.start()]
        return f"{file}: line {found.group(1)}, column {found.group(2)}: {problem}"
    found = re.search(r"\s*\(at end of document\)\s*$", message)
    if found:
        last = max(len(text.splitlines()), 1)
        return f"{file}: line {last} (end of file): {message[: found.start()]}"
    return f"{file}: {message}"


def locate(text: str, dotted: str) -> int | None:
    """Best-effort line number of `dotted` ("backend.ollama.model") in the TOML text."""
    *section_parts, key = dotted.split(".")
    section = ".".join(section_parts)
    current = ""
    key_line = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    full_line = re.compile(rf"^\s*{re.escape(dotted)}\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$", line)
        if header:
            current = re.sub(r"[\s\"']", "", header.group(1))
            if current == dotted:
                return number
            continue
        if current == section and key_line.match(line):
            return number
        if current == "" and full_line.match(line):
            return number
    return None


def apply_file(
    settings: Settings, data: dict[str, Any], text: str, file: Path, warnings: list[str]
) -> None:
    try:
        apply_tables(settings, data, warnings)
    except Problem as problem:
        line = locate(text, problem.key)
        where = f"{file}: line {line}" if line else str(file)
        raise ConfigError(f"{where}: {problem.key}: {problem.message}") from None
    warnings[:] = [f"{file}: {warning}" for warning in warnings]


# Tables whose keys map one to one onto a settings section: name -> (types, checks).
PLAIN_TABLES: dict[str, tuple[dict[str, str], Mapping[str, Any]]] = {
    "embedded": (EMBEDDED_TABLE_TYPES, EMBEDDED_TABLE_CHECKS),
    "retrieval": (RETRIEVAL_TABLE_TYPES, RETRIEVAL_TABLE_CHECKS),
    "history": (HISTORY_TABLE_TYPES, {}),
}


def apply_plain_table(settings: Settings, key: str, value: Any, warnings: list[str]) -> None:
    if not isinstance(value, dict):
        raise Problem(key, f"expected a table, got {type_name(value)}")
    types, checks = PLAIN_TABLES[key]
    section = getattr(settings, key)
    for name, item in check_table(f"{key}.", value, types, checks, warnings).items():
        setattr(section, name, item)


def apply_tables(settings: Settings, data: dict[str, Any], warnings: list[str]) -> None:
    known_top = [*TOP_LEVEL_TYPES, *PLAIN_TABLES]
    for key, value in data.items():
        if key == "backend":
            apply_backend(settings, value, warnings)
        elif key == "safety":
            apply_safety(settings, value, warnings)
        elif key in PLAIN_TABLES:
            apply_plain_table(settings, key, value, warnings)
        elif key in TOP_LEVEL_TYPES:
            clean = check_table("", {key: value}, TOP_LEVEL_TYPES, TOP_LEVEL_CHECKS, warnings)
            setattr(settings, key, clean[key])
        else:
            warnings.append(f'unknown key "{key}"{suggest(key, known_top)}; ignored')


def apply_backend(settings: Settings, value: Any, warnings: list[str]) -> None:
    """`backend = "name"`, or a [backend] table with `use` and [backend.NAME] tables."""
    if isinstance(value, str):
        settings.backend = check_backend_name("backend", value)
        return
    if not isinstance(value, dict):
        raise Problem("backend", f"expected a string or a table, got {type_name(value)}")
    valid = [BACKEND_SELECT_KEY, *REMOTE_BACKENDS]
    for name, table in value.items():
        dotted = f"backend.{name}"
        if name == BACKEND_SELECT_KEY:
            chosen = coerce(dotted, table, "str")
            settings.backend = check_backend_name(dotted, chosen)
        elif name == "embedded":
            warnings.append(
                f'"{dotted}" is ignored: the embedded model has its own [embedded] table'
            )
        elif name in REMOTE_BACKENDS:
            if not isinstance(table, dict):
                raise Problem(dotted, f"expected a table, got {type_name(table)}")
            clean = check_table(
                f"{dotted}.", table, BACKEND_TABLE_TYPES, BACKEND_TABLE_CHECKS, warnings
            )
            target = settings.backend_settings(name)
            for field_name, item in clean.items():
                setattr(target, field_name, item)
        else:
            warnings.append(f'unknown key "{dotted}"{suggest(name, valid)}; ignored')


def apply_safety(settings: Settings, value: Any, warnings: list[str]) -> None:
    """`safety = "strict"`, or a [safety] table with level, allow and deny."""
    if isinstance(value, str):
        settings.safety.level = check_choice("safety", value, LEVELS)
        return
    if not isinstance(value, dict):
        raise Problem("safety", f"expected a string or a table, got {type_name(value)}")
    clean = check_table("safety.", value, SAFETY_TABLE_TYPES, SAFETY_TABLE_CHECKS, warnings)
    settings.safety = SafetySettings(
        level=clean.get("level", settings.safety.level),
        allow=clean.get("allow", list(settings.safety.allow)),
        deny=clean.get("deny", list(settings.safety.deny)),
    )


def apply_env(settings: Settings, env: Mapping[str, str]) -> None:
    values = {key: env[var] for var, key in ENV_KEYS.items() if env.get(var)}
    try:
        apply_values(settings, values)
    except Problem as problem:
        var = next(v for v, k in ENV_KEYS.items() if k == problem.key)
        raise ConfigError(f"environment variable {var}: {problem.message}") from None


def apply_overrides(settings: Settings, overrides: Mapping[str, Any]) -> None:
    unknown = set(overrides) - set(OVERRIDE_KEYS)
    if unknown:
        raise ValueError(f"unknown override keys: {sorted(unknown)}")
    values = {key: value for key, value in overrides.items() if value is not None}
    try:
        apply_values(settings, values)
    except Problem as problem:
        flag = FLAG_FOR_KEY.get(problem.key, problem.key.replace("_", "-"))
        raise FlagError(f"--{flag}: {problem.message}") from None


def apply_values(settings: Settings, values: Mapping[str, Any]) -> None:
    """Apply env/flag values, which outrank anything the file said."""
    for key, value in values.items():
        if key == "backend":
            settings.backend = check_backend_name(key, value)
        elif key == "model":
            settings.model = coerce(key, value, "str")
        elif key == "base_url":
            settings.base_url = check_base_url(key, value)
        elif key == "shell":
            settings.shell = check_shell(key, value)
        elif key == "safety":
            settings.safety.level = check_choice(key, value, LEVELS)
        elif key == "timeout_seconds":
            settings.timeout_seconds = check_positive(key, coerce(key, value, "float"))
            # A flag outranks the file, per-backend timeouts included.
            for backend in settings.backends.values():
                backend.timeout_seconds = None


__all__ = [
    "BACKEND_NAMES",
    "ENV_CONFIG",
    "ENV_KEYS",
    "default_config_path",
    "describe_toml_error",
    "load_settings",
    "locate",
]
