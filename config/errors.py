"""The errors config raises; caro_py/errors.py maps them to exit codes (2)."""

from __future__ import annotations


class ConfigError(Exception):
    """A config file, environment variable or setting that caro cannot use."""

    type_name = "config"  # the error's name in --json output

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FlagError(ConfigError):
    """A command-line value that fails the same checks as the config file's."""

    type_name = "usage"
