#!/usr/bin/env python3
"""Build the knowledge base caro shows the model: tldr examples plus the router's index.

Reads the tldr pages (CC BY 4.0) from ../shared/tldr-pages at build time and writes one
SQLite file, caro_py/knowledge/data/tldr.sqlite, with ATTRIBUTION.md beside it (the licence,
the authors and the tldr commit). Tables:

- ``pages``: one row per (platform, page): summary and the tool its commands start with.
- ``examples``: every example, placeholders kept as written (``{{path/to/file}}``). An alias
  page (`gunzip`: "an alias of `gzip --decompress`") holds its original's examples that the
  alias runs, rewritten to call it (scripts/_aliases.py), with ``derived_from`` naming the
  original; only its summary is indexed for routing (the descriptions are the original's).
- ``route``: FTS5 (porter) over what names a tool: each example's description, each page's
  summary, and the project's own everyday requests of the TRAIN split (scripts/data/*.jsonl;
  dev and test topics are kept out, so the router is measured on requests it never indexed).
- ``frequent``: words in more than FREQUENT_SHARE of the route rows (slow to match, weak).
- ``prior``: how common each tool is (everyday train requests, the dataset's core categories).
- ``meta``: the tldr commit and the build's counts.

The router's trained model is added afterwards by scripts/train_router.py (tables
``clf_class`` and ``clf_feature``); a base without it routes by the hand-weighted signals
alone.

    python scripts/build_kb.py && python scripts/train_router.py   # the shipped base
    python scripts/build_kb.py --drop-pages common/tar,linux/ip --out /tmp/kb.sqlite
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from _aliases import alias_of, derive  # noqa: E402
from _shellspec import Page, clean_description, parse_page  # noqa: E402
from build_dataset import CATEGORIES, own_split, own_topics  # noqa: E402

from caro_py.knowledge.command_tool import tool_of  # noqa: E402
from safety.wrapper_table import wrapper_specs  # noqa: E402

TLDR = REPO.parent / "shared" / "tldr-pages"
DATA = REPO / "caro_py" / "knowledge" / "data"
DB_NAME = "tldr.sqlite"
PLATFORMS = ("common", "linux", "osx")
# A word in more than this share of the route rows is left out of the router's query: its
# BM25 weight is small anyway, and matching it costs most of a query's time.
FREQUENT_SHARE = 0.01

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE pages (
    platform TEXT NOT NULL, name TEXT NOT NULL, tool TEXT NOT NULL, summary TEXT NOT NULL,
    generic REAL NOT NULL DEFAULT 0, tool_generic REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (platform, name)
);
CREATE TABLE examples (
    id INTEGER PRIMARY KEY, platform TEXT NOT NULL, page TEXT NOT NULL,
    description TEXT NOT NULL, command TEXT NOT NULL,
    derived_from TEXT NOT NULL DEFAULT ''  -- an alias page's example: the page it came from
);
CREATE INDEX examples_page ON examples (page, platform);
CREATE INDEX pages_name ON pages (name);
CREATE INDEX pages_tool ON pages (tool);
CREATE TABLE prior (tool TEXT PRIMARY KEY, weight REAL NOT NULL);
CREATE TABLE frequent (word TEXT PRIMARY KEY);
CREATE VIRTUAL TABLE route USING fts5(
    text, page UNINDEXED, platform UNINDEXED, kind UNINDEXED, tokenize = 'porter unicode61'
);
"""


def page_tool(page: Page) -> str:
    """The tool a page documents: the first word most of its examples start with."""
    counts = Counter(t for ex in page.examples if (t := tool_of(ex.command)))
    tool = counts.most_common(1)[0][0] if counts else None
    # 'sudo ./pig.py' is the dhcpig page's use of sudo: the page is not about sudo.
    if tool is None or (tool in wrapper_specs() and tool != page.name):
        return page.name.split()[0]
    return tool


def tldr_commit() -> str:
    text = (TLDR / "PROVENANCE.md").read_text(encoding="utf-8")
    found = re.search(r"\b([0-9a-f]{40})\b", text)
    return found.group(1) if found else "unknown"


