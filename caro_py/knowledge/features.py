"""What the trained router reads of a request: a few sparse string features.

One definition for training (scripts/train_router.py) and for routing, so the shipped
weights see exactly what they were trained on. Pure Python, a handful of features per
request: words after light normalisation ('directories' -> 'directory', 'dir' ->
'directory'), the first five letters of long words ('compressed' ~ 'compression'),
adjacent word pairs, and the parts of a file name (its extensions name a format).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

WORD = re.compile(r"[a-z0-9][a-z0-9+._/-]*")
PREFIX = 5  # letters of a long word kept as its own feature


def tokens(text: str) -> list[str]:
    """Lower-case words; a token keeps its dots, dashes and slashes ('logs.tar.gz', 'a/b')."""
    out = []
    for token in WORD.findall(text.lower()):
        token = token.strip("._-")
        if token:
            out.append(token)
    return out


@lru_cache(maxsize=1)
def word_forms() -> dict[str, str]:
    text = (resources.files("caro_py.knowledge") / "data" / "word_forms.json").read_text(
        encoding="utf-8"
    )
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def stem(word: str) -> str:
    """Cut the commonest English endings; enough to meet 'files' with 'file'."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    return word


def units(text: str) -> tuple[list[str], list[str]]:
    """The request's normalised words, and the extra features of path-like tokens."""
    forms = word_forms()
    out: list[str] = []
    extra: list[str] = []
    for token in tokens(text):
        if "/" in token:
            out.append("<path>")
            continue
        if "." in token and not token.startswith(".") and not token[0].isdigit():
            out.append("<file>")
            # Every part: 'logs.tar.gz' names tar and gz; 'a tar.gz' too.
            extra.extend("x:" + part for part in token.split(".") if part.isalnum())
            continue
        if token.isdigit():
            out.append("<num>")
            continue
        if "-" in token:  # 'upper-case' meets 'uppercase' and 'upper case'
            extra.append("w:" + stem(token.replace("-", "")))
            out.extend(_word(part, forms, extra) for part in token.split("-") if part)
            continue
        out.append(_word(token, forms, extra))
    return out, extra


def _word(token: str, forms: dict[str, str], extra: list[str]) -> str:
    base = stem(token)
    mapped = forms.get(token) or forms.get(base) or base
    if mapped != base:
        extra.append("w:" + base)
    return mapped


def features(text: str) -> list[str]:
    """Sorted distinct features of ``text``."""
    seq, found = units(text)
    feats = set(found)
    for unit in seq:
        feats.add("w:" + unit)
        if len(unit) > PREFIX + 1 and unit[0] != "<":
            feats.add("p:" + unit[:PREFIX])
    for a, b in zip(seq, seq[1:], strict=False):
        feats.add(f"b:{a} {b}")
    return sorted(feats)
