#!/usr/bin/env python3
"""Router accuracy on the DEV splits (never test): is the reference tool among those shown?

Sets: the project's everyday dev topics (scripts/data/*.jsonl, split by build_dataset's
own_split) and tldr-derived dev requests (build_dataset's tldr_records over the dev pages), the
latter both with their page in the index (the shipped situation) and with every dev page
removed from it (an index built by build_kb.py --drop-pages). The reference tool is the first
program of the reference command. Prints top-1 / top-2 (among the pages shown, at most two),
how often nothing is shown, how often only wrong tools are shown, and the p50/p95 latency of
``retrieve`` (route + examples) in this warm process.

Each set is scored twice: by the shipped router (hand-weighted signals blended with the
trained model in the base) and by the hand-weighted signals alone (``trained=False``), the
router before the model. For "page removed" the model is retrained on the reduced base
(scripts/train_router.py with the shipped model's own arguments, read from its meta), so
it has never seen those pages either.

    python scripts/bench_router.py                 # the shipped weights
    python scripts/bench_router.py --grid          # search the blend weights on dev
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from _examples import load_topics  # noqa: E402
from _shellspec import parse_page, split_of  # noqa: E402
from build_dataset import own_split, own_topics, tldr_records  # noqa: E402
from build_kb import PLATFORMS, TLDR  # noqa: E402

from caro_py.knowledge.command_tool import tool_of  # noqa: E402
from caro_py.knowledge.index import connect, platforms_for  # noqa: E402
from caro_py.knowledge.retrieve import retrieve  # noqa: E402
from caro_py.knowledge.router import Candidate, Router, Weights  # noqa: E402


@dataclass(frozen=True)
class Case:
    request: str
    tool: str
    os: str
    page: str  # platform/stem, for dropping


def everyday_cases(split: str = "dev") -> list[Case]:
    cases: list[Case] = []
    for topic, everyday in own_topics():
        tool = tool_of(topic.command)
        if tool and own_split(topic.topic, everyday) == split:
            os_name = os_of_tool(tool)
            cases.extend(Case(r, tool, os_name, f"caro/{topic.topic}") for r in topic.requests)
    return cases


def os_of_tool(tool: str, root: Path = TLDR / "pages") -> str:
    """The OS an everyday request is routed for: 'darwin' for a tool whose tldr pages are all
    macOS's (`diskutil`, `defaults`: a Linux router never shows them), else 'linux'."""
    pages = [platform for platform in PLATFORMS if (root / platform / f"{tool}.md").is_file()]
    return "darwin" if pages == ["osx"] else "linux"


def tldr_cases(split: str = "dev") -> list[Case]:
    cases: list[Case] = []
    for platform in PLATFORMS:
        for path in sorted((TLDR / "pages" / platform).glob("*.md")):
            page = parse_page(path.read_text(encoding="utf-8"), platform)
            if page.is_alias or not page.examples or split_of(page.name) != split:
                continue
            os_name = "darwin" if platform == "osx" else "linux"
            for rec in tldr_records([page], 1, 13):
                tool = tool_of(str(rec["command"]))
                if tool:
                    cases.append(
                        Case(str(rec["request"]), tool, os_name, f"{platform}/{path.stem}")
                    )
    return cases


def score(cases: list[Case], routers: dict[str, Router]) -> dict[str, float]:
    return tally([(case.tool, routers[case.os].route(case.request).chosen) for case in cases])


def tally(results: list[tuple[str, tuple[Candidate, ...]]]) -> dict[str, float]:
    top1 = top2 = none = wrong = 0
    for tool, chosen in results:
        tools = [c.tool for c in chosen]
        top1 += bool(tools) and tools[0] == tool
        top2 += tool in tools
        none += not tools
        wrong += bool(tools) and tool not in tools
    n = len(results) or 1
    return {
        "n": len(results),
        "top1": top1 / n,
        "top2": top2 / n,
        "none": none / n,
        "wrong": wrong / n,
    }


def routers_for(db_path: Path | None, weights: Weights, trained: bool = True) -> dict[str, Router]:
    db = connect(db_path)
    return {
        os: Router(db, platforms_for(os), weights=weights, trained=trained)
        for os in ("linux", "darwin")
    }


def line(name: str, m: dict[str, float]) -> str:
    return (
        f"{name:<34} n={m['n']:<5} top-1 {m['top1']:6.1%}  among shown (<=2) {m['top2']:6.1%}"
        f"  none shown {m['none']:6.1%}  wrong only {m['wrong']:6.1%}"
    )


