#!/usr/bin/env python3
"""Execution-checked accuracy of a backend on the held-out test split.

For each test request the backend writes one command. It counts as correct when running it
gives the same result as running the reference (stdout, exit status and the resulting files
of a fixture tree, each run in a fresh throwaway copy inside a bubblewrap sandbox with no
network and only that copy writable), or, when execution cannot decide (the reference fails,
needs a tool not installed here, or changes nothing), when it equals the reference or one of
its equivalent spellings after normalisation. The safety validator sees every command first;
nothing it blocks is run.

    # the embedded model (llama.cpp) with and without the adapter
    python scripts/evaluate.py --backend embedded --adapter backends/embedded/data/shell-lora.gguf
    python scripts/evaluate.py --backend embedded --no-adapter
    # any OpenAI-compatible server, side by side
    python scripts/evaluate.py --backend openai --base-url http://localhost:1234/v1 --model M
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

sys.path.insert(0, str(REPO / "scripts"))

from backends.protocol import PlatformContext  # noqa: E402

DEFAULT_BASE = REPO / "runs" / "base" / "gemma3-270m-q4_k_m.gguf"
SANDBOX_DIR = "/tmp/work"  # inside the sandbox: its own tmpfs /tmp holds the mount point
DAY = 86400


# --- fixture tree ---------------------------------------------------------------------------

LOG_LINES = [
    "2026-11-20 10:00:01 INFO server started on port 8080",
    "2026-11-20 10:00:05 WARNING disk usage at 81%",
    "2026-11-20 10:01:12 ERROR connection timeout to db.internal",
    "2026-11-20 10:02:40 INFO request served in 12ms",
    "2026-11-20 10:03:02 error failed to read config.txt",
    "2026-11-20 10:04:10 Warning retrying in 5 seconds",
    "2026-11-20 10:05:00 INFO shutting down",
]


def build_fixture(root: Path, now: float | None = None) -> None:
    """A small file tree with known names, sizes, times and contents (deterministic)."""
    now = time.time() if now is None else now
    files: dict[str, str | bytes] = {
        "notes.txt": "buy milk\nTODO: call alice\nerror in line 3\nhello world\ndone\n",
        "todo.txt": "TODO write report\nTODO fix bug\nread book\n",
        "app.log": "\n".join(LOG_LINES) + "\n",
        "logs/app.log": "\n".join(LOG_LINES[:4]) + "\n",
        "logs/error.log": "ERROR disk full\nERROR timeout\n",
        "data.csv": "id,name,city\n1,alice,Berlin\n2,bob,Paris\n3,carol,Berlin\n",
        "names.txt": "bob\nalice\nbob\ncarol\nalice\nbob\n",
        "config.txt": "mode=foo\nname=foo bar\nport=8080\n",
        "old.txt": "line one\nline two\nline three\n",
        "new.txt": "line one\nline 2\nline three\nline four\n",
        "draft.txt": "first draft\n",
        "deploy.sh": "#!/bin/sh\necho deploying\n",
        "package.json": '{"name": "demo", "version": "1.2.3", "scripts": {"test": "true"}}\n',
        "src/main.py": "import utils\n\n# TODO: handle errors\nprint(utils.greet('world'))\n",
        "src/utils.py": "def greet(name):\n    return f'hello {name}'\n",
        "src/app.js": "console.log('hello');\n",
        "docs/README.md": "# Demo\n\nA demo project.\n",
        "docs/guide.md": "# Guide\n\npassword is not stored here\n",
        "photos/holiday.jpg": bytes(range(256)) * 40,
        "photos/avatar.png": b"\x89PNG\r\n\x1a\n" + bytes(2000),
        "build/output.o": bytes(5000),
        "empty.txt": "",
        ".hidden": "secret=1\n",
        "report.pdf": b"%PDF-1.4\n" + bytes(30000),
        "big.bin": bytes(3 * 1024 * 1024),
    }
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    # Archives with fixed times, so the tree's digest does not depend on the clock.
    with (
        gzip.GzipFile(root / "backup.tar.gz", "wb", mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w") as tar,
    ):
        for rel in ("docs/README.md", "docs/guide.md"):
            info = tar.gettarinfo(root / rel, arcname=rel)
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            with (root / rel).open("rb") as fh:
                tar.addfile(info, fh)
    with zipfile.ZipFile(root / "photos.zip", "w") as zf:
        entry = zipfile.ZipInfo("photos/avatar.png", date_time=(2026, 1, 1, 0, 0, 0))
        zf.writestr(entry, (root / "photos/avatar.png").read_bytes())
    (root / "empty_dir").mkdir()
    # Times: most files a month old, a few changed yesterday.
    recent = {"notes.txt", "app.log", "src/main.py", "todo.txt"}
    for path in sorted(root.rglob("*"), reverse=True):
        rel = path.relative_to(root).as_posix()
        stamp = now - DAY if rel in recent else now - 30 * DAY
        os.utime(path, (stamp, stamp), follow_symlinks=False)


def tree_digest(root: Path) -> str:
    """Names, types, sizes and contents of everything under root (not times)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            digest.update(f"L {rel} -> {os.readlink(path)}\n".encode())
        elif path.is_dir():
            digest.update(f"D {rel}\n".encode())
        elif path.is_file():
            mode = "x" if os.access(path, os.X_OK) else "-"
            digest.update(f"F {rel} {mode} ".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


# --- sandbox --------------------------------------------------------------------------------


@dataclass
class RunResult:
    exit_code: int
    stdout: str
    tree: str
    tree_changed: bool
    timed_out: bool = False


class SandboxUnavailable(RuntimeError):
    pass


class Sandbox:
    """Runs a command in a fresh copy of the fixture, inside bubblewrap."""

    def __init__(self, fixture: Path, timeout: float = 5.0) -> None:
        found = shutil.which("bwrap")
        if found is None:
            raise SandboxUnavailable(
                "bubblewrap (bwrap) is not installed: apt-get install bubblewrap; "
                "without it commands are compared as strings only"
            )
        self.bwrap: str = found
        self.fixture = fixture
        self.timeout = timeout
        self.pristine = tree_digest(fixture)

    def run(self, command: str) -> RunResult:
        with tempfile.TemporaryDirectory(prefix="caro-eval-") as tmp:
            copy = Path(tmp) / "tree"
            shutil.copytree(self.fixture, copy, symlinks=True)
            argv = [
                self.bwrap,
                "--ro-bind", "/", "/",
                "--dev", "/dev",
                "--proc", "/proc",
                "--tmpfs", "/tmp",
                "--tmpfs", "/work",  # hide the repository and the shared data
                "--tmpfs", "/root",
                "--bind", str(copy), SANDBOX_DIR,
                "--chdir", SANDBOX_DIR,
                "--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent",
                "--new-session",
                "--clearenv",
                "--setenv", "HOME", SANDBOX_DIR,
                "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
                "--setenv", "LANG", "C.UTF-8",
                "--setenv", "TZ", "UTC",
                "--", "bash", "-c", command,
            ]  # fmt: skip
            timed_out = False
            try:
                proc = subprocess.run(
                    argv, capture_output=True, timeout=self.timeout, stdin=subprocess.DEVNULL
                )
                code, out = proc.returncode, proc.stdout
            except subprocess.TimeoutExpired as exc:
                timed_out, code, out = True, 124, exc.stdout or b""
            # Make everything removable (a command may chmod its files away).
            subprocess.run(["chmod", "-R", "u+rwX", str(copy)], capture_output=True)
            tree = tree_digest(copy)
        text = out.decode("utf-8", "replace").replace(SANDBOX_DIR, ".")
        return RunResult(code, text, tree, tree != self.pristine, timed_out)


# --- matching -------------------------------------------------------------------------------


def normalise(command: str) -> str:
    """Whitespace, quoting and a trailing ';' do not change a command's meaning."""
    command = command.strip().rstrip(";").strip()
    try:
        return " ".join(shlex.split(command))
    except ValueError:
        return re.sub(r"\s+", " ", command)


def string_match(candidate: str, references: list[str]) -> bool:
    norm = normalise(candidate)
    return any(norm == normalise(ref) for ref in references)


def execution_decides(ref: RunResult) -> bool:
    """The reference ran here and did something observable, so outputs can be compared."""
    return (
        ref.exit_code == 0 and not ref.timed_out and (bool(ref.stdout.strip()) or ref.tree_changed)
    )


def same_result(ref: RunResult, cand: RunResult) -> bool:
    def lines(text: str) -> list[str]:
        return [line.rstrip() for line in text.strip().splitlines()]

    return (
        cand.exit_code == ref.exit_code
        and not cand.timed_out
        and cand.tree == ref.tree
        and lines(cand.stdout) == lines(ref.stdout)
    )


@dataclass
class Verdict:
    correct: bool
    method: str  # "exec", "string", "blocked", "unparsed"
    detail: str = ""


def judge(
    candidate: str | None,
    references: list[str],
    sandbox: Sandbox | None,
    is_blocked: Callable[[str], bool],
) -> Verdict:
    if candidate is None:
        return Verdict(False, "unparsed")
    if string_match(candidate, references):
        return Verdict(True, "string")
    if is_blocked(candidate):
        return Verdict(False, "blocked", "the safety validator blocks it; not run")
    if sandbox is None or is_blocked(references[0]):
        return Verdict(False, "string")
    ref = sandbox.run(references[0])
    if not execution_decides(ref):
        return Verdict(False, "string", f"reference exit {ref.exit_code}: execution undecided")
    cand = sandbox.run(candidate)
    return Verdict(
        same_result(ref, cand), "exec", f"ref exit {ref.exit_code}, cand exit {cand.exit_code}"
    )


def safety_blocker(policy: str | None = None) -> Callable[[str], bool]:
    """True for commands the project's safety validator blocks."""
    from safety import assess

    def blocked(command: str) -> bool:
        return assess(command, policy=policy).decision.value == "block"

    return blocked


# --- backends -------------------------------------------------------------------------------


@dataclass
class Generation:
    command: str | None
    raw: str
    latency_s: float
    parsed: bool


def is_shell_command(command: str) -> bool:
    """One line that bash's grammar (tree-sitter-bash) parses without an error node."""
    if not command.strip() or "\n" in command.strip():
        return False
    import tree_sitter_bash
    from tree_sitter import Language, Parser

    global _BASH
    if _BASH is None:
        _BASH = Parser(Language(tree_sitter_bash.language()))
    return not _BASH.parse(command.encode()).root_node.has_error


_BASH: Any = None


class EmbeddedEval:
    """The product's own embedded backend (backends.embedded.inprocess.EmbeddedBackend): its prompt,
    prefix cache, n_ctx, stops and parser, with the examples caro_py.knowledge retrieves as
    the pipeline does (``retrieval``), or none.

    ``drop_page``: the request's own tldr page is left out of retrieval (a tool the index
    does not know).
    """

    def __init__(
        self,
        base: Path,
        adapter: Path | None,
        threads: int,
        max_tokens: int | None,
        retrieval: bool,
        drop_page: bool = False,
        k: int | None = None,
    ) -> None:
        from backends.embedded.inprocess import EmbeddedBackend
        from config.model import EmbeddedSettings, RetrievalSettings

        settings = EmbeddedSettings(
            model_path=str(base),
            adapter_path=str(adapter) if adapter else None,
            default_adapter=False,
            n_threads=threads,
        )
        if max_tokens:
            settings.max_tokens = max_tokens
        self.backend = EmbeddedBackend(settings, progress=False)
        # The product shows examples where [retrieval] says; here the arm decides.
        self.backend.retrieval = retrieval
        self.retrieval = retrieval
        self.drop_page = drop_page
        self.k = RetrievalSettings().k if k is None else k
        arm = ("retrieval on" + (", page removed" if drop_page else "")) if retrieval else "bare"
        self.name = (
            f"embedded ({base.name}{' + ' + adapter.name if adapter else ', no adapter'}; {arm})"
        )

    def generate(self, rec: dict[str, Any]) -> Generation:
        from dataclasses import replace

        from backends.errors import BackendError, NoUsableCommand
        from backends.protocol import GenerationRequest
        from caro_py.knowledge import retrieve

        ctx = context_of(rec.get("context"))
        request = GenerationRequest(rec["request"], ctx.shell, ctx)
        start = time.perf_counter()
        if self.retrieval:
            page = str(rec.get("page", ""))
            exclude = [page.split("/", 1)[1]] if self.drop_page and "/" in page else []
            found = retrieve(request.text, ctx.os, self.k, exclude_pages=exclude)
            request = replace(request, examples=found.examples)
        try:
            result = self.backend.generate_sync(request)
            command: str | None = result.command
        except NoUsableCommand:
            command = None
        except BackendError as exc:
            command = None
            print(f"warning: {exc}", file=sys.stderr)
        elapsed = time.perf_counter() - start
        text = str(self.backend.last_stats.get("text", ""))
        parsed = command is not None and is_shell_command(command)
        return Generation(command if parsed else None, text, elapsed, parsed)


def context_of(described: str | None) -> PlatformContext:
    """The PlatformContext a dataset row was written for (its ``describe()`` line); rows
    without one get the first Linux context."""
    from build_dataset import LINUX_CONTEXTS, MAC_CONTEXTS

    known = {c.describe(): c for c in LINUX_CONTEXTS + MAC_CONTEXTS}
    return known.get(described or "", LINUX_CONTEXTS[0])


class OpenAIBackend:
    """Any OpenAI-compatible server, asked for {"command": ...} as JSON."""

    SYSTEM = (
        "You turn a request into one shell command for the platform described. "
        'Answer with JSON only: {"command": "<the command>"}'
    )

    def __init__(self, base_url: str, model: str, timeout: float) -> None:
        import httpx

        self.client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)
        self.model = model
        self.name = f"openai-compatible {model} @ {base_url}"

    def generate(self, rec: dict[str, Any]) -> Generation:
        request, context = rec["request"], rec.get("context")
        messages = [
            {
                "role": "system",
                "content": self.SYSTEM + (f"\nPlatform: {context}" if context else ""),
            },
            {"role": "user", "content": request},
        ]
        start = time.perf_counter()
        resp = self.client.post(
            "/chat/completions",
            json={"model": self.model, "messages": messages, "temperature": 0, "max_tokens": 128},
        )
        elapsed = time.perf_counter() - start
        resp.raise_for_status()
        text = resp.json()["choices"][0]["message"]["content"] or ""
        match = re.search(r"\{.*\}", text, re.S)
        command = None
        if match:
            try:
                value = json.loads(match.group(0)).get("command")
                command = value.strip() if isinstance(value, str) and value.strip() else None
            except ValueError:
                command = None
        parsed = command is not None and is_shell_command(command)
        return Generation(command if parsed else None, text, elapsed, parsed)


