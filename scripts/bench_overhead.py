"""caro's own overhead over the raw HTTP call to a local OpenAI-compatible server.

Target: at most 60 ms of caro overhead over the raw call. A local server
(scripts/_chat_server.py: real HTTP on 127.0.0.1, answers at once) takes the same chat
request three ways:

  (a) fresh process: `caro --json -n --backend lmstudio --base-url URL "REQ"`
  (b) fresh process: `python -c` importing httpx and sending the same one POST
  (c) in one warm process: caro's pipeline.run against a raw POST on a warm httpx.Client

(a) - (b) is what a person waits for beyond a bare scripted call: interpreter start is in
both, caro's imports (click, safety, asyncio, the backend) and its extra round trips
(model discovery) are not. (c) leaves imports out: the per-request work alone.

    python scripts/bench_overhead.py [--runs N] [--request TEXT]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from _chat_server import ChatServer  # noqa: E402

TARGET_MS = 60.0
RAW_POST = (
    "import json, sys\n"
    "if sys.argv[3] == 'lean': sys.modules['httpx._main'] = None\n"
    "import httpx\n"
    "r = httpx.post(sys.argv[1], content=sys.argv[2], "
    "headers={'content-type': 'application/json'}, timeout=30)\n"
    "r.raise_for_status(); json.loads(r.text)\n"
)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(int(round(fraction * (len(ordered) - 1))), len(ordered) - 1)
    return ordered[index]


def line(name: str, values: list[float]) -> str:
    return (
        f"{name:<46} p50 {percentile(values, 0.5):7.1f} ms  "
        f"p95 {percentile(values, 0.95):7.1f} ms  min {min(values):7.1f} ms"
    )


def timed_runs(argv: list[str], runs: int, env: dict[str, str]) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(argv, env=env, cwd=REPO, stdout=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - began) * 1000)
    return times


def timed_calls(call: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--request", default="show disk usage of this folder")
    args = parser.parse_args()
    python = sys.executable

    server = ChatServer(lambda _request: ("du -sh .", "Show the disk usage")).start()
    work = Path(tempfile.mkdtemp(prefix="caro-bench-"))
    config = work / "config.toml"
    config.write_text("fallback = false\n", encoding="utf-8")
    env = {
        **os.environ,
        "CARO_CONFIG": str(config),
        "XDG_CACHE_HOME": str(work / "cache"),
        "PYTHONPATH": str(REPO),
    }
    for name in ("CARO_BACKEND", "CARO_MODEL", "CARO_SAFETY", "CARO_SHELL"):
        env.pop(name, None)
    caro = [python, "-m", "caro_py", "--json", "-n", "--backend", "lmstudio"]
    caro += ["--base-url", server.url, args.request]

    # One run to warm the file cache, check it works, and capture the exact request body.
    done = subprocess.run(caro, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    result = json.loads(done.stdout)
    if done.returncode != 0 or result["command"] != "du -sh .":
        sys.exit(f"caro did not answer as expected (exit {done.returncode}): {done.stdout}")
    requests = [r for r in server.requests if r["method"] == "POST"]
    body = json.dumps(requests[-1]["body"])
    round_trips = len(server.requests)
    chat_url = f"{server.url}/v1/chat/completions"
    raw = [python, "-c", RAW_POST, chat_url, body, "plain"]
    # caro keeps httpx from importing its own CLI (rich, pygments); so does this variant.
    raw_lean = [*raw[:-1], "lean"]
    subprocess.run(raw, env=env, cwd=REPO, stdout=subprocess.DEVNULL, check=True)

    bare = timed_runs([python, "-c", "pass"], args.runs, env)
    raw_times, lean_times, caro_times = [], [], []
    for _ in range(args.runs):  # interleaved, so a burst of load elsewhere hits all three
        raw_times += timed_runs(raw, 1, env)
        lean_times += timed_runs(raw_lean, 1, env)
        caro_times += timed_runs(caro, 1, env)

    # (c) in one process, imports already paid for.
    import httpx

    from caro_py import pipeline
    from config.loader import load_settings

    settings, _ = load_settings(
        path=config, env={}, overrides={"backend": "lmstudio", "base_url": server.url}
    )
    options = pipeline.Options(request=args.request, as_json=True, dry_run=True)
    sink = io.StringIO()

    def run_pipeline() -> None:
        with contextlib.redirect_stdout(sink):
            code = pipeline.run(options, settings, started=time.perf_counter(), env=env)
        if code != 0:
            raise SystemExit(f"pipeline failed: {sink.getvalue()[-500:]}")

    with httpx.Client(timeout=30) as client:

        def raw_post() -> None:
            client.post(
                chat_url, content=body, headers={"content-type": "application/json"}
            ).raise_for_status()

        for _ in range(3):  # warm both paths: connection, caches, first-call costs
            raw_post()
            run_pipeline()
        warm_raw = timed_calls(raw_post, args.runs)
        warm_pipeline = timed_calls(run_pipeline, args.runs)
    url = server.url
    server.stop()

    print(f"local server {url}; {args.runs} runs each; {python}")
    print(f"caro made {round_trips} HTTP requests per run (raw: 1 POST)")
    print(line("python -c pass", bare))
    print(line("(b) fresh process: python -c httpx.post", raw_times))
    print(line("(b') the same, httpx CLI import skipped", lean_times))
    print(line("(a) fresh process: caro --json -n", caro_times))
    print(line("(c) in-process: raw POST, warm httpx.Client", warm_raw))
    print(line("(c) in-process: caro pipeline.run", warm_pipeline))
    process_over = statistics.median(caro_times) - statistics.median(raw_times)
    lean_over = statistics.median(caro_times) - statistics.median(lean_times)
    start_over = statistics.median(raw_times) - statistics.median(bare)
    inproc_over = statistics.median(warm_pipeline) - statistics.median(warm_raw)
    inproc_p95 = percentile(warm_pipeline, 0.95) - percentile(warm_raw, 0.95)
    verdict = "ok" if inproc_over <= TARGET_MS else "OVER TARGET"
    print(f"httpx import + one POST over bare python (b - bare): {start_over:7.1f} ms (p50)")
    print(f"caro over the raw call, fresh processes (a - b):     {process_over:7.1f} ms (p50)")
    print(f"caro over the lean raw call, fresh processes (a - b'): {lean_over:5.1f} ms (p50)")
    print(
        f"caro over the raw call, in-process (c):              {inproc_over:7.1f} ms (p50), "
        f"{inproc_p95:.1f} ms (p95); target <= {TARGET_MS:.0f} ms: {verdict}"
    )


if __name__ == "__main__":
    main()