def own_train_requests() -> list[tuple[str, str]]:
    """(request, tool) for the project's everyday topics in the train split only."""
    rows: list[tuple[str, str]] = []
    for topic, everyday in own_topics():
        tool = tool_of(topic.command)
        if tool and own_split(topic.topic, everyday) == "train":
            rows.extend((request, tool) for request in topic.requests)
    return rows


@dataclass(frozen=True)
class KbPage:
    page: Page  # named by its file ('git-commit', 'just.1': unique per platform, unlike titles)
    derived_from: str = ""  # an alias page's: the page its examples were rewritten from


def read_pages(root: Path, drop: Collection[str] = ()) -> list[KbPage]:
    """Every page with examples, but those in ``drop`` (platform/name). An alias page without
    examples of its own gets its original's that the alias runs (scripts/_aliases.py); none
    when the original is dropped."""
    raw: dict[tuple[str, str], Page] = {}
    for platform in PLATFORMS:
        for path in sorted((root / platform).glob("*.md")):
            raw[platform, path.stem] = parse_page(path.read_text(encoding="utf-8"), platform)
    pages: list[KbPage] = []
    for (platform, name), page in raw.items():
        if f"{platform}/{name}" in drop:
            continue
        own = tuple(ex for ex in page.examples if not (page.is_alias and is_pointer(ex.command)))
        if own:
            pages.append(KbPage(replace(page, name=name, examples=own)))
            continue
        alias = alias_of(page, page.name) if page.is_alias else None
        if alias is None:
            continue
        where = [alias.target_platform] if alias.target_platform else [platform, "common"]
        found = next((p for p in where if (p, alias.target) in raw), None)
        if found is None or f"{found}/{alias.target}" in drop:
            continue
        derived = derive(alias, raw[found, alias.target])
        if derived:
            pages.append(KbPage(replace(page, name=name, examples=derived), alias.target))
    return pages


def is_pointer(command: str) -> bool:
    """An alias page's one example: `tldr gzip` (read the original's page)."""
    return command.split(" ", 1)[0] == "tldr"


def mark_generic(db: sqlite3.Connection, pages: list[Page]) -> None:
    """How ordinary a one-word page name is as a word: the share of OTHER tools' pages whose
    descriptions use it ('file': many, 'rsync': few). The router trusts a request that names
    a tool only when the name is not an everyday word."""
    users: dict[str, set[str]] = {}
    for page in pages:
        for ex in page.examples:
            for word in re.findall(r"[a-z0-9]+", ex.description.lower()):
                users.setdefault(word.removesuffix("s"), set()).add(page.name)
    tools = dict(db.execute("SELECT name, tool FROM pages").fetchall())

    def share(word: str, tool: str) -> float:
        if not re.fullmatch(r"[a-z0-9]+", word):
            return 0.0  # 'git-log', 'just.1': never an everyday word
        others = {p for p in users.get(word.removesuffix("s"), ()) if tools.get(p) != tool}
        return len(others) / len(pages)

    for name, tool in tools.items():
        db.execute(
            "UPDATE pages SET generic = ?, tool_generic = ? WHERE name = ?",
            (share(name, tool), share(tool, tool), name),
        )


def mark_frequent(db: sqlite3.Connection) -> None:
    rows = [text for (text,) in db.execute("SELECT text FROM route")]
    df: Counter[str] = Counter()
    for text in rows:
        df.update(set(re.findall(r"[a-z0-9]+", text.lower())))
    cutoff = FREQUENT_SHARE * len(rows)
    db.executemany(
        "INSERT INTO frequent VALUES (?)", sorted((w,) for w, n in df.items() if n > cutoff)
    )


