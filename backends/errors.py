"""The errors backends raise; caro_py/errors.py maps them to exit codes (3, 6, 2)."""

from __future__ import annotations


class BackendError(Exception):
    """A backend could not produce an answer (refused, timeout, 5xx, bad body)."""

    type_name = "backend"  # the error's name in --json output

    def __init__(self, message: str, *, backend: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.backend = backend
        # What detection and fallback tried before giving up (backends/selection.py), for -v.
        self.trail: tuple[str, ...] = ()


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


class NoUsableCommand(Exception):
    """The model answered, but with no single runnable command (refusal, several, empty)."""

    type_name = "no_command"

    def __init__(self, message: str, *, raw: str | None = None, backend: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.raw = raw
        self.backend = backend
        self.trail: tuple[str, ...] = ()  # as BackendError.trail


class SelectionError(Exception):
    """The backend choice itself is wrong: an unknown name, --base-url without --backend."""

    type_name = "usage"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
