"""The router: which tldr pages (tools) a request most likely needs, or none.

Signals, combined into one score per page:

- lexical: SQLite FTS5 BM25 of the request against every example description, page summary
  and the project's own everyday requests (train split), summed per page over the best hits;
- a tool named in the request ("with rsync", "git log ..."), a strong boost;
- commonness: the prior table (everyday requests, core tools), so "list files" goes to ``ls``
  rather than ``gio``;
- platform: only the pages of this OS (tldr's linux or osx, plus common);
- installed: tools not on PATH (and not shell builtins) are scaled down;
- trained: a logistic regression over the request's words (classifier.py, trained by
  scripts/train_router.py on tldr descriptions and everyday train requests). It names the
  pages of everyday and standard tools one by one and every other page as one class,
  ``OTHER``; that class's probability goes to the lexical signals above.

Both become one distribution over pages: ``clf_weight`` of it from the model's
probabilities, the rest (and the model's OTHER mass) from the hand-weighted score, shared
in proportion to it. The weights below were chosen on the DEV splits
(scripts/bench_router.py), never on test. When the best page's share is too low, the router
abstains: no examples. A second page (another tool) is shown only when its share is close
to the first's.
"""

from __future__ import annotations

import math
import re
import shutil
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Collection, Container, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from caro_py.knowledge.classifier import Classifier

WORD = re.compile(r"[a-z0-9][a-z0-9+._-]*")
HITS = 80  # FTS rows read per request
KIND_WEIGHT = {"example": 1.0, "summary": 0.6, "request": 1.6}
HIT_DECAY = 0.6  # each further hit of one page counts this much of the previous one
MAX_PAGES = 2
MIN_RARE_TERMS = 3
OTHER = "<other>"  # the trained model's one class for every page it does not name


@dataclass(frozen=True)
class Weights:
    """How the signals combine; the defaults were chosen on the dev splits."""

    named_bonus: float = 12.0  # added to a page the request names with an everyday word
    named_strong: float = 150.0  # added to a page the request names with a distinctive word
    # A named tool counts as named when its name is rare in other pages' descriptions, or
    # fairly rare and the tool is a common one ('find', 'date'); else it is an everyday word.
    rare_cutoff: float = 0.005
    generic_cutoff: float = 0.02
    prior_weight: float = 0.35  # score multiplier per log-unit of commonness
    uncommon: float = 0.55  # multiplier for tools with no commonness at all
    not_installed: float = 0.35  # multiplier for tools not on PATH and not builtins
    min_score: float = 20.0  # below this the best page is too weak to show
    second_ratio: float = 0.6  # a second page is shown at this share of the first's score
    # With the trained model (a base built with scripts/train_router.py):
    # Chosen again on dev (bench_router.py --grid) after the everyday v4 topics (2026-12-06).
    clf_weight: float = 0.7  # the model's part of the final distribution
    min_share: float = 0.05  # the best page's share below which nothing is shown
    hand_power: float = 1.0  # the hand score's share is score**power / sum (sharper)
    hand_floor: float = 60.0  # a hand score of "none of these" in that sum
    second_share: float = 0.1  # a second page is shown at this share of the first's share


@dataclass(frozen=True)
class PageRef:
    page: str
    platform: str
    tool: str
    generic: float  # how ordinary the word that named it is (see build_kb.mark_generic)


@dataclass(frozen=True)
class Candidate:
    page: str
    platform: str
    tool: str
    score: float
    named: bool


@dataclass(frozen=True)
class Signals:
    hand: dict[str, float]  # page -> the hand-weighted score (lexical, named, commonness)
    learned: dict[str, float]  # page -> the trained model's probability
    other: float | None  # the model's OTHER probability; None without a model
    refs: dict[str, PageRef]
    named: frozenset[str]  # pages the request names


@dataclass(frozen=True)
class Route:
    candidates: tuple[Candidate, ...]  # best first, every page that scored
    chosen: tuple[Candidate, ...]  # the pages to show; empty when not confident


def _word_list(name: str) -> frozenset[str]:
    text = (resources.files("caro_py.knowledge") / "data" / name).read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return _word_list("stopwords.txt")


@lru_cache(maxsize=1)
def builtins() -> frozenset[str]:
    return _word_list("builtins.txt")


def words(text: str) -> list[str]:
    return [w.strip("._-") for w in WORD.findall(text.lower()) if w.strip("._-")]


def lexical_terms(tokens: Iterable[str], tools: Container[str] = ()) -> set[str]:
    """Content words. A file name says nothing of the tool (and the everyday requests reuse a
    few names a lot), except an extension that names one ('logs.tar.gz' -> 'tar')."""
    terms: set[str] = set()
    for token in tokens:
        if "." in token and not token.startswith("."):
            terms.update(ext for ext in token.split(".")[1:] if ext in tools)
        elif "/" not in token:
            terms.add(token)
    return {t for t in terms if t not in stopwords() and len(t) > 1}


