"""LoRA adapters on the real default model, with adapters written here as real GGUF files.

The shipped shell adapter comes from the fine-tuning work; these tests do not wait for it.
A tiny writer below produces a valid GGUF LoRA for Gemma 3 270M (rank 2 on every layer's
attention query): with B = 0 it must leave the answers exactly as the base gives them,
with a large random B it must change them, which shows llama.cpp really applies it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import struct
from pathlib import Path

import numpy as np
import pytest

from backends.embedded.inprocess import EmbeddedBackend
from backends.embedded.models import DEFAULT_SHA256, cache_root
from caro_py.errors import NoUsableCommand
from config.model import EmbeddedSettings
from tests.test_embedded import ask

pytestmark = [pytest.mark.slow, pytest.mark.model]

N_EMBD, N_Q_OUT, N_LAYERS, RANK = 640, 4 * 256, 18, 2  # Gemma 3 270M's attn_q: 640 -> 1024
REQUEST = "list running docker containers"


def _string(text: str) -> bytes:
    data = text.encode("utf-8")
    return struct.pack("<Q", len(data)) + data


def write_lora_gguf(path: Path, b_scale: float, seed: int = 0) -> None:
    """A GGUF v3 LoRA adapter (general.type adapter, adapter.type lora), F32 tensors."""
    rng = np.random.default_rng(seed)
    tensors: list[tuple[str, np.ndarray]] = []
    for layer in range(N_LAYERS):
        a = rng.standard_normal((RANK, N_EMBD)).astype(np.float32)  # ne = [640, r]
        b = (rng.standard_normal((N_Q_OUT, RANK)) * b_scale).astype(np.float32)  # [r, 1024]
        tensors += [
            (f"blk.{layer}.attn_q.weight.lora_a", a),
            (f"blk.{layer}.attn_q.weight.lora_b", b),
        ]
    kv = [
        ("general.architecture", 8, _string("gemma3")),
        ("general.type", 8, _string("adapter")),
        ("adapter.type", 8, _string("lora")),
        ("adapter.lora.alpha", 6, struct.pack("<f", float(RANK))),
    ]
    out = bytearray(b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kv)))
    for key, kind, value in kv:
        out += _string(key) + struct.pack("<I", kind) + value
    offset = 0
    for name, array in tensors:
        dims = tuple(reversed(array.shape))  # GGUF lists the fastest-moving dimension first
        out += _string(name) + struct.pack("<I", len(dims))
        out += struct.pack(f"<{len(dims)}Q", *dims) + struct.pack("<IQ", 0, offset)
        offset += -(-array.nbytes // 32) * 32
    out += b"\0" * (-len(out) % 32)
    for _, array in tensors:
        data = array.tobytes()
        out += data + b"\0" * (-len(data) % 32)
    path.write_bytes(bytes(out))


def _answer(settings: EmbeddedSettings, prefix_dir: Path) -> tuple[str, str | None, str]:
    backend = EmbeddedBackend(settings, cache_dir=cache_root(), prefix_dir=prefix_dir)
    try:
        # The base model may answer with a sentence the parser refuses; the text is the point.
        with contextlib.suppress(NoUsableCommand):
            asyncio.run(backend.generate(ask(REQUEST)))
        loaded = backend.load()
        label = loaded.adapter.label if loaded.adapter else None
        return backend.last_stats["text"], label, backend._model_label(loaded)
    finally:
        asyncio.run(backend.aclose())


@pytest.fixture(scope="module")
def base_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    prefix = tmp_path_factory.mktemp("prefix-base")
    text, label, _ = _answer(EmbeddedSettings(max_tokens=32, default_adapter=False), prefix)
    assert label is None
    return text


def test_a_zero_lora_leaves_the_answer_unchanged(base_text: str, tmp_path: Path):
    adapter = tmp_path / "zero-lora.gguf"
    write_lora_gguf(adapter, b_scale=0.0)
    (tmp_path / "zero-lora.json").write_text(json.dumps({"base_sha256": DEFAULT_SHA256}))

    text, label, model = _answer(
        EmbeddedSettings(max_tokens=32, adapter_path=str(adapter)), tmp_path / "prefix"
    )

    assert label == "zero-lora" and model.endswith("+ zero-lora")
    assert text == base_text


def test_a_strong_lora_changes_the_answer(base_text: str, tmp_path: Path):
    adapter = tmp_path / "loud-lora.gguf"
    write_lora_gguf(adapter, b_scale=2.0, seed=1)

    backend = EmbeddedBackend(
        EmbeddedSettings(max_tokens=16, adapter_path=str(adapter)),
        cache_dir=cache_root(),
        prefix_dir=tmp_path / "prefix",
    )
    try:
        # Noise may give no usable command; the text is what matters.
        with contextlib.suppress(NoUsableCommand):
            asyncio.run(backend.generate(ask(REQUEST)))
        text = backend.last_stats["text"]
        # Its prefix state is its own: keyed by the adapter's hash.
        states = list((tmp_path / "prefix").glob("*.state"))
        assert len(states) == 1
    finally:
        asyncio.run(backend.aclose())
    assert text != base_text


def test_a_file_that_is_not_an_adapter_is_a_clear_model_error(tmp_path: Path):
    from caro_py.errors import ModelError

    adapter = tmp_path / "broken.gguf"
    adapter.write_bytes(b"GGUF" + b"\0" * 64)
    backend = EmbeddedBackend(
        EmbeddedSettings(adapter_path=str(adapter)),
        cache_dir=cache_root(),
        prefix_dir=tmp_path / "prefix",
    )
    with pytest.raises(ModelError) as info:
        backend.load()
    assert "LoRA adapter" in info.value.message and "broken.gguf" in info.value.message
