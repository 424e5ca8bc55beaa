"""Small shared facts about the validator, importable without loading it.

``import safety.vocabulary`` costs nothing beyond this file (safety/__init__ loads the
validator lazily), so the app and config use these instead of keeping copies.
"""

from __future__ import annotations

#: The policy levels, strictest first (safety/policy.py gives each its thresholds).
LEVELS: tuple[str, ...] = ("strict", "moderate", "permissive")

#: Characters that change what a terminal shows without showing themselves: C0 and C1
#: controls (ESC sequences, carriage return, backspace), DEL, and the invisible and
#: direction-changing format characters (zero-width space and joiners, LRM/RLM, embeddings,
#: overrides, isolates, word joiner, BOM). Tab and newline are ordinary command text.
HIDDEN_CHARACTERS = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