def build(out: Path, drop: set[str]) -> dict[str, int]:
    kb_pages = read_pages(TLDR / "pages", drop)
    pages = [kb.page for kb in kb_pages]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    db.executescript(SCHEMA)
    n_examples = 0
    tool_page: dict[str, str] = {}
    for kb in kb_pages:
        page = kb.page
        tool = page_tool(page)
        if page.name == tool or tool not in tool_page:
            tool_page[tool] = page.name
        db.execute(
            "INSERT INTO pages (platform, name, tool, summary) VALUES (?, ?, ?, ?)",
            (page.platform, page.name, tool, page.summary),
        )
        db.execute(
            "INSERT INTO route (text, page, platform, kind) VALUES (?, ?, ?, 'summary')",
            (page.summary, page.name, page.platform),
        )
        for ex in page.examples:
            desc = clean_description(ex.description)
            db.execute(
                "INSERT INTO examples (platform, page, description, command, derived_from) "
                "VALUES (?, ?, ?, ?, ?)",
                (page.platform, page.name, desc, ex.command, kb.derived_from),
            )
            n_examples += 1
            if kb.derived_from:
                # The original's description: it names the original, which has it already.
                continue
            db.execute(
                "INSERT INTO route (text, page, platform, kind) VALUES (?, ?, ?, 'example')",
                (desc, page.name, page.platform),
            )
    own = own_train_requests()
    n_own = 0
    for request, tool in own:
        name = tool_page.get(tool)
        if name is None:
            continue  # a tool without a tldr page has no examples to show
        db.execute(
            "INSERT INTO route (text, page, platform, kind) VALUES (?, ?, 'common', 'request')",
            (request, name),
        )
        n_own += 1
    mark_generic(db, [kb.page for kb in kb_pages if not kb.derived_from])
    mark_frequent(db)
    # Commonness: every-day requests count most; the dataset's core categories next.
    prior: Counter[str] = Counter()
    for _request, tool in own:
        prior[tool] += 1
    for tools in CATEGORIES.values():
        for tool in tools:
            prior[tool] += 5
    db.executemany("INSERT INTO prior VALUES (?, ?)", sorted(prior.items()))
    meta = {
        "tldr_commit": tldr_commit(),
        "pages": str(len(pages)),
        "alias_pages": str(sum(bool(kb.derived_from) for kb in kb_pages)),
        "examples": str(n_examples),
        "own_requests": str(n_own),
        "dropped_pages": ",".join(sorted(drop)),
    }
    db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
    db.commit()
    db.execute("INSERT INTO route (route) VALUES ('optimize')")
    db.commit()
    db.execute("VACUUM")
    db.close()
    tmp.replace(out)
    n_alias = sum(bool(kb.derived_from) for kb in kb_pages)
    return {
        "pages": len(pages),
        "alias_pages": n_alias,
        "examples": n_examples,
        "own_requests": n_own,
    }


ATTRIBUTION = """\
# Attribution

`tldr.sqlite` is derived from the tldr-pages project (https://github.com/tldr-pages/tldr),
English pages for the `common`, `linux` and `osx` platforms at commit
{commit}. The pages are licensed under the Creative Commons Attribution 4.0
International License (CC BY 4.0, https://creativecommons.org/licenses/by/4.0/); copyright
the tldr-pages team and contributors.

Changes: each page was parsed into its summary and (description, command) pairs; the
descriptions' `[c]hoice` letters and backticks were removed; commands, placeholders
included, are kept as written. An alias page ("This command is an alias of `gzip
--decompress`") is given the examples of the page it points to that the alias runs, with the
alias in place of the expansion (`gunzip {{{{path/to/file.gz}}}}`); `derived_from` names that
page. The file was built by `scripts/build_kb.py` of caro-py, which
also indexes caro-py's own everyday requests (MIT) for routing.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA / DB_NAME)
    parser.add_argument(
        "--drop-pages", default="", help="platform/page,... to leave out (for measurements)"
    )
    args = parser.parse_args(argv)
    drop = {p for p in args.drop_pages.split(",") if p}
    counts = build(args.out, drop)
    if args.out.parent == DATA:
        (DATA / "ATTRIBUTION.md").write_text(ATTRIBUTION.format(commit=tldr_commit()))
    size = args.out.stat().st_size
    print(f"wrote {args.out}: {counts}, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
