"""One call for the pipeline and for the dataset builder: the examples shown for a request."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from backends.protocol import Example
from caro_py.knowledge.index import connect, platforms_for
from caro_py.knowledge.retriever import examples_for
from caro_py.knowledge.router import Route, Router

DEFAULT_K = 4


@dataclass(frozen=True)
class Retrieval:
    examples: tuple[Example, ...]
    route: Route

    @property
    def pages(self) -> tuple[str, ...]:
        return tuple(c.page for c in self.route.chosen)


_ROUTERS: dict[tuple[int, tuple[str, ...]], Router] = {}


def router_for(db: sqlite3.Connection, platforms: tuple[str, ...]) -> Router:
    key = (id(db), platforms)
    if key not in _ROUTERS:
        _ROUTERS[key] = Router(db, platforms)
    return _ROUTERS[key]


def retrieve(
    text: str,
    os_name: str,
    k: int = DEFAULT_K,
    *,
    db_path: Path | None = None,
    router: Router | None = None,
    exclude_pages: Collection[str] = (),
    exclude_commands: Collection[str] = (),
) -> Retrieval:
    """The examples to show for ``text`` on ``os_name`` ('linux', 'darwin'), k in all.

    With two pages chosen, the best page gets the larger share (k=4: 3 + 1). The dataset
    builder (scripts/build_dataset.py) calls this too, so training prompts carry what the
    product retrieves; it can leave out a request's own page (``exclude_pages``) or the
    example it was made from (``exclude_commands``, tldr's command text) and pass a Router
    built with ``installed=None`` (no PATH check on the build machine).
    """
    db = connect(db_path) if router is None else router.db
    router = router or router_for(db, platforms_for(os_name))
    route = router.route(text, exclude_pages)
    examples: list[Example] = []
    shares = _shares(k, len(route.chosen))
    for candidate, share in zip(route.chosen, shares, strict=True):
        examples.extend(
            examples_for(db, candidate.page, candidate.platform, text, share, exclude_commands)
        )
    return Retrieval(tuple(examples), route)


def _shares(k: int, n_pages: int) -> list[int]:
    if n_pages <= 1:
        return [k] * n_pages
    second = max(1, k // 4) if k > 1 else 0
    return [k - second, second]
