"""Typed errors, each carrying the documented exit code it maps to.

Exit codes (documented in the README): 0 ok (or the executed command's own code),
1 caro's output could not be written (caro_py.__main__), 2 usage or config error,
3 no backend or backend error, 4 blocked by safety, 5 declined by the user,
6 no usable command, 130 Ctrl-C.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_BACKEND = 3
EXIT_BLOCKED = 4
EXIT_DECLINED = 5
EXIT_NO_COMMAND = 6
EXIT_INTERRUPTED = 130


class CaroError(Exception):
    """Base class: every error the CLI reports cleanly, with its exit code."""

    exit_code: int = 1
    type_name: str = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(CaroError):
    exit_code = EXIT_USAGE
    type_name = "usage"


class ConfigError(CaroError):
    exit_code = EXIT_USAGE
    type_name = "config"


class BackendError(CaroError):
    """A backend could not produce an answer (refused, timeout, 5xx, bad body)."""

    exit_code = EXIT_BACKEND
    type_name = "backend"

    def __init__(self, message: str, *, backend: str | None = None) -> None:
        super().__init__(message)
        self.backend = backend


class BackendUnavailable(BackendError):
    """Nothing is listening, or the backend is switched off or not installed."""

    type_name = "backend_unavailable"


class BackendTimeout(BackendError):
    type_name = "backend_timeout"


class BackendProtocolError(BackendError):
    """The server answered, but not in a shape we can use (HTML page, bad JSON, 4xx)."""

    type_name = "backend_protocol"


class ModelError(BackendError):
    """The embedded model could not be found, fetched, verified or loaded."""

    type_name = "model"


class BlockedError(CaroError):
    exit_code = EXIT_BLOCKED
    type_name = "blocked"


class DeclinedError(CaroError):
    exit_code = EXIT_DECLINED
    type_name = "declined"


class NoUsableCommand(CaroError):
    """The model answered, but with no single runnable command (refusal, several, empty)."""

    exit_code = EXIT_NO_COMMAND
    type_name = "no_command"

    def __init__(self, message: str, *, raw: str | None = None, backend: str | None = None) -> None:
        super().__init__(message)
        self.raw = raw
        self.backend = backend
