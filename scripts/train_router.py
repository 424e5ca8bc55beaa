#!/usr/bin/env python3
"""Train the router's classifier and write it into a knowledge base (tldr.sqlite).

A multinomial logistic regression from a request's sparse features
(caro_py.knowledge.features) to the tldr page whose examples it needs. Labelled pairs, all
read from the knowledge base itself, so a base built without some pages
(build_kb.py --drop-pages) trains a model that has never seen them:

- every tldr example description -> its page (not an alias page's, which are its original's),
  and every page summary -> its page;
- the project's everyday requests of the TRAIN split (the ``route`` rows of kind
  'request'; dev and test topics are never in the base) -> their tool's page, weighted up
  (``--everyday-weight``): they are how people actually ask.

Trained with numpy (minibatch softmax, row-wise Adagrad, L2), ``--average`` times with
consecutive seeds, the runs' weights averaged into one model (one run's dev accuracy moved by
about a point with its seed). The request path never
imports numpy: each feature keeps its ``--keep`` largest weights (by size), packed as
(class id: uint16, weight: float16) pairs in table ``clf_feature``; class biases in
``clf_class``; the sum of exp(bias) over all classes in ``meta`` (so the router can
normalise a softmax over the few classes a request touches).

    python scripts/build_kb.py && python scripts/train_router.py      # the shipped base
    python scripts/train_router.py --db /tmp/kb.sqlite                 # another base
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import struct
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from caro_py.knowledge.features import features  # noqa: E402
from caro_py.knowledge.index import shipped_path  # noqa: E402
from caro_py.knowledge.router import OTHER, builtins  # noqa: E402

STANDARD_TOOLS = REPO / "scripts" / "data" / "standard_tools.txt"

SCHEMA = """
DROP TABLE IF EXISTS clf_class;
DROP TABLE IF EXISTS clf_feature;
CREATE TABLE clf_class (id INTEGER PRIMARY KEY, page TEXT NOT NULL, bias REAL NOT NULL);
CREATE TABLE clf_feature (feature TEXT PRIMARY KEY, weights BLOB NOT NULL) WITHOUT ROWID;
"""


def named_classes(db: sqlite3.Connection) -> set[str]:
    """The pages the model names one by one: those of everyday tools (the prior table),
    shell builtins and the standard tools (scripts/data/standard_tools.txt)."""
    tools = {tool for (tool,) in db.execute("SELECT tool FROM prior")} | set(builtins())
    tools |= {
        line.strip()
        for line in STANDARD_TOOLS.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    pages = db.execute("SELECT name, tool FROM pages").fetchall()
    return {name for name, tool in pages if tool in tools or name in tools}


def labelled(db: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(text, class, kind) for every labelled pair in the base; the class is the page, or
    OTHER for a page the model does not name."""
    named = named_classes(db)
    # An alias page's examples are its original's descriptions: they teach nothing of the
    # alias, and would split the original's class in two. Its summary names it.
    rows = [
        (d, p, "example")
        for d, p in db.execute("SELECT description, page FROM examples WHERE derived_from = ''")
    ]
    rows += [(s, n, "summary") for s, n in db.execute("SELECT summary, name FROM pages")]
    rows += [
        (t, p, "request")
        for t, p in db.execute("SELECT text, page FROM route WHERE kind = 'request'")
    ]
    return [(text, page if page in named else OTHER, kind) for text, page, kind in rows]


