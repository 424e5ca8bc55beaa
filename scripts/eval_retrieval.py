#!/usr/bin/env python3
"""Retrieval off and on, side by side, through the product's own embedded backend.

Each request goes to backends.embedded.inprocess.EmbeddedBackend (the shipped prompt, prefix cache,
n_ctx, stops and parser) twice: once bare, once with the examples caro_py.knowledge retrieves
for it (the same call the pipeline makes, with [retrieval] k). Answers are judged by
scripts/evaluate.py's judge (execution in the bubblewrap sandbox against the fixture tree,
else string match). Also printed: the draft's tool accuracy (the bare answer's first program
against the reference's) and the router's (the reference tool among the pages shown).

Choose on dev; report on test once:

    python scripts/build_dataset.py --out runs/data --tokenize-with ''
    python scripts/eval_retrieval.py --data runs/data/dev.jsonl --source caro
    python scripts/eval_retrieval.py --data runs/data/test.jsonl --source tldr --limit 150
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from _shellspec import parse_page  # noqa: E402
from build_dataset import LINUX_CONTEXTS, MAC_CONTEXTS  # noqa: E402
from build_kb import PLATFORMS, TLDR, build  # noqa: E402
from evaluate import (  # noqa: E402
    Sandbox,
    SandboxUnavailable,
    fixture_dir,
    judge,
    load_examples,
    safety_blocker,
)
from train_router import retrain_like_shipped  # noqa: E402

from backends.embedded.inprocess import EmbeddedBackend  # noqa: E402
from backends.errors import BackendError, NoUsableCommand  # noqa: E402
from backends.protocol import GenerationRequest, PlatformContext  # noqa: E402
from caro_py.knowledge import retrieve  # noqa: E402
from caro_py.knowledge.command_tool import tool_of  # noqa: E402
from caro_py.knowledge.index import connect, platforms_for  # noqa: E402
from caro_py.knowledge.router import Router  # noqa: E402
from config.model import Settings  # noqa: E402

CONTEXTS: dict[str, PlatformContext] = {c.describe(): c for c in LINUX_CONTEXTS + MAC_CONTEXTS}


def context_of(described: str | None) -> PlatformContext:
    # Rows written without a context line get the first Linux one (both arms alike).
    return CONTEXTS.get(described or "", LINUX_CONTEXTS[0])


def without_pages(rows: list[dict[str, Any]], out: Path) -> Path:
    """A knowledge base built without the tldr pages these rows were made from.

    Rows name their page by title ('common/git commit'); the knowledge base by file.
    """
    wanted = {str(r["page"]) for r in rows}
    drop = set()
    for platform in PLATFORMS:
        for path in (TLDR / "pages" / platform).glob("*.md"):
            title = parse_page(path.read_text(encoding="utf-8"), platform).name
            if f"{platform}/{title}" in wanted:
                drop.add(f"{platform}/{path.stem}")
    build(out, drop)
    retrain_like_shipped(out)  # the router's model must not have seen those pages either
    return out


def answer(backend: EmbeddedBackend, request: GenerationRequest) -> tuple[str | None, float]:
    began = time.perf_counter()
    try:
        command: str | None = backend.generate_sync(request).command
    except (BackendError, NoUsableCommand):
        command = None  # no usable command: counted as unparsed
    return command, time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=REPO / "runs" / "data" / "dev.jsonl")
    p.add_argument("--source", choices=["tldr", "caro"])
    p.add_argument("--limit", type=int, default=0, help="examples (0: all)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--k", type=int, default=Settings().retrieval.k)
    p.add_argument("--out", type=Path, help="every row as JSON")
    p.add_argument("--model-path", help="another GGUF (its prompt profile from its metadata)")
    p.add_argument(
        "--drop-own-pages",
        action="store_true",
        help="retrieve from a knowledge base without the rows' own tldr pages (unseen tools)",
    )
    p.add_argument(
        "--hand-router",
        action="store_true",
        help="route by the hand-weighted signals alone (the router before its trained model)",
    )
    args = p.parse_args(argv)
    if "train" in args.data.name:
        p.error("refusing to evaluate on the training split")
    rows = load_examples(args.data, args.limit, args.seed, args.source)
    kb: Path | None = None
    if args.drop_own_pages:
        kb = without_pages(rows, Path(tempfile.mkdtemp(prefix="caro-kb-")) / "kb.sqlite")
    settings = Settings()
    settings.retrieval.enabled = True  # the 'on' arm shows whatever it is given
    if args.model_path:
        settings.embedded.model_path = args.model_path
    backend = EmbeddedBackend(settings, progress=False)
    blocked = safety_blocker()
    routers: dict[str, Router] = {}
    results = []
    with fixture_dir() as fixture:
        try:
            sandbox: Sandbox | None = Sandbox(fixture)
        except SandboxUnavailable as exc:
            print(f"warning: {exc}", file=sys.stderr)
            sandbox = None
        for i, rec in enumerate(rows, 1):
            ctx = context_of(rec.get("context"))
            bare = GenerationRequest(rec["request"], ctx.shell, ctx)
            router = routers.get(ctx.os) if args.hand_router else None
            if args.hand_router and router is None:
                router = routers[ctx.os] = Router(connect(kb), platforms_for(ctx.os), trained=False)
            found = retrieve(bare.text, ctx.os, args.k, db_path=kb, router=router)
            refs = [rec["command"], *rec.get("alternatives", [])]
            off, off_s = answer(backend, bare)
            on, on_s = answer(backend, replace(bare, examples=found.examples))
            ref_tool = tool_of(rec["command"])
            off_ok = judge(off, refs, sandbox, blocked).correct
            on_ok = off_ok if on == off else judge(on, refs, sandbox, blocked).correct
            results.append(
                {
                    "request": rec["request"],
                    "reference": rec["command"],
                    "off": off,
                    "on": on,
                    "off_ok": off_ok,
                    "on_ok": on_ok,
                    "off_s": off_s,
                    "on_s": on_s,
                    "pages": list(found.pages),
                    "router_ok": ref_tool in {c.tool for c in found.route.chosen},
                    "draft_ok": off is not None and tool_of(off) == ref_tool,
                }
            )
            if i % 20 == 0 or i == len(rows):
                n = len(results)
                print(
                    f"[{i}/{len(rows)}] off {sum(r['off_ok'] for r in results) / n:.1%}"
                    f"  on {sum(r['on_ok'] for r in results) / n:.1%}",
                    flush=True,
                )
    n = max(1, len(results))

    def share(key: str) -> float:
        return sum(bool(r[key]) for r in results) / n

    shown = sum(bool(r["pages"]) for r in results) / n
    dropped = ", own pages removed from the index" if kb else ""
    dropped += ", hand-weighted router" if args.hand_router else ""
    print(f"model: {backend.last_stats.get('profile')} profile, {args.model_path or 'default'}")
    print(f"data: {args.data} source={args.source or 'all'} n={len(results)} k={args.k}{dropped}")
    print(f"retrieval off: {share('off_ok'):.1%} correct, parsed {share('off'):.1%}")
    print(f"retrieval on:  {share('on_ok'):.1%} correct, parsed {share('on'):.1%}")
    print(f"router: reference tool shown {share('router_ok'):.1%}, examples shown {shown:.1%}")
    print(f"draft (bare answer) uses the reference tool: {share('draft_ok'):.1%}")
    for arm in ("off", "on"):
        times = [r[f"{arm}_s"] * 1000 for r in results]
        print(f"latency {arm}: p50 {statistics.median(times):.0f} ms" if times else "")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
