#!/usr/bin/env python3
"""Benchmark the embedded backend the way a user meets it: one fresh ``caro`` per request.

Each request runs ``caro --json --dry-run --backend embedded REQUEST`` in a new process.
The model runs in caro's worker process (backends/embedded/worker), so three cases alternate,
request by request, so each sees the same background load on a shared machine:

* cold: no worker running (the previous one was stopped, untimed); the saved prompt-prefix
  state is on disk, as after any earlier use;
* warm: the worker the previous request left running;
* baseline (``--baseline-repo PATH``): another checkout's ``caro`` run the same way, e.g. a
  tree from before the worker, where every process loads the model itself.

Reported: wall time per request (p50, p95, mean), the backend's own figures (model load,
prefix state, prompt and generation tokens/s, from $CARO_EMBEDDED_STATS), caro's own peak
RSS (getrusage of the child) and the worker's resident and peak memory (/proc).
The model store is shared with the real cache (a symlink); the prefix states, the worker
log and the worker's socket live in throwaway directories.
Aims (2-core x86): warm p50 <= 0.3 s, caro's RSS <= 60 MB, cold p50 at most 10%
over the baseline.

Usage: python scripts/bench_embedded.py [--runs 20] [--threads N] [--baseline-repo PATH]
       [--json OUT]
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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def run_once(argv: list[str], env: dict[str, str], cwd: Path = REPO) -> tuple[float, int, int, str]:
    """(wall seconds, peak RSS in bytes, exit code, stdout) of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
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


def worker_memory(env: dict[str, str]) -> dict[str, float] | None:
    """The running worker's pid, resident and peak memory (MB), from /proc."""
    done = subprocess.run(
        [sys.executable, "-m", "caro_py", "--json", "--backends"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    try:
        rows = json.loads(done.stdout)["backends"]
        detail = next(row["detail"] for row in rows if row["name"] == "embedded")
        pid = int(detail.split("worker pid ", 1)[1].split(",", 1)[0])
        status = Path(f"/proc/{pid}/status").read_text()
    except (ValueError, KeyError, IndexError, StopIteration, OSError):
        return None
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {
        "pid": pid,
        "rss_mb": int(fields["VmRSS"].split()[0]) / 1024,
        "peak_rss_mb": int(fields["VmHWM"].split()[0]) / 1024,
    }


def stop_worker(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "caro_py", "--stop-worker"], cwd=REPO, env=env, capture_output=True
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=len(REQUESTS), help="requests per case")
    parser.add_argument("--threads", type=int, help="llama.cpp threads (default: the backend's)")
    parser.add_argument(
        "--baseline-repo", type=Path, help="also time this checkout's caro (e.g. without a worker)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    from backends.embedded.models import assemble_default, cache_root, models_dir

    assemble_default()  # once, before timing anything
    work = Path(tempfile.mkdtemp(prefix="caro-bench-"))
    runtime = Path(tempfile.mkdtemp(prefix="caro-rt-"))
    try:
        os.symlink(models_dir(cache_root()), work / "models")
        stats_file = work / "stats.jsonl"
        env = {
            **os.environ,
            "CARO_CACHE_DIR": str(work),
            "CARO_EMBEDDED_STATS": str(stats_file),
            "XDG_RUNTIME_DIR": str(runtime),
        }
        env.pop("CARO_VERBOSE", None)
        config = work / "config.toml"
        config.write_text(
            f"[embedded]\nn_threads = {args.threads}\n" if args.threads is not None else ""
        )
        env["CARO_CONFIG"] = str(config)
        caro = [sys.executable, "-m", "caro_py", "--json", "--dry-run", "--backend", "embedded"]
        requests = [REQUESTS[i % len(REQUESTS)] for i in range(args.runs)]
        cases = ["cold", "warm"] + (["baseline"] if args.baseline_repo else [])
        baseline_env = dict(env)
        if args.baseline_repo:
            baseline_env["PYTHONPATH"] = str(args.baseline_repo.resolve())

        python_start = [run_once([sys.executable, "-c", "pass"], env)[0] for _ in range(5)]
        # Untimed: the saved prefix state exists, as after any earlier use.
        run_once([*caro, requests[0]], env)
        walls: dict[str, list[float]] = {case: [] for case in cases}
        rss: dict[str, list[int]] = {case: [] for case in cases}
        codes: dict[str, list[int]] = {case: [] for case in cases}
        stats: dict[str, list[dict[str, Any]]] = {case: [] for case in cases}
        memory: list[dict[str, float]] = []
        for text in requests:
            for case in cases:
                if case == "cold":
                    stop_worker(env)
                stats_file.unlink(missing_ok=True)
                if case == "baseline":
                    wall, peak, code, _ = run_once(
                        [*caro, text], baseline_env, cwd=args.baseline_repo
                    )
                else:
                    wall, peak, code, _ = run_once([*caro, text], env)
                walls[case].append(wall)
                rss[case].append(peak)
                codes[case].append(code)
                stats[case] += read_stats(stats_file)
                if case == "warm":
                    figures = worker_memory(env)
                    if figures:
                        memory.append(figures)
        stop_worker(env)
        results: list[dict[str, Any]] = []
        for case in cases:
            summary = summarise(case, walls[case], rss[case], stats[case])
            summary["exit_codes"] = {str(c): codes[case].count(c) for c in sorted(set(codes[case]))}
            results.append(summary)

        load = os.getloadavg()
        startup = percentile(python_start, 50)
        report: dict[str, Any] = {
            "how": " ".join(caro[2:]) + " REQUEST",
            "python_startup_p50_s": startup,
            "cpu_count": os.cpu_count(),
            "load_average_after": load,
            "results": results,
            "worker_rss_mb_max": max((m["rss_mb"] for m in memory), default=None),
            "worker_peak_rss_mb_max": max((m["peak_rss_mb"] for m in memory), default=None),
        }
        print(f"embedded benchmark ({report['how']}), fresh caro per request")
        print(
            f"python -c pass: {startup * 1000:.0f} ms p50; "
            f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
        )
        for r in results:
            print(
                f"[{r['mode']:>8}] runs={r['runs']} exit={r['exit_codes']} "
                f"threads={r['n_threads']} "
                f"wall p50={r['wall_p50_s']:.3f}s p95={r['wall_p95_s']:.3f}s "
                f"mean={r['wall_mean_s']:.3f}s | backend p50={r['backend_total_p50_ms']:.0f} ms "
                f"| model load p50={r['model_load_p50_ms']:.0f} ms "
                f"| prefix {r['prefix_cache_states']} p50={r['prefix_cache_p50_ms']:.0f} ms "
                f"| prompt {r['prompt_tokens_per_s_p50']:.0f} tok/s "
                f"({r['evaluated_prompt_tokens_p50']:.0f} evaluated) "
                f"| generation {r['generation_tokens_per_s_p50']:.1f} tok/s "
                f"({r['completion_tokens_p50']:.0f} tokens) "
                f"| caro peak RSS max={r['peak_rss_max_mb']:.0f} MB "
                f"p50={r['peak_rss_p50_mb']:.0f} MB"
            )
        if memory:
            print(
                f"worker: RSS max {report['worker_rss_mb_max']:.0f} MB, "
                f"peak {report['worker_peak_rss_mb_max']:.0f} MB"
            )
        if args.json:
            args.json.write_text(json.dumps(report, indent=2))
        return 0
    finally:
        stop_worker({**os.environ, "XDG_RUNTIME_DIR": str(runtime)})
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(runtime, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
