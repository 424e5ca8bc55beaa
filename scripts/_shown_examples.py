"""The retrieved examples a training prompt shows: the product's own retrieval, varied.

Every prompt gets what caro_py.knowledge.retrieve returns for the request at run time (same
router, same k, same rendering by backends.embedded.functiongemma), with three departures in the
training split only, so the adapter learns to read examples without learning to lean on them:

- a tldr-derived request never sees the example it was made from (it would learn to echo);
- for a share of tldr requests the whole page is left out, as if the tool were unknown
  (``page_removed``): it must answer from what it knows, or from a neighbouring tool;
- for a share of all requests the examples of a wrong tool are shown instead
  (``distractor``), the answer unchanged: it must ignore what does not fit.

The dev and test splits get exactly what the product shows (``product``), page included.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from backends.protocol import Example
from caro_py.knowledge.index import connect, platforms_for
from caro_py.knowledge.retrieve import retrieve
from caro_py.knowledge.retriever import examples_for
from caro_py.knowledge.router import Router
from config.model import RetrievalSettings

PAGE_REMOVED_SHARE = 0.25  # of tldr-derived training requests
DISTRACTOR_SHARE = 0.15  # of all training requests
NEIGHBOURS = 8  # a distractor page is drawn from the router's next candidates

# build_dataset's platform names -> the OS names the pipeline passes to retrieve().
OS_OF_PLATFORM = {"linux": "linux", "macos": "darwin"}


@dataclass(frozen=True)
class Shown:
    examples: tuple[Example, ...]
    how: str  # product | page_removed | distractor


class ExampleChooser:
    """Chooses the examples for one record; deterministic for a seed and a record key."""

    def __init__(self, db_path: Path | None = None, k: int | None = None, seed: int = 13):
        self.db: sqlite3.Connection = connect(db_path)
        self.k = RetrievalSettings().k if k is None else k
        self.seed = seed
        # No PATH check: the build machine's installed tools say nothing of the user's.
        self.routers = {
            os_name: Router(self.db, platforms_for(os_name), installed=None)
            for os_name in set(OS_OF_PLATFORM.values())
        }
        self._pages: dict[str, list[tuple[str, str, str]]] = {}

    def product(
        self,
        text: str,
        os_name: str,
        exclude_pages: Sequence[str] = (),
        exclude_commands: Sequence[str] = (),
    ) -> tuple[Example, ...]:
        """What caro_py.knowledge.retrieve returns (the pipeline's call), with exclusions."""
        found = retrieve(
            text,
            os_name,
            self.k,
            router=self.routers[os_name],
            exclude_pages=exclude_pages,
            exclude_commands=exclude_commands,
        )
        return found.examples

    def choose(
        self,
        key: str,
        text: str,
        platform: str,
        answer_tool: str,
        *,
        train: bool,
        page: str | None = None,
        source_command: str | None = None,
    ) -> Shown:
        """``page``/``source_command``: the tldr page name and example text a request was made
        from (None for the project's own requests)."""
        os_name = OS_OF_PLATFORM.get(platform, "linux")
        if not train:
            return Shown(self.product(text, os_name), "product")
        rng = random.Random(f"{self.seed}:shown:{key}")
        if rng.random() < DISTRACTOR_SHARE:
            wrong = self.distractors(text, os_name, answer_tool, rng)
            if wrong:
                return Shown(wrong, "distractor")
        exclude_commands = [source_command] if source_command else []
        if page is not None and rng.random() < PAGE_REMOVED_SHARE:
            shown = self.product(text, os_name, [page], exclude_commands)
            return Shown(shown, "page_removed")
        return Shown(self.product(text, os_name, (), exclude_commands), "product")

    def distractors(
        self, text: str, os_name: str, answer_tool: str, rng: random.Random
    ) -> tuple[Example, ...]:
        """k examples of one wrong tool: a neighbour the router also considered, else any."""
        router = self.routers[os_name]
        route = router.route(text)
        wrong = [c for c in route.candidates[:NEIGHBOURS] if c.tool != answer_tool]
        if wrong:
            pick = rng.choice(wrong)
            page, platform = pick.page, pick.platform
        else:
            page, platform, tool = rng.choice(self.pages(os_name))
            if tool == answer_tool:
                return ()
        return tuple(examples_for(self.db, page, platform, text, self.k))

    def pages(self, os_name: str) -> list[tuple[str, str, str]]:
        """(page, platform, tool) of every page this OS reads, for a distractor drawn at random."""
        if os_name not in self._pages:
            platforms = self.routers[os_name].platforms
            marks = ",".join("?" * len(platforms))
            rows = self.db.execute(
                f"SELECT name, platform, tool FROM pages WHERE platform IN ({marks}) ORDER BY 1, 2",
                platforms,
            ).fetchall()
            self._pages[os_name] = [(str(a), str(b), str(c)) for a, b, c in rows]
        return self._pages[os_name]
