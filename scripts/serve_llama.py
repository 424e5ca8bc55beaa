#!/usr/bin/env python3
"""llama-cpp-python's OpenAI-compatible server, with caro's safe model-load parameters.

Takes the same arguments as ``python -m llama_cpp.server``. The difference: models load without
llama.cpp's extra buffer types, which crash the first decode on Intel CPUs with AMX
(backends/llama_runtime.load_params). The integration tests start their servers through it.

    python scripts/serve_llama.py --model MODEL.gguf --port 8099 --chat_format chatml
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backends.embedded.llama_runtime import load_params  # noqa: E402


def main() -> None:
    from llama_cpp.server.__main__ import main as serve

    with load_params(extra_buffers=False):
        serve()


if __name__ == "__main__":
    main()
