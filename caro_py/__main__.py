"""`python -m caro_py` and the `caro` console script.

The CLI is imported inside main() so that a Ctrl-C during start-up (imports included) ends
with exit 130 and no traceback, like a Ctrl-C at any later point.
"""

from __future__ import annotations

import errno
import os
import sys

#: caro's own output could not be written (stdout full, closed, or a failing device).
EXIT_OUTPUT = 1


def main() -> None:
    _give_missing_streams_a_home()
    try:
        from caro_py.cli import main as cli_main

        cli_main()
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        sys.exit(130)
    except OSError as exc:
        # A reader that went away (EPIPE) never gets here: click stops quietly with exit 1.
        if exc.errno not in (errno.ENOSPC, errno.EIO, errno.EBADF, errno.EDQUOT):
            raise
        _point_stdout_at_devnull()
        sys.stderr.write(f"caro: error: cannot write the output: {exc.strerror}\n")
        sys.exit(EXIT_OUTPUT)


def _give_missing_streams_a_home() -> None:
    """A stream closed before start (`caro ... >&-`) is None in Python: use the null device.
    Also lets stdout print file names that are not UTF-8."""
    if sys.stdin is None:
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    # A file name that is not UTF-8 reaches Python as lone surrogates; print its own bytes
    # back rather than fail (the C locale does this already; a UTF-8 one does not).
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="surrogateescape")


def _point_stdout_at_devnull() -> None:
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":
    main()
