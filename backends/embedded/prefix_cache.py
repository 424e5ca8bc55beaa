"""Saved llama.cpp state for the fixed start of every prompt, so a fresh process skips it.

Every embedded prompt starts with the same text (the developer turn with the tool
declaration, up to the user's words). Evaluating it costs a few hundred ms on a small CPU;
loading its saved KV state costs a few ms. The file is keyed by everything that changes
that state: the model's sha256, the adapter, the prefix text, the context size and the
llama-cpp-python version (the state format follows llama.cpp internals, hence the pin in
pyproject.toml).

The state is written with ``llama_state_save_file`` (tokens + KV cache + last logits) and
read back with ``llama_state_load_file``; after a load the Python-side token mirror of
``Llama`` is filled in so its own prefix matching reuses the restored KV cache and only the
user's words are evaluated.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATE_SUFFIX = ".state"
# Prompts that name the working directory (the chatml profile) get one state per directory;
# keep the newest few dozen (a few MB each).
MAX_STATES = 48


def library_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("llama-cpp-python")
    except PackageNotFoundError:  # pragma: no cover - llama_cpp imported from a source tree
        return "unknown"


@dataclass(frozen=True)
class PrefixKey:
    model_sha256: str
    adapter: str  # adapter sha256, or "none"
    prefix_text: str
    n_ctx: int
    lib_version: str

    def digest(self) -> str:
        parts = (
            self.model_sha256,
            self.adapter,
            str(self.n_ctx),
            self.lib_version,
            self.prefix_text,
        )
        return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()

    @property
    def family(self) -> str:
        """Shared by every state of one model + adapter (a readable file-name prefix)."""
        return f"{self.model_sha256[:16]}-{self.adapter[:16]}"

    @property
    def filename(self) -> str:
        return f"{self.family}-{self.digest()[:32]}{STATE_SUFFIX}"


class PrefixCache:
    """Prefix states under one directory (``<cache>/prefix``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, key: PrefixKey) -> Path:
        return self.directory / key.filename

    def is_warm(self, key: PrefixKey) -> bool:
        """Whether the state for ``key`` is saved (``--backends`` reports it)."""
        return self.path(key).is_file()

    def load(self, llm: Any, key: PrefixKey, tokens: list[int]) -> bool:
        """Restore the saved state into ``llm``; True when it holds exactly ``tokens``.

        A state that does not match (a stale or damaged file) is deleted and False returned.
        """
        import llama_cpp

        path = self.path(key)
        if not path.is_file():
            return False
        capacity = llm.n_ctx()
        out = (llama_cpp.llama_token * capacity)()
        count = ctypes.c_size_t(0)
        ok = llama_cpp.llama_state_load_file(
            llm.ctx, str(path).encode("utf-8"), out, capacity, ctypes.byref(count)
        )
        n = int(count.value)
        if not ok or n != len(tokens) or list(out[:n]) != tokens:
            path.unlink(missing_ok=True)
            llm.reset()
            return False
        llm.input_ids[:n] = tokens
        llm.n_tokens = n
        # The restored logits belong to the prefix's last token; llama-cpp-python must
        # decode at least one new token before it samples, which the user's words provide.
        llm._requires_eval = True
        return True

    def build(self, llm: Any, key: PrefixKey, tokens: list[int]) -> bool:
        """Evaluate ``tokens`` from scratch and save the state; False when saving failed."""
        import llama_cpp

        llm.reset()
        llm.eval(tokens)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        final = self.path(key)
        tmp = final.with_name(f"{final.name}.{os.getpid()}.tmp")
        array = (llama_cpp.llama_token * len(tokens))(*tokens)
        ok = llama_cpp.llama_state_save_file(llm.ctx, str(tmp).encode("utf-8"), array, len(tokens))
        if not ok:
            tmp.unlink(missing_ok=True)
            return False
        os.replace(tmp, final)  # readers never see a half-written state
        self.prune()
        return True

    def prune(self, keep: int = MAX_STATES) -> None:
        """Delete all but the ``keep`` most recently written states."""
        try:
            states = sorted(
                self.directory.glob(f"*{STATE_SUFFIX}"),
                key=lambda p: p.stat().st_mtime_ns,
                reverse=True,
            )
            for old in states[keep:]:
                old.unlink(missing_ok=True)
        except OSError:
            pass  # another process pruned first
