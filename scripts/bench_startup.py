"""Start-up time of `caro --version` and `caro --help` against a bare `python -c pass`.

Target: at most 120 ms more than the bare interpreter. Also lists which heavy
modules (httpx, rich, llama_cpp, tree_sitter) those paths import: there should be none.

    python scripts/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

ENTRY = "import sys; from caro_py.cli import main; sys.argv[0] = 'caro'; main()"
HEAVY = ("httpx", "rich", "llama_cpp", "tree_sitter", "tree_sitter_bash")


def timed(argv: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - began) * 1000)
    return times


def heavy_imports(flag: str) -> list[str]:
    probe = (
        f"import sys; from caro_py.cli import main; sys.argv = ['caro', {flag!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    found = done.stderr.strip().splitlines()
    return [m for m in (found[-1].split(",") if found else []) if m]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    python = sys.executable
    timed([python, "-c", ENTRY, "--version"], 3)  # warm the file cache first
    bare = timed([python, "-c", "pass"], args.runs)
    base = statistics.median(bare)
    print(f"python -c pass           median {base:6.1f} ms  min {min(bare):6.1f} ms")
    for flag in ("--version", "--help"):
        runs = timed([python, "-c", ENTRY, flag], args.runs)
        median = statistics.median(runs)
        over = median - base
        verdict = "ok" if over <= 120 else "OVER TARGET"
        print(
            f"caro {flag:<10}         median {median:6.1f} ms  min {min(runs):6.1f} ms  "
            f"overhead {over:6.1f} ms (target <= 120 ms: {verdict})"
        )
        heavy = heavy_imports(flag)
        print(f"  heavy modules imported: {', '.join(heavy) if heavy else 'none'}")
    print(f"({args.runs} runs each, {python})")


if __name__ == "__main__":
    main()
