"""caro configuration: defaults, the TOML file, environment and flags, in that order of weight."""

from config.model import (
    BACKEND_NAMES,
    DEFAULT_ORDER,
    REMOTE_BACKENDS,
    BackendSettings,
    EmbeddedSettings,
    RetrievalSettings,
    SafetySettings,
    Settings,
)

__all__ = [
    "BACKEND_NAMES",
    "DEFAULT_ORDER",
    "REMOTE_BACKENDS",
    "BackendSettings",
    "EmbeddedSettings",
    "RetrievalSettings",
    "SafetySettings",
    "Settings",
]
