"""The retriever: the examples of one page closest to the request."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection

from backends.protocol import Example
from caro_py.knowledge.router import stopwords, words


def examples_for(
    db: sqlite3.Connection,
    page: str,
    platform: str,
    text: str,
    k: int,
    exclude: Collection[str] = (),
) -> list[Example]:
    """Up to ``k`` of the page's examples, most shared content words first, page order on ties.

    A page holds about eight examples, so ranking them here is cheaper than a second FTS query.
    """
    if k <= 0:
        return []
    rows = db.execute(
        "SELECT description, command, derived_from FROM examples "
        "WHERE page = ? AND platform = ? ORDER BY id",
        (page, platform),
    ).fetchall()
    rows = [row for row in rows if row[1] not in exclude]
    wanted = {w for w in words(text) if w not in stopwords()}
    ranked = sorted(
        enumerate(rows),
        key=lambda item: (-_overlap(wanted, item[1][0] + " " + item[1][1]), item[0]),
    )
    return [Example(page, desc, cmd, origin) for _i, (desc, cmd, origin) in ranked[:k]]


def _overlap(wanted: set[str], text: str) -> int:
    have = set(words(text))
    # Prefix match: 'archive' meets 'archives', 'compress' meets 'compressed'.
    return sum(
        1 for w in wanted if w in have or (len(w) >= 5 and any(h.startswith(w[:5]) for h in have))
    )