def latency(cases: list[Case], db_path: Path | None) -> tuple[float, float, float]:
    """Wall-clock p50 and p95 and CPU-time p50 (ms) of ``retrieve`` in this warm process.

    The CPU time is what a request costs when the machine is not shared; the wall clock
    includes waiting for a core.
    """
    for case in cases[:5]:
        retrieve(case.request, case.os, db_path=db_path)  # warm: connection, names, prior
    wall, cpu = [], []
    for case in cases:
        t, c = time.perf_counter(), time.process_time()
        retrieve(case.request, case.os, db_path=db_path)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    wall.sort()
    return statistics.median(wall), wall[int(len(wall) * 0.95) - 1], statistics.median(cpu)


def grid(everyday: list[Case], tldr: list[Case], db_path: Path | None) -> None:
    """Search the blend's weights on dev: the signals are read once per case."""
    axes = {
        "clf_weight": [0.5, 0.7, 0.9],
        "hand_power": [1.0, 1.5],
        "hand_floor": [10.0, 30.0, 60.0],
        "min_share": [0.05, 0.1, 0.15],
        "second_share": [0.1, 0.2],
    }
    routers = routers_for(db_path, Weights())
    read = {
        name: [(case, routers[case.os].signals(case.request)) for case in cases]
        for name, cases in (("everyday", everyday), ("tldr", tldr))
    }
    results = []
    for values in itertools.product(*axes.values()):
        weights = Weights(**dict(zip(axes, values, strict=True)))
        e, t = (
            tally(
                [
                    (case.tool, routers[case.os].decide(found, weights).chosen)
                    for case, found in read[name]
                ]
            )
            for name in ("everyday", "tldr")
        )
        # The aim: the right tool among those shown for everyday requests, few wrong shows.
        objective = e["top2"] + 0.5 * t["top2"] - 0.5 * (e["wrong"] + t["wrong"])
        results.append((objective, weights, e, t))
    results.sort(key=lambda r: -r[0])
    for objective, weights, e, t in results[:10]:
        print(f"{objective:.3f} {weights}")
        print("   " + line("everyday dev", e))
        print("   " + line("tldr dev (sample)", t), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", action="store_true", help="search the blend weights on dev")
    parser.add_argument("--tldr-sample", type=int, default=0, help="every Nth tldr dev case")
    parser.add_argument("--no-removed", action="store_true", help="skip 'page removed'")
    parser.add_argument("--db", type=Path, help="another knowledge base (default: the shipped)")
    parser.add_argument(
        "--also-without",
        metavar="GLOB",
        help="also score everyday dev without the topics of scripts/data/GLOB (an earlier set)",
    )
    args = parser.parse_args(argv)
    everyday = everyday_cases()
    tldr = tldr_cases()
    if args.tldr_sample:
        tldr = tldr[:: args.tldr_sample]
    if args.grid:
        grid(everyday, tldr, args.db)
        return 0
    weights = Weights()
    sets = [("everyday dev", everyday)]
    if args.also_without:
        left_out = {
            f"caro/{topic.topic}"
            for path in sorted((REPO / "scripts" / "data").glob(args.also_without))
            for topic in load_topics(path)
        }
        kept = [case for case in everyday if case.page not in left_out]
        sets.append((f"everyday dev w/o {args.also_without}", kept))
    for name, cases in (*sets, ("tldr dev, page in index", tldr)):
        print(line(name, score(cases, routers_for(args.db, weights))))
        print(line("  hand-weighted only", score(cases, routers_for(args.db, weights, False))))
    if not args.no_removed:
        with tempfile.TemporaryDirectory() as tmp:
            dropped = Path(tmp) / "kb.sqlite"
            from build_kb import build
            from train_router import retrain_like_shipped

            build(dropped, {c.page for c in tldr})
            retrain_like_shipped(dropped)
            print(line("tldr dev, page removed", score(tldr, routers_for(dropped, weights))))
            print(line("  hand-weighted only", score(tldr, routers_for(dropped, weights, False))))
    p50, p95, cpu = latency(everyday + tldr[:200], args.db)
    print(
        f"retrieve latency (warm process): p50 {p50:.1f} ms, p95 {p95:.1f} ms wall clock; "
        f"p50 {cpu:.1f} ms CPU time"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
