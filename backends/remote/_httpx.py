"""httpx without its command-line client.

`import httpx` also imports httpx._main, its CLI, which loads rich, click and pygments (about
40 ms on a small CPU) that caro's backends never use. Marking that submodule as absent while
httpx loads makes httpx take its own fallback path (it defines `main` to print an install
hint instead). Where httpx was already imported, this changes nothing.
"""

from __future__ import annotations

import sys

_skip_cli = "httpx" not in sys.modules and "httpx._main" not in sys.modules
if _skip_cli:
    sys.modules["httpx._main"] = None  # type: ignore[assignment]
try:
    import httpx  # noqa: E402
finally:
    if _skip_cli:
        # Leave no trace: a later `import httpx._main` (the httpx CLI) works as usual.
        del sys.modules["httpx._main"]

__all__ = ["httpx"]
