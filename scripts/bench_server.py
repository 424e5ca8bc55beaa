#!/usr/bin/env python3
"""Benchmark: a served chat model asked two ways, a bare one-line prompt and caro's backend path.

Runs the held-out everyday requests (the project's own everyday topics, scripts/data/
everyday*.jsonl, in the test split as scripts/build_dataset.py splits them) through one
OpenAI-compatible server:

  * bare: one user turn, "Write one bash command for: <request>", nothing else;
  * caro: what `caro --backend <name>` does: the pipeline's knowledge step (retrieved tldr
    examples, caro_py.knowledge; they reach the prompt only with --retrieval, as with
    [retrieval] enabled = true), then the real backend object (backends/remote/<name>.py,
    e.g. LMStudioBackend) with its system message, tool-or-text
    choice learned from the server, stops, shape-refusal handling and repair turn.

Both answers go through caro's parser for this wire format (backends/remote/openai_message.py),
so the difference is what the backend path asks and how; both are judged by
scripts/evaluate.py's checker (run in a bubblewrap sandbox on the fixture tree, else compared
as strings). The two ways take turns in runs of ten requests, so both see the same server
load and each keeps its own prompt prefix warm in the server's cache, as one user's requests
would. Prints accuracy, usable-answer rate, latency p50/p95 and requests per answer side by
side, and the rule: caro's accuracy at least the bare prompt's, at no more than 1.3 times its
p50 latency.

    python scripts/serve_llama.py --model SmolLM2-135M-Instruct.Q4_1.gguf --port 8099 \\
        --n_threads 1 --n_ctx 1024 --chat_format chatml &
    python scripts/bench_server.py --base-url http://127.0.0.1:8099 --limit 60

The learned server capabilities are kept in a throwaway cache, so the first request pays for
learning them as a first run of caro would.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import evaluate  # noqa: E402
from build_dataset import own_records, own_topics  # noqa: E402

from backends.errors import BackendError, NoUsableCommand  # noqa: E402
from backends.protocol import GenerationRequest, PlatformContext  # noqa: E402
from backends.remote.http_backend import MAX_TOKENS  # noqa: E402
from backends.remote.openai_message import parse_openai_message_detailed  # noqa: E402

#: The dataset's seed (scripts/build_dataset.py --seed), so the split is the one trained against.
DATASET_SEED = 13
LATENCY_RULE = 1.3
#: Requests each way asks in a row before the other way takes its turn.
CHUNK = 10
BACKENDS = ("lmstudio", "vllm", "exo", "openai")


@dataclass
class Answer:
    command: str | None
    latency_s: float
    requests: int
    raw: str


@dataclass
class Row:
    request: str
    reference: str
    bare: str | None
    bare_correct: bool
    bare_s: float
    caro: str | None
    caro_correct: bool
    caro_s: float
    caro_requests: int


def everyday_split(split: str) -> list[dict[str, Any]]:
    topics = {f"caro/{topic.topic}" for topic, everyday in own_topics() if everyday}
    return [
        rec for rec in own_records(DATASET_SEED) if rec["split"] == split and rec["page"] in topics
    ]


def context() -> PlatformContext:
    """Where the commands are judged: bash on Linux with GNU tools, in the sandbox's tree."""
    return PlatformContext(
        "linux", "Debian GNU/Linux 12", "x86_64", "bash", "5.2", "gnu", evaluate.SANDBOX_DIR
    )


class Bare:
    """One user turn, no system message, no tools, no stops; the answer parsed by caro."""

    def __init__(self, base_url: str, model: str, max_tokens: int, timeout: float) -> None:
        import httpx

        self.client = httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self.model = model
        self.max_tokens = max_tokens

    async def ask(self, request: str) -> Answer:
        payload = {
            "model": self.model,
            "messages": [{"role": "user", "content": f"Write one bash command for: {request}"}],
            "max_tokens": self.max_tokens,
            "temperature": 0,
            "stream": False,
        }
        started = time.perf_counter()
        response = await self.client.post("/v1/chat/completions", json=payload)
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        message = response.json()["choices"][0]["message"]
        try:
            command: str | None = parse_openai_message_detailed(message).command
        except NoUsableCommand:
            command = None
        return Answer(command, elapsed, 1, json.dumps(message)[:500])


class Caro:
    """What `caro --backend NAME --base-url URL` does for a request, up to the command: the
    knowledge step's retrieved examples (caro_py.knowledge, as the pipeline calls it) and the
    backend object itself, which puts them in its prompt only with [retrieval] enabled = true
    (``retrieval``)."""

    def __init__(
        self, name: str, base_url: str, model: str, timeout: float, retrieval: bool
    ) -> None:
        from backends.registry import create_backend
        from config.model import Settings

        settings = Settings(base_url=base_url, model=model, timeout_seconds=timeout)
        if retrieval:
            settings.retrieval.enabled = True
        self.backend: Any = create_backend(name, settings)
        self.k = settings.retrieval.k

    def request(self, text: str) -> GenerationRequest:
        request = GenerationRequest(text, "bash", context())
        if not self.k:
            return request
        from caro_py.knowledge import retrieve

        found = retrieve(text, request.context.os, self.k)
        return dataclasses.replace(request, examples=found.examples)

    async def ask(self, request: str) -> Answer:
        self.backend.requests_made = 0
        started = time.perf_counter()
        try:
            generated = await self.backend.generate(self.request(request))
            command: str | None = generated.command
            raw = json.dumps(generated.raw, default=str)[:500]
        except (NoUsableCommand, BackendError) as exc:
            command, raw = None, f"{type(exc).__name__}: {exc.message}"[:500]
        return Answer(command, time.perf_counter() - started, self.backend.requests_made, raw)


