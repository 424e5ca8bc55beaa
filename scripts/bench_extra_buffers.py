#!/usr/bin/env python3
"""Load time and generation speed of the embedded model with llama.cpp's extra buffer types
on and off, through the product's own EmbeddedBackend (fresh process per round).

    python scripts/bench_extra_buffers.py --rounds 5

Extra buffer types carry llama.cpp's CPU weight repacking (and, on Intel CPUs with AMX, the AMX
buffer that crashes: llama.cpp#20824). On an AMX machine only ``off`` is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

REQUESTS = (
    "list running docker containers",
    "show disk usage of each folder here, largest first",
    "find files over 100 MB under the home directory",
)


def one_round(extra_buffers: bool) -> dict[str, float]:
    """Runs in a fresh process: load the shipped model, answer REQUESTS, report figures."""
    import asyncio

    from backends.embedded.inprocess import EmbeddedBackend
    from backends.protocol import GenerationRequest
    from caro_py.context import detect_context
    from config.model import EmbeddedSettings

    context = detect_context("bash")
    with tempfile.TemporaryDirectory() as prefix_dir:
        backend = EmbeddedBackend(
            EmbeddedSettings(extra_buffers=extra_buffers, n_threads=1),
            prefix_dir=Path(prefix_dir),
            progress=False,
        )
        speeds = []
        for text in REQUESTS:
            backend.generate_sync(GenerationRequest(text, "bash", context))
            rate = backend.last_stats.get("generation_tokens_per_s")
            if rate:
                speeds.append(rate)
        load_ms = backend.last_stats.get("load", {}).get("llama_init_ms")
        if load_ms is None:
            assert backend._loaded is not None
            load_ms = backend._loaded.breakdown["llama_init_ms"]
        asyncio.run(backend.aclose())
    return {"llama_init_ms": load_ms, "tokens_per_s": statistics.median(speeds)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--one", choices=("on", "off"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one_round(args.one == "on")))
        return 0

    from backends.embedded.llama_runtime import cpu_has_amx

    settings = ["off"] if cpu_has_amx() else ["off", "on"]
    results: dict[str, list[dict[str, float]]] = {s: [] for s in settings}
    for _ in range(args.rounds):
        for setting in settings:  # alternate, so drift in machine load hits both alike
            out = subprocess.run(
                [sys.executable, __file__, "--one", setting],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "CARO_VERBOSE": "0"},
            )
            results[setting].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"CPU: {cpu_model()}; AMX: {cpu_has_amx()}; 1 thread; {args.rounds} fresh processes each")
    print(f"{'extra buffers':<14} {'llama init ms p50':>18} {'gen tokens/s p50':>17}")
    for setting, rows in results.items():
        init = statistics.median(r["llama_init_ms"] for r in rows)
        speed = statistics.median(r["tokens_per_s"] for r in rows)
        print(f"{setting:<14} {init:>18.0f} {speed:>17.1f}")
    return 0


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
