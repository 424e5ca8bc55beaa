"""The app's own errors, and the one table that maps every error caro reports to its exit code.

Exit codes (documented in the README): 0 ok (or the executed command's own code),
1 caro's output could not be written (caro_py.__main__), 2 usage or config error,
3 no backend or backend error, 4 blocked by safety, 5 declined by the user,
6 no usable command, 130 Ctrl-C.

The packages below the app raise their own errors (config/errors.py, backends/errors.py); they
never know an exit code.
"""

from __future__ import annotations

from backends.errors import (
    BackendError,
    BackendProtocolError,
    BackendTimeout,
    BackendUnavailable,
    ModelError,
    NoUsableCommand,
    SelectionError,
)
from config.errors import ConfigError, FlagError

__all__ = [
    "BackendError",
    "BackendProtocolError",
    "BackendTimeout",
    "BackendUnavailable",
    "ModelError",
    "NoUsableCommand",
    "SelectionError",
    "ConfigError",
    "FlagError",
    "CaroError",
    "UsageError",
    "BlockedError",
    "DeclinedError",
    "error_type_of",
    "message_of",
    "REPORTED",
    "exit_code_of",
]

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_BACKEND = 3
EXIT_BLOCKED = 4
EXIT_DECLINED = 5
EXIT_NO_COMMAND = 6
EXIT_INTERRUPTED = 130


class CaroError(Exception):
    """An error of the app itself (usage, safety block, the user's no, Ctrl-C)."""

    exit_code: int = 1
    type_name: str = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(CaroError):
    exit_code = EXIT_USAGE
    type_name = "usage"


class BlockedError(CaroError):
    exit_code = EXIT_BLOCKED
    type_name = "blocked"


class DeclinedError(CaroError):
    exit_code = EXIT_DECLINED
    type_name = "declined"


#: Every error the CLI reports cleanly (a message and an exit code, never a traceback).
REPORTED: tuple[type[Exception], ...] = (
    CaroError,
    ConfigError,
    BackendError,
    NoUsableCommand,
    SelectionError,
)

#: The lower packages' errors and their exit codes (the app's own carry theirs).
_EXIT_CODES: tuple[tuple[type[Exception], int], ...] = (
    (ConfigError, EXIT_USAGE),
    (SelectionError, EXIT_USAGE),
    (BackendError, EXIT_BACKEND),
    (NoUsableCommand, EXIT_NO_COMMAND),
)


def exit_code_of(err: BaseException) -> int:
    if isinstance(err, CaroError):
        return err.exit_code
    for kind, code in _EXIT_CODES:
        if isinstance(err, kind):
            return code
    return 1


def error_type_of(err: BaseException) -> str:
    """The error's name in --json output ("backend_timeout", "config", ...)."""
    return str(getattr(err, "type_name", "error"))


def message_of(err: BaseException) -> str:
    return str(getattr(err, "message", err))
