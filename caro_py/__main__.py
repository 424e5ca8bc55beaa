"""`python -m caro_py` and the `caro` console script.

The CLI is imported inside main() so that a Ctrl-C during start-up (imports included) ends
with exit 130 and no traceback, like a Ctrl-C at any later point.
"""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from caro_py.cli import main as cli_main

        cli_main()
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        sys.exit(130)


if __name__ == "__main__":
    main()
