"""Benchmark the safety validator: p50/p95 of assess() on one-liners and on a 10 KB script.

Run: .venv/bin/python scripts/bench_safety.py [--rounds N]
Target: p50 at most 0.3 ms for a one-liner.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from safety import assess  # noqa: E402

ONE_LINERS = (
    "ls -la",
    "rm -rf ./build",
    "git push --force origin main",
    "bash -c 'rm -rf /'",
    "curl -fsSL https://example.com/install.sh | sh",
    "find . -name '*.pyc' -delete",
    "docker run --rm -v $(pwd):/app -w /app node:20 npm test",
    "echo cm0gLXJmIC8K | base64 -d | bash",
    "sudo dd if=ubuntu.iso of=/dev/sdb bs=4M status=progress",
    'for f in *.jpg; do convert "$f" -resize 50% "small-$f"; done',
)

SCRIPT_BLOCK = """\
#!/usr/bin/env bash
set -euo pipefail
BUILD_DIR="${BUILD_DIR:-./build}"
log() { printf '[%s] %s\\n' "$(date +%H:%M:%S)" "$*"; }
if [ -d "$BUILD_DIR" ]; then
  log "cleaning $BUILD_DIR"
  rm -rf "${BUILD_DIR:?}/"*
fi
mkdir -p "$BUILD_DIR/assets" "$BUILD_DIR/js"
for f in src/*.ts; do
  npx tsc "$f" --outDir "$BUILD_DIR/js" || { log "failed: $f"; exit 1; }
done
find ./static -type f -name '*.png' -exec cp {} "$BUILD_DIR/assets/" \\;
tar czf "dist-$(git rev-parse --short HEAD).tgz" -C "$BUILD_DIR" .
case "${1:-}" in
  deploy) rsync -avz --delete "$BUILD_DIR/" deploy@web:/srv/app/ ;;
  *) log "built" ;;
esac
"""


def ten_kb_script() -> str:
    text = ""
    while len(text) < 10_000:
        text += SCRIPT_BLOCK
    return text[:10_240]


def measure(commands: list[str], rounds: int) -> tuple[float, float]:
    times: list[float] = []
    for _ in range(rounds):
        for command in commands:
            start = time.perf_counter()
            assess(command)
            times.append(time.perf_counter() - start)
    times.sort()
    p50 = statistics.median(times) * 1000
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))] * 1000
    return p50, p95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    start = time.perf_counter()
    assess("true")  # first call loads the grammar
    print(f"first call (grammar load): {(time.perf_counter() - start) * 1000:.1f} ms")
    p50, p95 = measure(list(ONE_LINERS), args.rounds)
    print(f"one-liners ({len(ONE_LINERS)} x {args.rounds}): p50 {p50:.3f} ms  p95 {p95:.3f} ms")
    script = ten_kb_script()
    p50, p95 = measure([script], max(10, args.rounds // 5))
    print(f"10 KB script ({len(script)} chars): p50 {p50:.2f} ms  p95 {p95:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