# --- driver ---------------------------------------------------------------------------------


@dataclass
class Row:
    request: str
    reference: str
    category: str
    page: str
    candidate: str | None
    parsed: bool
    correct: bool
    method: str
    latency_s: float
    detail: str = ""
    raw: str = ""
    references: list[str] = field(default_factory=list)


@dataclass
class Report:
    backend: str
    examples: int
    accuracy: float
    parse_rate: float
    latency_p50_s: float
    latency_p95_s: float
    by_category: dict[str, dict[str, float]] = field(default_factory=dict)
    by_method: dict[str, int] = field(default_factory=dict)


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def summarise(name: str, rows: list[Row]) -> Report:
    cats: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        cats[row.category].append(row)
    methods: dict[str, int] = defaultdict(int)
    for row in rows:
        methods[f"{row.method}:{'ok' if row.correct else 'wrong'}"] += 1
    latencies = [r.latency_s for r in rows]
    n = max(1, len(rows))
    return Report(
        backend=name,
        examples=len(rows),
        accuracy=sum(r.correct for r in rows) / n,
        parse_rate=sum(r.parsed for r in rows) / n,
        latency_p50_s=statistics.median(latencies) if latencies else 0.0,
        latency_p95_s=percentile(latencies, 95),
        by_category={
            c: {"n": len(rs), "accuracy": sum(r.correct for r in rs) / len(rs)}
            for c, rs in sorted(cats.items())
        },
        by_method=dict(sorted(methods.items())),
    )


