"""The router's trained part: a linear model from a request's features to tldr pages.

Trained by scripts/train_router.py (multinomial logistic regression) and shipped inside
tldr.sqlite: ``clf_class`` (id, page, bias) and ``clf_feature`` (feature, packed
(class id: uint16, weight: float16) pairs, the largest weights of each feature). Scoring is a
few dozen additions in pure Python; the softmax is normalised over all classes with the
stored sum of exp(bias), so a probability means the same whichever classes a request touches.
"""

from __future__ import annotations

import math
import sqlite3
import struct
from dataclasses import dataclass

from caro_py.knowledge.features import features

PAIR = struct.Struct("<He")


@dataclass(frozen=True)
class Prediction:
    probs: dict[str, float]  # page -> probability, for the classes the request touched
    other: float  # probability that the page is none the model names


class Classifier:
    def __init__(self, db: sqlite3.Connection, bias_expsum: float, other: str) -> None:
        self.db = db
        self.bias_expsum = bias_expsum
        (self.other_id, self.other_bias) = db.execute(
            "SELECT id, bias FROM clf_class WHERE page = ?", (other,)
        ).fetchone()

    @classmethod
    def load(cls, db: sqlite3.Connection, other: str) -> Classifier | None:
        """The model in ``db``, or None for a base built without one."""
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'clf_bias_expsum'").fetchone()
        except sqlite3.Error:
            return None
        return cls(db, float(row[0]), other) if row else None

    def predict(self, text: str, top: int = 8) -> Prediction:
        feats = features(text)
        if not feats:
            return Prediction({}, 0.0)
        marks = ",".join("?" * len(feats))
        rows = self.db.execute(
            f"SELECT weights FROM clf_feature WHERE feature IN ({marks})", feats
        ).fetchall()
        if not rows:
            return Prediction({}, 0.0)
        scale = 1.0 / math.sqrt(len(rows))  # as in training: rows scaled by 1/sqrt(#features)
        sums: dict[int, float] = {}
        for (blob,) in rows:
            for class_id, weight in PAIR.iter_unpack(blob):
                sums[class_id] = sums.get(class_id, 0.0) + weight * scale
        sums.setdefault(self.other_id, 0.0)
        ids = list(sums)
        marks = ",".join("?" * len(ids))
        classes = self.db.execute(
            f"SELECT id, page, bias FROM clf_class WHERE id IN ({marks})", ids
        ).fetchall()
        # Untouched classes keep their bias: Z = sum(exp(bias)) - touched biases + touched logits.
        shift = max(bias + sums[i] for i, _page, bias in classes)
        z = self.bias_expsum * math.exp(-shift)
        logits: dict[int, float] = {}
        for class_id, _page, bias in classes:
            logits[class_id] = bias + sums[class_id] - shift
            z += math.exp(logits[class_id]) - math.exp(bias - shift)
        names = {class_id: page for class_id, page, _bias in classes}
        other = math.exp(logits.pop(self.other_id)) / z
        best = sorted(logits, key=lambda i: -logits[i])[:top]
        return Prediction({names[i]: math.exp(logits[i]) / z for i in best}, other)
