"""What one press of the shell hotkey costs: `caro --widget -p WORDS`, as the snippets run it.

Each run is a fresh caro process (as from the key), so it includes start-up, backend choice,
generation (with the embedded model: loading it too), the safety check and the history write.
Also times `caro init zsh`, which runs once per shell start-up.

    python scripts/bench_widget.py [--runs N] [--backend NAME] [--request WORDS]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def timed(argv: list[str], runs: int, env: dict[str, str]) -> tuple[list[float], str]:
    times: list[float] = []
    out = ""
    for _ in range(runs):
        began = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, env=env)
        times.append((time.perf_counter() - began) * 1000)
        if done.returncode != 0:
            sys.exit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.strip()}")
        out = done.stdout
    return times, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backend", default="embedded")
    parser.add_argument("--request", default="list the files here sorted by size")
    args = parser.parse_args()
    caro = [sys.executable, "-m", "caro_py"]
    with tempfile.TemporaryDirectory() as data:
        # A throwaway history, so the benchmark leaves no rows in the user's own.
        env = {**os.environ, "CARO_HISTORY_FILE": os.path.join(data, "history.sqlite3")}
        init, _ = timed([*caro, "init", "zsh"], args.runs, env)
        print(f"caro init zsh            median {statistics.median(init):7.1f} ms")
        widget = [*caro, "--backend", args.backend, "--widget", "-p", args.request]
        runs, out = timed(widget, args.runs, env)
    print(
        f"caro --widget ({args.backend})  median {statistics.median(runs):7.1f} ms  "
        f"min {min(runs):7.1f} ms  max {max(runs):7.1f} ms  ({args.runs} runs)"
    )
    print(f"  last answer: {out.strip()!r}")


if __name__ == "__main__":
    main()
