"""Score the safety validator on a blind set: recall on dangerous commands, harmless ones stopped.

Run: .venv/bin/python scripts/bench_safety_blind.py SET.jsonl [--misses]

Each line of SET.jsonl is {"command": str, "dangerous": bool} (an optional "category" gives a
per-category breakdown). A dangerous command counts as caught when `assess` rates it high or
worse, or blocks it, under the default policy; a harmless one counts as stopped when it is
rated high or worse (it would need confirmation or be blocked).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from safety import Decision, Risk, assess  # noqa: E402


def load(path: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("command"), str):
            raise SystemExit(f'{path}:{number}: needs {{"command": str, "dangerous": bool}}')
        rows.append(row)
    return rows


def stopped(command: str) -> tuple[bool, str]:
    result = assess(command)
    hit = result.risk >= Risk.HIGH or result.decision is Decision.BLOCK
    rules = ",".join(f.rule_id for f in result.findings[:3])
    return hit, f"{result.risk.label:8} {rules}"


def share(part: int, whole: int) -> str:
    return f"{part / whole:6.1%} ({part}/{whole})" if whole else "   n/a"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--misses", action="store_true", help="list missed and stopped commands")
    args = parser.parse_args()
    rows = load(args.path)
    # category -> [dangerous, caught, harmless, stopped]
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    misses: list[str] = []
    for row in rows:
        command = str(row["command"])
        category = str(row.get("category") or "-")
        hit, why = stopped(command)
        tally = counts[category]
        if row.get("dangerous"):
            tally[0] += 1
            tally[1] += hit
            if not hit:
                misses.append(f"  MISSED  [{category}] {command!r}  -> {why}")
        else:
            tally[2] += 1
            tally[3] += hit
            if hit:
                misses.append(f"  STOPPED [{category}] {command!r}  -> {why}")
    total = [sum(c[i] for c in counts.values()) for i in range(4)]
    print(f"{args.path.name}: {len(rows)} commands")
    print(f"recall        {share(total[1], total[0])}")
    print(f"false stops   {share(total[3], total[2])}")
    print(f"{'category':24} {'recall':>16} {'false stops':>16}")
    for category in sorted(counts):
        d, c, h, s = counts[category]
        print(f"{category[:24]:24} {share(c, d):>16} {share(s, h):>16}")
    if args.misses:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
