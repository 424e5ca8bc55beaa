"""Error text for people: short reasons for the probe table and for fallback notices.

Kept free of httpx and the backends so backends.selection can use it without loading them.
"""

from __future__ import annotations


def short_reason(exc: BaseException) -> str:
    """An error's message without the leading 'backend: ' that the probe table already shows."""
    text = getattr(exc, "message", None) or str(exc)
    head, sep, rest = text.partition(": ")
    return rest if sep and " " not in head else text


def plain_reason(exc: BaseException) -> str:
    """An unexpected exception as words (its message), never its repr; the repr is for -v."""
    text = " ".join(str(exc).split())[:200]
    return text or f"an internal error ({type(exc).__name__})"
