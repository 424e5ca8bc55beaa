"""The effective settings as TOML text or a plain dict, for `caro --show-config`."""

from __future__ import annotations

import dataclasses
from typing import Any

from config.model import Settings
from config.template import toml_value


def settings_dict(settings: Settings) -> dict[str, Any]:
    """A JSON-ready dict; unset values stay None."""
    data = dataclasses.asdict(settings)
    data["source"] = str(settings.source) if settings.source else None
    return data


def settings_toml(settings: Settings) -> str:
    """TOML text of these settings; unset values and flag/env-only keys appear as comments."""
    data = settings_dict(settings)
    source = data.pop("source")
    backends = data.pop("backends")
    safety = data.pop("safety")
    embedded = data.pop("embedded")
    retrieval = data.pop("retrieval")
    history = data.pop("history")
    chosen = data.pop("backend")
    lines = [f"# effective settings; file: {source or '(none, defaults)'}"]
    # --model/CARO_MODEL and --base-url have no top-level key in the file.
    only_flags = {key: data.pop(key) for key in ("model", "base_url")}
    data.pop("verbose")  # a run-time switch (-v), not a setting
    lines += [_line(key, value) for key, value in data.items()]
    lines += [
        f"# {key} = {toml_value(value)}  (from a flag or the environment)"
        for key, value in only_flags.items()
        if value is not None
    ]
    lines += ["", "[safety]", *(_line(k, v) for k, v in safety.items())]
    lines += ["", "[backend]", _line("use", chosen)]
    for name, table in backends.items():
        lines += ["", f"[backend.{name}]", *(_line(k, v) for k, v in table.items())]
    lines += ["", "[embedded]", *(_line(k, v) for k, v in embedded.items())]
    lines += ["", "[retrieval]", *(_line(k, v) for k, v in retrieval.items())]
    lines += ["", "[history]", *(_line(k, v) for k, v in history.items())]
    return "\n".join(lines) + "\n"


def _line(key: str, value: Any) -> str:
    return f"# {key} = (unset)" if value is None else f"{key} = {toml_value(value)}"
