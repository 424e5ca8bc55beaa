#!/usr/bin/env python3
"""Benchmark the embedded backend the way a user meets it: one fresh process per request.

Each request runs ``caro --json --dry-run --backend embedded REQUEST`` in a new process
(``--direct``: a minimal driver that calls the backend without the CLI) and the script
reports, for a cold and a warm prompt-prefix cache:

* wall time per request (p50, p95, mean), as the user waits for it;
* model load (resolve + import llama_cpp + llama.cpp init), prompt and generation tokens/s,
  from the backend's own figures ($CARO_EMBEDDED_STATS);
* peak RSS of the process (getrusage of the child);
* the llama.cpp thread count each run used (``--threads N`` forces one, through a config
  file for the CLI and an argument for ``--direct``; default: the backend's own choice).

The model store is shared with the real cache (a symlink), the prefix states live in a
throwaway cache directory, so "cold" really starts without a saved prefix.
Aim (2-core x86): p50 <= 0.6 s warm, peak RSS <= 600 MB.

Usage: python scripts/bench_embedded.py [--runs 20] [--direct] [--threads N] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

REQUESTS = [
    "list running docker containers",
    "show disk usage of the current directory",
    "find python files changed in the last 7 days under src",
    "count lines in all markdown files",
    "show the 10 largest files in /var/log",
    "kill the process listening on port 8080",
    "compress the logs folder into logs.tar.gz",
    "show my public ip address",
    "list open network connections",
    "print the last 50 lines of app.log and keep following it",
    "rename all .jpeg files to .jpg",
    "show free memory in megabytes",
    "search for TODO in every js file recursively",
    "delete empty directories under build",
    "show git commits from the last week",
    "download https://example.com/file.zip",
    "make backup.sh executable",
    "how much space is left on each disk",
    "list users logged in right now",
    "show the environment variables that contain PATH",
    "convert video.mp4 to an mp3",
    "which process uses the most memory",
]

DRIVER = """
import asyncio, json, sys
from backends.embedded import EmbeddedBackend
from caro_py.context import detect_context, resolve_shell
from backends.protocol import GenerationRequest
from config.model import EmbeddedSettings
import os
shell = resolve_shell(None, os.environ)
ctx = detect_context(shell)
threads = int(sys.argv[2]) if len(sys.argv) > 2 else None
backend = EmbeddedBackend(EmbeddedSettings(n_threads=threads))
result = asyncio.run(backend.generate(GenerationRequest(sys.argv[1], ctx.shell, ctx)))
print(json.dumps({"command": result.command}))
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, int, int, str]:
    """(wall seconds, peak RSS in bytes, exit code, stdout) of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    # wait4 gives the child's own rusage, so the peak RSS is that process's alone.
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stdout = proc.stdout.read() if proc.stdout else ""
    stderr = proc.stderr.read() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 6):  # 6: the model gave no usable command (still timed)
        print(f"  exit {proc.returncode}: {stderr.strip()[-300:]}", file=sys.stderr)
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return wall, rss, proc.returncode, stdout


def read_stats(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def summarise(
    label: str, walls: list[float], rss: list[int], stats: list[dict[str, Any]]
) -> dict[str, Any]:
    loads = [s["timings_ms"]["model_load"] for s in stats if s["timings_ms"]["model_load"]]
    prompt_tps = [s["prompt_tokens_per_s"] for s in stats if s.get("prompt_tokens_per_s")]
    gen_tps = [s["generation_tokens_per_s"] for s in stats if s.get("generation_tokens_per_s")]
    prefix = [s["timings_ms"]["prefix_cache"] for s in stats]
    states = sorted({s["prefix_cache"] for s in stats})
    threads = sorted({s["load"]["n_threads"] for s in stats if "load" in s})
    return {
        "mode": label,
        "runs": len(walls),
        "wall_p50_s": percentile(walls, 50),
        "wall_p95_s": percentile(walls, 95),
        "wall_mean_s": statistics.fmean(walls) if walls else float("nan"),
        "model_load_p50_ms": percentile(loads, 50),
        "backend_total_p50_ms": percentile([s["timings_ms"]["total"] for s in stats], 50),
        "prefix_cache_p50_ms": percentile(prefix, 50),
        "prefix_cache_states": states,
        "n_threads": threads,
        "prompt_tokens_per_s_p50": percentile(prompt_tps, 50),
        "generation_tokens_per_s_p50": percentile(gen_tps, 50),
        "completion_tokens_p50": percentile([s["completion_tokens"] for s in stats], 50),
        "evaluated_prompt_tokens_p50": percentile(
            [s["prompt_tokens"] - s["cached_tokens"] for s in stats], 50
        ),
        "peak_rss_max_mb": max(rss) / 2**20 if rss else float("nan"),
        "peak_rss_p50_mb": percentile([r / 2**20 for r in rss], 50),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=len(REQUESTS), help="requests per mode")
    parser.add_argument(
        "--direct", action="store_true", help="call the backend without the CLI (fresh process)"
    )
    parser.add_argument("--threads", type=int, help="llama.cpp threads (default: the backend's)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    from backends.models import assemble_default, cache_root, models_dir

    assemble_default()  # once, before timing anything
    work = Path(tempfile.mkdtemp(prefix="caro-bench-"))
    try:
        os.symlink(models_dir(cache_root()), work / "models")
        stats_file = work / "stats.jsonl"
        env = {**os.environ, "CARO_CACHE_DIR": str(work), "CARO_EMBEDDED_STATS": str(stats_file)}
        env.pop("CARO_VERBOSE", None)
        if args.threads is not None and not args.direct:
            config = work / "config.toml"
            config.write_text(f"[embedded]\nn_threads = {args.threads}\n")
            env["CARO_CONFIG"] = str(config)
        caro = [sys.executable, "-m", "caro_py", "--json", "--dry-run", "--backend", "embedded"]
        driver = [sys.executable, "-c", DRIVER]
        base = driver if args.direct else caro
        requests = [REQUESTS[i % len(REQUESTS)] for i in range(args.runs)]
        extra = [str(args.threads)] if args.direct and args.threads is not None else []

        baseline = [run_once([sys.executable, "-c", "pass"], env)[0] for _ in range(5)]
        # Cold and warm runs alternate (cold: no saved prefix; warm: the state the cold run
        # just saved), so both see the same background load on a shared machine.
        walls: dict[str, list[float]] = {"cold": [], "warm": []}
        rss: dict[str, list[int]] = {"cold": [], "warm": []}
        codes: dict[str, list[int]] = {"cold": [], "warm": []}
        stats: dict[str, list[dict[str, Any]]] = {"cold": [], "warm": []}
        for text in requests:
            for mode in ("cold", "warm"):
                if mode == "cold":
                    shutil.rmtree(work / "prefix", ignore_errors=True)
                stats_file.unlink(missing_ok=True)
                wall, peak, code, _ = run_once([*base, text, *extra], env)
                walls[mode].append(wall)
                rss[mode].append(peak)
                codes[mode].append(code)
                stats[mode] += read_stats(stats_file)
        results: list[dict[str, Any]] = []
        for mode in ("cold", "warm"):
            summary = summarise(mode, walls[mode], rss[mode], stats[mode])
            summary["exit_codes"] = {str(c): codes[mode].count(c) for c in sorted(set(codes[mode]))}
            results.append(summary)

        load = os.getloadavg()
        startup = percentile(baseline, 50)
        report: dict[str, Any] = {
            "how": "direct backend driver" if args.direct else " ".join(caro[2:]) + " REQUEST",
            "python_startup_p50_s": startup,
            "cpu_count": os.cpu_count(),
            "load_average_after": load,
            "results": results,
        }
        print(f"embedded benchmark ({report['how']}), fresh process per request")
        print(
            f"python -c pass: {startup * 1000:.0f} ms p50; "
            f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
        )
        for r in results:
            print(
                f"[{r['mode']:>4}] runs={r['runs']} exit={r['exit_codes']} "
                f"threads={r['n_threads']} "
                f"wall p50={r['wall_p50_s']:.3f}s p95={r['wall_p95_s']:.3f}s "
                f"mean={r['wall_mean_s']:.3f}s | backend p50={r['backend_total_p50_ms']:.0f} ms "
                f"| model load p50={r['model_load_p50_ms']:.0f} ms "
                f"| prefix {r['prefix_cache_states']} p50={r['prefix_cache_p50_ms']:.0f} ms "
                f"| prompt {r['prompt_tokens_per_s_p50']:.0f} tok/s "
                f"({r['evaluated_prompt_tokens_p50']:.0f} evaluated) "
                f"| generation {r['generation_tokens_per_s_p50']:.1f} tok/s "
                f"({r['completion_tokens_p50']:.0f} tokens) "
                f"| peak RSS max={r['peak_rss_max_mb']:.0f} MB p50={r['peak_rss_p50_mb']:.0f} MB"
            )
        if args.json:
            args.json.write_text(json.dumps(report, indent=2))
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