def train(
    rows: list[tuple[str, str, str]],
    everyday_weight: float,
    other_weight: float,
    epochs: int,
    l2: float,
    lr: float,
    min_count: int,
    seed: int,
) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    feats = [features(text) for text, _page, _kind in rows]
    counts = Counter(f for fs in feats for f in fs)
    vocab = sorted(f for f, n in counts.items() if n >= min_count)
    index = {f: i for i, f in enumerate(vocab)}
    classes = sorted({page for _t, page, _k in rows})
    cls = {c: i for i, c in enumerate(classes)}
    x = [np.array([index[f] for f in fs if f in index], dtype=np.int64) for fs in feats]
    y = np.array([cls[page] for _t, page, _k in rows], dtype=np.int64)
    w = np.array(
        [
            everyday_weight if k == "request" else other_weight if page == OTHER else 1.0
            for _t, page, k in rows
        ],
        dtype=np.float32,
    )
    n_f, n_c = len(vocab), len(classes)
    print(f"{len(rows)} rows, {n_f} features, {n_c} classes", flush=True)
    weights = np.zeros((n_f, n_c), dtype=np.float32)
    bias = np.zeros(n_c, dtype=np.float32)
    acc = np.full(n_f, 1e-6, dtype=np.float32)  # row-wise Adagrad
    acc_b = np.full(n_c, 1e-6, dtype=np.float32)
    rng = np.random.default_rng(seed)
    batch = 512
    keep_rows = np.array([i for i in range(len(rows)) if len(x[i])], dtype=np.int64)
    for epoch in range(epochs):
        began, loss_sum = time.perf_counter(), 0.0
        order = rng.permutation(keep_rows)
        for start in range(0, len(order), batch):
            ids = order[start : start + batch]
            used = np.unique(np.concatenate([x[i] for i in ids]))
            dense = np.zeros((len(ids), len(used)), dtype=np.float32)
            for r, i in enumerate(ids):
                dense[r, np.searchsorted(used, x[i])] = 1.0 / np.sqrt(len(x[i]))
            sub = weights[used]
            logits = dense @ sub + bias
            logits -= logits.max(axis=1, keepdims=True)
            prob = np.exp(logits)
            prob /= prob.sum(axis=1, keepdims=True)
            at = np.arange(len(ids))
            loss_sum += float(-(np.log(prob[at, y[ids]] + 1e-12) * w[ids]).sum())
            prob[at, y[ids]] -= 1.0
            prob *= (w[ids] / w[ids].sum())[:, None]
            grad = dense.T @ prob + l2 * sub
            grad_b = prob.sum(axis=0)
            acc[used] += (grad * grad).mean(axis=1)
            acc_b += grad_b * grad_b
            weights[used] = sub - lr * grad / np.sqrt(acc[used])[:, None]
            bias -= lr * grad_b / np.sqrt(acc_b)
        print(
            f"epoch {epoch + 1}: loss {loss_sum / w[keep_rows].sum():.3f} "
            f"({time.perf_counter() - began:.0f} s)",
            flush=True,
        )
    return vocab, classes, weights, bias


def write(
    db: sqlite3.Connection,
    vocab: list[str],
    classes: list[str],
    weights: np.ndarray,
    bias: np.ndarray,
    keep: int,
) -> int:
    if len(classes) > 65535:
        raise SystemExit("more classes than a uint16 names")
    db.executescript(SCHEMA)
    db.executemany(
        "INSERT INTO clf_class VALUES (?, ?, ?)",
        [(i, page, float(bias[i])) for i, page in enumerate(classes)],
    )
    packed = []
    for f, feature in enumerate(vocab):
        row = weights[f]
        top = np.argsort(-np.abs(row))[:keep]
        top = top[np.abs(row[top]) > 1e-3]
        # Every feature keeps its row, even empty: the router scales by how many it found.
        blob = b"".join(struct.pack("<He", int(c), float(row[c])) for c in top)
        packed.append((feature, blob))
    db.executemany("INSERT INTO clf_feature VALUES (?, ?)", packed)
    expsum = float(np.exp(bias.astype(np.float64)).sum())
    db.execute("INSERT OR REPLACE INTO meta VALUES ('clf_bias_expsum', ?)", (repr(expsum),))
    db.commit()
    db.execute("VACUUM")
    return len(packed)


def retrain_like_shipped(path: Path) -> None:
    """Train a model into the base at ``path`` with the shipped model's own arguments
    (for measurements on a base built without some pages)."""
    shipped = sqlite3.connect(f"{shipped_path().resolve().as_uri()}?mode=ro", uri=True)
    (value,) = shipped.execute("SELECT value FROM meta WHERE key = 'clf_args'").fetchone()
    shipped.close()
    main(["--db", str(path), *json.loads(value)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="default: the shipped base")
    parser.add_argument("--everyday-weight", type=float, default=4.0)
    parser.add_argument("--other-weight", type=float, default=1.0)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--l2", type=float, default=1e-5)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--min-count", type=int, default=3)
    parser.add_argument("--keep", type=int, default=16, help="weights kept per feature")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--average", type=int, default=3, help="runs averaged (seeds from --seed)")
    args = parser.parse_args(argv)
    path = args.db or shipped_path()
    db = sqlite3.connect(path)
    rows = labelled(db)
    # Several runs (seeds seed, seed+1, ...) averaged into one linear model: a single run's
    # accuracy moves with the order of its minibatches.
    runs = [
        train(
            rows,
            args.everyday_weight,
            args.other_weight,
            args.epochs,
            args.l2,
            args.lr,
            args.min_count,
            args.seed + i,
        )
        for i in range(args.average)
    ]
    vocab, classes = runs[0][0], runs[0][1]
    weights = np.mean([run[2] for run in runs], axis=0)
    bias = np.mean([run[3] for run in runs], axis=0)
    n = write(db, vocab, classes, weights, bias, args.keep)
    # The arguments, so a measurement can retrain the same model on a reduced base.
    used = [f"--{k.replace('_', '-')}={v}" for k, v in sorted(vars(args).items()) if k != "db"]
    db.execute("INSERT OR REPLACE INTO meta VALUES ('clf_args', ?)", (json.dumps(used),))
    db.commit()
    db.close()
    print(f"wrote {n} features x <= {args.keep} weights, {len(classes)} classes into {path}")
    print(f"{path.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