def fts_query(terms: Iterable[str]) -> str | None:
    """An OR of the words, each quoted (FTS5 syntax stays inert)."""
    terms = sorted(terms)
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', "") + '"' for t in terms)


@lru_cache(maxsize=1024)
def on_path(tool: str) -> bool:
    return tool in builtins() or shutil.which(tool) is not None


class Router:
    """Routes requests over one knowledge base connection, for one OS's platforms."""

    def __init__(
        self,
        db: sqlite3.Connection,
        platforms: tuple[str, ...],
        installed: Callable[[str], bool] | None = on_path,
        weights: Weights | None = None,
        trained: bool = True,
    ) -> None:
        """``trained=False`` routes by the hand-weighted signals alone (for comparison)."""
        self.db = db
        self.trained = trained
        self.weights = weights or Weights()
        self.platforms = platforms
        self.installed = installed
        self._prior: dict[str, float] | None = None
        self._frequent: frozenset[str] | None = None
        self._refs: dict[str, PageRef | None] = {}
        self._classifier: Classifier | None | bool = False  # False: not read yet

    def classifier(self) -> Classifier | None:
        if self._classifier is False:
            self._classifier = Classifier.load(self.db, OTHER) if self.trained else None
        assert self._classifier is not True
        return self._classifier

    def frequent(self) -> frozenset[str]:
        if self._frequent is None:
            rows = self.db.execute("SELECT word FROM frequent").fetchall()
            self._frequent = frozenset(word for (word,) in rows)
        return self._frequent

    def prior(self) -> dict[str, float]:
        if self._prior is None:
            self._prior = dict(self.db.execute("SELECT tool, weight FROM prior").fetchall())
        return self._prior

    def lookup(self, keys: Iterable[str]) -> dict[str, PageRef]:
        """The page each key names, as a page name or as the tool a page documents; the
        most specific platform wins, and a page name wins over another page's tool.

        Only the keys asked for are read (a fresh process must not load 6,000 pages per
        request); answers are kept for the life of the router.
        """
        keys = set(keys)
        missing = sorted(keys - self._refs.keys())
        if missing:
            marks = ",".join("?" * len(missing))
            platforms = ",".join("?" * len(self.platforms))
            rows = self.db.execute(
                "SELECT name, platform, tool, generic, tool_generic FROM pages "
                f"WHERE platform IN ({platforms}) AND (name IN ({marks}) OR tool IN ({marks})) "
                "ORDER BY rowid",
                (*self.platforms, *missing, *missing),
            ).fetchall()
            rank = {p: i for i, p in enumerate(self.platforms)}
            rows.sort(key=lambda r: -rank[r[1]])  # stable; specific platforms last
            found: dict[str, PageRef | None] = dict.fromkeys(missing)
            for name, platform, tool, generic, _tool_generic in rows:
                if name in found:
                    found[name] = PageRef(name, platform, tool, generic)
            by_tool: dict[str, PageRef] = {}
            for name, platform, tool, _generic, tool_generic in rows:
                if tool != name and tool in found:
                    by_tool.setdefault(tool, PageRef(name, platform, tool, tool_generic))
            for tool, alias in by_tool.items():
                if found[tool] is None:
                    found[tool] = alias
            self._refs.update(found)
        refs: dict[str, PageRef] = {}
        for key in keys:
            ref = self._refs.get(key)
            if ref is not None:
                refs[key] = ref
        return refs

    def named_pages(self, tokens: list[str]) -> dict[str, float]:
        """Pages the request spells out (a tool word, or words joined: 'git log' -> git-log),
        each with how ordinary the word it was named by is (the share of other pages using it)."""
        spans = ["-".join(tokens[i : i + j]) for i in range(len(tokens)) for j in (1, 2, 3)]
        refs = self.lookup(spans)
        found: dict[str, float] = {}
        i = 0
        while i < len(tokens):
            for j in (3, 2, 1):  # the longest name wins: 'git log' is git-log, not git
                joined = "-".join(tokens[i : i + j])
                if j <= len(tokens) - i and joined in refs:
                    found[refs[joined].page] = refs[joined].generic
                    i += j - 1
                    break
            i += 1
        return found

    def lexical(self, tokens: list[str]) -> dict[tuple[str, str], float]:
        extensions = {part for t in tokens if "." in t for part in t.split(".")[1:]}
        terms = lexical_terms(tokens, self.lookup(extensions))
        # Frequent words cost most of a query's time and weigh little; they are left out
        # when enough rarer words remain to decide.
        rare = terms - self.frequent()
        rows = self._search(rare if len(rare) >= MIN_RARE_TERMS else terms)
        scores: dict[tuple[str, str], float] = defaultdict(float)
        seen: dict[tuple[str, str], int] = defaultdict(int)
        for page, platform, kind, bm25 in rows:
            key = (page, platform)
            weight = KIND_WEIGHT.get(kind, 1.0) * HIT_DECAY ** seen[key]
            seen[key] += 1
            scores[key] += weight * max(0.0, -bm25)
        return scores

    def _search(self, terms: set[str]) -> list[tuple[str, str, str, float]]:
        query = fts_query(terms)
        if query is None:
            return []
        marks = ",".join("?" * len(self.platforms))
        return self.db.execute(
            "SELECT page, platform, kind, bm25(route) FROM route "
            f"WHERE route MATCH ? AND platform IN ({marks}, 'common') ORDER BY rank LIMIT ?",
            (query, *self.platforms, HITS),
        ).fetchall()

    def route(self, text: str, exclude: Collection[str] = ()) -> Route:
        """The pages for ``text``; pages in ``exclude`` are never candidates (the dataset
        builder leaves a request's own page out, as if the tool were unknown)."""
        return self.decide(self.signals(text, exclude))

    def signals(self, text: str, exclude: Collection[str] = ()) -> Signals:
        """Everything the router reads of ``text`` (the costly part of routing)."""
        tokens = words(text)
        prior = self.prior()
        lexical = self.lexical(tokens)
        named = self.named_pages(tokens)
        model = self.classifier()
        predicted = model.predict(text) if model is not None else None
        learned = predicted.probs if predicted is not None else {}
        refs = self.lookup([*(page for page, _platform in lexical), *named, *learned])
        merged: dict[str, float] = defaultdict(float)
        for (page, _platform), score in lexical.items():
            if page in refs:  # else a page of another OS, reached through a request row
                merged[page] += score
        for page in [*named, *learned]:
            if page in refs:
                merged[page] += 0.0  # a candidate even without lexical hits
        w = self.weights
        hand: dict[str, float] = {}
        for page, score in merged.items():
            if page in exclude:
                continue
            common = prior.get(refs[page].tool, 0.0)
            score *= 1.0 + w.prior_weight * math.log1p(common) if common else w.uncommon
            if page in named:
                # After commonness: a tool the user names is not less likely for being rare.
                generic = named[page]
                rare = generic <= w.rare_cutoff or (common and generic <= w.generic_cutoff)
                score += w.named_strong if rare else w.named_bonus
            hand[page] = score
        return Signals(
            hand=hand,
            learned=learned,
            other=predicted.other if predicted is not None else None,
            refs={page: refs[page] for page in hand},
            named=frozenset(named),
        )

    def decide(self, found: Signals, weights: Weights | None = None) -> Route:
        """The route from the signals, under ``weights`` (default: the router's own)."""
        w = weights or self.weights
        if found.other is None:
            scores = found.hand
        else:
            scores = self.blend(found.hand, found.learned, found.other, w)
        candidates: list[Candidate] = []
        for page, score in scores.items():
            ref = found.refs[page]
            is_named = page in found.named
            # A tool the user names is shown even when it is not installed here.
            if not is_named and self.installed is not None and not self.installed(ref.tool):
                score *= w.not_installed
            candidates.append(Candidate(page, ref.platform, ref.tool, score, is_named))
        candidates.sort(key=lambda c: (-c.score, c.page))
        if found.other is None:
            return Route(tuple(candidates), self.choose(candidates, w.min_score, w.second_ratio))
        return Route(tuple(candidates), self.choose(candidates, w.min_share, w.second_share))

    @staticmethod
    def blend(
        hand: dict[str, float], learned: dict[str, float], other: float, w: Weights
    ) -> dict[str, float]:
        """One distribution over the candidates: the model's probabilities (its pages that
        are candidates here) weighted ``clf_weight``, the rest shared by the hand score."""
        sharpened = {page: score**w.hand_power for page, score in hand.items()}
        # hand_floor: the mass of "none of these", so a lone weak hit is not a sure one.
        total = sum(sharpened.values()) + w.hand_floor**w.hand_power
        rest = 1.0 - w.clf_weight * (1.0 - other)
        return {
            page: w.clf_weight * learned.get(page, 0.0)
            + (rest * score / total if total > 0 else 0.0)
            for page, score in sharpened.items()
        }

    @staticmethod
    def choose(
        candidates: list[Candidate], floor: float, second_ratio: float
    ) -> tuple[Candidate, ...]:
        if not candidates or candidates[0].score < floor:
            return ()
        best = candidates[0]
        chosen = [best]
        # The second page is the best one of another tool (a second page of the same tool
        # adds nothing the first does not show), if it scores close enough.
        for other in candidates[1:]:
            if len(chosen) == MAX_PAGES or other.score < second_ratio * best.score:
                break
            if all(other.tool != c.tool for c in chosen):
                chosen.append(other)
        return tuple(chosen)