def load_examples(
    path: Path, limit: int, seed: int, source: str | None = None
) -> list[dict[str, Any]]:
    """``limit`` examples drawn with ``seed``; ``source`` keeps only tldr or caro rows."""
    with path.open(encoding="utf-8") as fh:
        recs = [json.loads(line) for line in fh if line.strip()]
    if source:
        recs = [r for r in recs if r.get("source") == source]
    rng = random.Random(seed)
    rng.shuffle(recs)
    return recs[:limit] if limit else recs


@contextmanager
def fixture_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="caro-fixture-") as tmp:
        root = Path(tmp) / "fixture"
        root.mkdir()
        build_fixture(root)
        yield root


def print_table(report: Report) -> None:
    print(f"\n{report.backend}: {report.examples} examples")
    p50, p95 = report.latency_p50_s * 1000, report.latency_p95_s * 1000
    print(
        f"  accuracy {report.accuracy:.1%}  parse {report.parse_rate:.1%}  "
        f"latency p50 {p50:.0f} ms  p95 {p95:.0f} ms"
    )
    for cat, vals in report.by_category.items():
        print(f"  {cat:<12} n={int(vals['n']):<4} {vals['accuracy']:.1%}")
    print(f"  methods: {report.by_method}")


def rescore(saved: Path, data: Path, out: Path, timeout: float, policy: str | None) -> int:
    """Re-judge saved answers with the current rules (parse check, references, sandbox)."""
    payload = json.loads(saved.read_text())
    alternatives: dict[str, list[str]] = {}
    with data.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            alternatives[rec["request"]] = [rec["command"], *rec.get("alternatives", [])]
    blocked = safety_blocker(policy)
    rows: list[Row] = []
    with fixture_dir() as fixture:
        try:
            sandbox: Sandbox | None = Sandbox(fixture, timeout)
        except SandboxUnavailable:
            sandbox = None
        for item in payload["rows"]:
            row = Row(**item)
            refs = row.references or alternatives.get(row.request, [row.reference])
            closed = row.parsed or row.candidate is not None
            parsed = closed and row.candidate is not None and is_shell_command(row.candidate)
            verdict = judge(row.candidate if parsed else None, refs, sandbox, blocked)
            row.parsed, row.correct, row.method, row.detail = (
                parsed,
                verdict.correct,
                verdict.method,
                verdict.detail,
            )
            row.references = refs
            rows.append(row)
    report = summarise(payload["report"]["backend"], rows)
    print_table(report)
    out.write_text(
        json.dumps({"report": asdict(report), "rows": [asdict(r) for r in rows]}, indent=2) + "\n"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=REPO / "runs" / "data" / "test.jsonl")
    p.add_argument("--limit", type=int, default=300, help="examples (0: all)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--source",
        choices=["tldr", "caro"],
        help="only rows from tldr pages, or only the project's own everyday requests",
    )
    p.add_argument("--backend", choices=["embedded", "openai"], default="embedded")
    p.add_argument("--base", type=Path, default=DEFAULT_BASE, help="embedded: base GGUF")
    p.add_argument(
        "--adapter", type=Path, default=REPO / "backends" / "embedded" / "data" / "shell-lora.gguf"
    )
    p.add_argument("--no-adapter", action="store_true", help="embedded: the base model alone")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument(
        "--max-tokens", type=int, default=None, help="embedded: default the product's setting"
    )
    p.add_argument(
        "--retrieval",
        choices=["on", "off"],
        default="off",
        help="embedded: show the examples caro_py.knowledge retrieves (as the pipeline does)",
    )
    p.add_argument(
        "--drop-page",
        action="store_true",
        help="embedded, --retrieval on: leave each request's own tldr page out of retrieval",
    )
    p.add_argument(
        "--k", type=int, default=None, help="examples retrieved (default: [retrieval] k)"
    )
    p.add_argument("--base-url", help="openai: server URL ending in /v1")
    p.add_argument("--model", default="default", help="openai: model name")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds per sandboxed command")
    p.add_argument("--policy", default=None, help="safety policy for the pre-check")
    p.add_argument("--out", type=Path, help="write the report and every row as JSON here")
    p.add_argument(
        "--rescore",
        type=Path,
        metavar="JSON",
        help="judge the answers saved in an earlier --out file again (no generation)",
    )
    args = p.parse_args(argv)
    if args.rescore:
        return rescore(args.rescore, args.data, args.out or args.rescore, args.timeout, args.policy)

    if not args.data.exists():
        p.error(f"{args.data} not found: run scripts/build_dataset.py first")
    if "train" in args.data.name:
        p.error("refusing to evaluate on the training split")
    examples = load_examples(args.data, args.limit, args.seed, args.source)
    # Same-context prompts in a row: llama.cpp reuses the cached developer-turn prefix.
    examples.sort(key=lambda rec: str(rec.get("context")))

    backend: EmbeddedEval | OpenAIBackend
    if args.backend == "embedded":
        adapter = None if args.no_adapter else args.adapter
        if adapter is not None and not adapter.exists():
            p.error(f"adapter {adapter} not found (or pass --no-adapter)")
        if not args.base.exists():
            p.error(f"base model {args.base} not found")
        backend = EmbeddedEval(
            args.base,
            adapter,
            args.threads,
            args.max_tokens,
            retrieval=args.retrieval == "on",
            drop_page=args.drop_page,
            k=args.k,
        )
    else:
        if not args.base_url:
            p.error("--backend openai needs --base-url")
        backend = OpenAIBackend(args.base_url, args.model, timeout=60)

    blocked = safety_blocker(args.policy)
    rows: list[Row] = []
    with fixture_dir() as fixture:
        try:
            sandbox: Sandbox | None = Sandbox(fixture, args.timeout)
        except SandboxUnavailable as exc:
            print(f"warning: {exc}", file=sys.stderr)
            sandbox = None
        for i, rec in enumerate(examples, 1):
            gen = backend.generate(rec)
            refs = [rec["command"], *rec.get("alternatives", [])]
            verdict = judge(gen.command, refs, sandbox, blocked)
            rows.append(
                Row(
                    rec["request"],
                    rec["command"],
                    rec["category"],
                    rec["page"],
                    gen.command,
                    gen.parsed,
                    verdict.correct,
                    verdict.method,
                    gen.latency_s,
                    verdict.detail,
                    gen.raw,
                    refs,
                )
            )
            if i % 25 == 0 or i == len(examples):
                acc = sum(r.correct for r in rows) / len(rows)
                print(f"[{i}/{len(examples)}] accuracy so far {acc:.1%}", flush=True)
    report = summarise(backend.name, rows)
    print_table(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        payload = {"report": asdict(report), "rows": [asdict(r) for r in rows]}
        args.out.write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