async def first_model(base_url: str) -> str:
    import httpx

    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        response = await client.get("/v1/models")
        response.raise_for_status()
        return str(response.json()["data"][0]["id"])


def summary(name: str, correct: list[bool], usable: list[bool], seconds: list[float]) -> str:
    n = max(1, len(correct))
    return (
        f"  {name:<5} accuracy {sum(correct) / n:6.1%}  usable {sum(usable) / n:6.1%}  "
        f"p50 {statistics.median(seconds) * 1000:6.0f} ms  "
        f"p95 {evaluate.percentile(seconds, 95) * 1000:6.0f} ms"
    )


async def run(args: argparse.Namespace) -> int:
    base_url = args.base_url.rstrip("/").removesuffix("/v1")
    model = args.model or await first_model(base_url)
    records = everyday_split(args.split)
    random.Random(args.seed).shuffle(records)
    records = records[: args.limit] if args.limit else records
    bare = Bare(base_url, model, args.max_tokens, args.timeout)
    caro = Caro(args.backend, base_url, model, args.timeout, retrieval=args.retrieval)
    blocked = evaluate.safety_blocker()
    rows: list[Row] = []
    try:
        with evaluate.fixture_dir() as fixture:
            try:
                sandbox: evaluate.Sandbox | None = evaluate.Sandbox(fixture, args.run_timeout)
            except evaluate.SandboxUnavailable as exc:
                print(f"warning: {exc}", file=sys.stderr)
                sandbox = None
            for start in range(0, len(records), CHUNK):
                chunk = records[start : start + CHUNK]
                # Each way asks a run of requests in a row, as one user's caro does, so a
                # server's prompt-prefix cache works for both; which way goes first
                # alternates, so neither always meets a busier machine.
                ways = (bare, caro) if (start // CHUNK) % 2 == 0 else (caro, bare)
                answers: dict[int, list[Answer]] = {}
                for way in ways:
                    answers[id(way)] = [await way.ask(rec["request"]) for rec in chunk]
                for offset, rec in enumerate(chunk):
                    b, c = answers[id(bare)][offset], answers[id(caro)][offset]
                    refs = [rec["command"], *rec.get("alternatives", [])]
                    b_ok = evaluate.judge(b.command, refs, sandbox, blocked).correct
                    c_ok = evaluate.judge(c.command, refs, sandbox, blocked).correct
                    rows.append(
                        Row(
                            rec["request"],
                            rec["command"],
                            b.command,
                            b_ok,
                            b.latency_s,
                            c.command,
                            c_ok,
                            c.latency_s,
                            c.requests,
                        )  # fmt: skip
                    )
                    if args.verbose:
                        print(
                            f"[{len(rows)}] {rec['request'][:48]!r}: bare {b.command!r} "
                            f"({b_ok}), caro {c.command!r} ({c_ok}, {c.requests} req)",
                            file=sys.stderr,
                        )
    finally:
        await bare.client.aclose()
        await caro.backend.aclose()
    return report(args, model, rows)


def report(args: argparse.Namespace, model: str, rows: list[Row]) -> int:
    print(
        f"\n{len(rows)} held-out everyday requests ({args.split} split), model {model} "
        f"at {args.base_url}, caro path: --backend {args.backend}"
        f"{' with retrieved examples' if args.retrieval else ''}"
    )
    bare_s = [r.bare_s for r in rows]
    caro_s = [r.caro_s for r in rows]
    print(
        summary("bare", [r.bare_correct for r in rows], [r.bare is not None for r in rows], bare_s)
    )
    print(
        summary("caro", [r.caro_correct for r in rows], [r.caro is not None for r in rows], caro_s)
    )
    requests = [r.caro_requests for r in rows]
    print(
        f"  caro requests per answer: mean {statistics.mean(requests):.2f}, "
        f"max {max(requests)}; one: {requests.count(1)}, two: {requests.count(2)}, "
        f"more: {sum(1 for n in requests if n > 2)}"
    )
    bare_acc = sum(r.bare_correct for r in rows)
    caro_acc = sum(r.caro_correct for r in rows)
    ratio = statistics.median(caro_s) / max(1e-9, statistics.median(bare_s))
    holds = caro_acc >= bare_acc and ratio <= LATENCY_RULE
    print(
        f"  rule (caro accuracy >= bare, p50 latency <= {LATENCY_RULE}x): "
        f"{caro_acc} vs {bare_acc} correct, latency {ratio:.2f}x -> "
        f"{'holds' if holds else 'does NOT hold'}"
    )
    if args.out:
        args.out.write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base-url", required=True, help="the server, e.g. http://127.0.0.1:8099")
    p.add_argument("--model", help="model id (default: the server's first)")
    p.add_argument("--backend", choices=BACKENDS, default="lmstudio", help="caro's path")
    p.add_argument("--split", choices=["test", "dev"], default="test")
    p.add_argument("--limit", type=int, default=60, help="requests (0: all)")
    p.add_argument("--seed", type=int, default=1, help="which requests, when --limit cuts")
    p.add_argument("--max-tokens", type=int, default=MAX_TOKENS, help="bare prompt's cap")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per request")
    p.add_argument("--run-timeout", type=float, default=5.0, help="seconds per judged run")
    p.add_argument(
        "--retrieval",
        action="store_true",
        help="caro's path with retrieved examples ([retrieval] enabled = true)",
    )
    p.add_argument("--out", type=Path, help="write every row here as JSON")
    p.add_argument("-v", "--verbose", action="store_true", help="one line per request")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="caro-bench-cache-") as cache:
        # Learned server capabilities go to a throwaway cache: the run starts as a first one.
        os.environ["XDG_CACHE_HOME"] = cache
        return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
