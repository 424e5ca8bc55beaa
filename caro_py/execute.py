"""Run the approved command in the user's shell, attached to the real terminal."""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from caro_py.errors import UsageError


def run_in_shell(command: str, shell_path: str, *, stdout_to_stderr: bool = False) -> int:
    """Run `SHELL -c COMMAND`; return its exit status (128+N when killed by signal N).

    No pipes: the child inherits stdin, stdout and stderr, so interactive programs work
    and output streams live. `stdout_to_stderr` (for --json) keeps our stdout for the one
    JSON object. Ctrl-C reaches the child through the terminal; caro only waits, then
    puts the terminal modes back in case the program left them changed.
    """
    import subprocess

    def wait_on(signum: int, frame: Any) -> None:
        # A no-op handler, not SIG_IGN: an ignored SIGINT would be inherited by the child,
        # while a handler is reset to the default when the child execs. The child gets
        # the terminal's SIGINT itself; caro just keeps waiting for it.
        return None

    saved = save_terminal()
    previous = signal.signal(signal.SIGINT, wait_on)
    try:
        try:
            child = subprocess.Popen(
                [shell_path, "-c", command],
                stdout=sys.stderr.fileno() if stdout_to_stderr else None,
            )
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the command or path
            raise UsageError(
                f"cannot start {shell_path}: {getattr(exc, 'strerror', None) or exc}"
            ) from None
        code = child.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
        restore_terminal(saved)
    # Killed by signal N: report it the way shells do (SIGINT -> 130).
    return 128 - code if code < 0 else code


def save_terminal() -> Any:
    try:
        import termios

        if os.isatty(0):
            return termios.tcgetattr(0)
    except (ImportError, OSError):
        pass
    return None


def restore_terminal(saved: Any) -> None:
    if saved is None:
        return
    try:
        import termios

        termios.tcsetattr(0, termios.TCSADRAIN, saved)
    except (ImportError, OSError):
        pass
