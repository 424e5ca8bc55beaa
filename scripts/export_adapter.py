#!/usr/bin/env python3
"""Convert a PEFT LoRA adapter (Gemma 3) into a GGUF LoRA adapter that llama.cpp loads.

Needs only numpy and the `gguf` package (no torch): the adapter's safetensors file is read
directly. The base model's sha256 goes into the GGUF metadata (``caro.base.sha256``) and a
sidecar JSON, so a loader can refuse an adapter made for other weights.

    python scripts/export_adapter.py runs/lora/final backends/embedded/data/shell-lora.gguf \\
        --base runs/base/gemma3-270m-q4_k_m.gguf
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import struct
import sys
from pathlib import Path
from typing import Any

import numpy as np

# PEFT module name -> llama.cpp tensor name, for the Gemma 3 decoder layers.
MODULE_TO_GGUF = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}
_KEY = re.compile(
    r"layers\.(\d+)\.(self_attn\.[a-z_]+|mlp\.[a-z_]+)\.lora_([AB])(?:\.default)?\.weight$"
)
_DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": np.uint16, "F64": np.float64}


class ExportError(Exception):
    """The adapter cannot be exported; the message says why."""


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Read a safetensors file into float32 numpy arrays (bf16 widened)."""
    data = path.read_bytes()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_len])
    body = memoryview(data)[8 + header_len :]
    out: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = info["dtype"]
        if dtype not in _DTYPES:
            raise ExportError(f"{name}: unsupported dtype {dtype}")
        start, end = info["data_offsets"]
        arr = np.frombuffer(body[start:end], dtype=_DTYPES[dtype]).reshape(info["shape"])
        if dtype == "BF16":
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        out[name] = arr.astype(np.float32)
    return out


def write_safetensors(path: Path, tensors: dict[str, np.ndarray]) -> None:
    """Write float32 arrays as safetensors (used by tests to fake a PEFT adapter)."""
    header: dict[str, Any] = {}
    offset = 0
    blobs: list[bytes] = []
    for name, arr in tensors.items():
        blob = np.ascontiguousarray(arr, dtype=np.float32).tobytes()
        header[name] = {
            "dtype": "F32",
            "shape": list(arr.shape),
            "data_offsets": [offset, offset + len(blob)],
        }
        offset += len(blob)
        blobs.append(blob)
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"".join(blobs))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


_GGUF_SCALAR = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_GGUF_STRING, _GGUF_ARRAY = 8, 9


def base_tensor_shapes(base: Path) -> tuple[str, dict[str, tuple[int, ...]]]:
    """Architecture and tensor shapes (GGUF ne order) of a GGUF file, read from its header.

    A small header walk instead of gguf.GGUFReader, which builds an object for each of the
    262k vocabulary strings and takes seconds on a loaded machine.
    """
    with base.open("rb") as fh:

        def u(fmt: str) -> Any:
            size = struct.calcsize(fmt)
            return struct.unpack("<" + fmt, fh.read(size))[0]

        def string() -> str:
            return fh.read(u("Q")).decode("utf-8", "replace")

        def skip(vtype: int) -> Any:
            if vtype == _GGUF_STRING:
                return string()
            if vtype == _GGUF_ARRAY:
                item_type, count = u("I"), u("Q")
                if item_type == _GGUF_STRING:
                    for _ in range(count):
                        fh.seek(u("Q"), 1)
                elif item_type == _GGUF_ARRAY:
                    raise ExportError("nested GGUF arrays are not supported")
                else:
                    fh.seek(_GGUF_SCALAR[item_type] * count, 1)
                return None
            fh.seek(_GGUF_SCALAR[vtype], 1)
            return None

        if fh.read(4) != b"GGUF":
            raise ExportError(f"{base} is not a GGUF file")
        u("I")  # version
        n_tensors, n_kv = u("Q"), u("Q")
        arch = "unknown"
        for _ in range(n_kv):
            key, vtype = string(), u("I")
            value = skip(vtype)
            if key == "general.architecture" and isinstance(value, str):
                arch = value
        shapes: dict[str, tuple[int, ...]] = {}
        for _ in range(n_tensors):
            name = string()
            dims = tuple(u("Q") for _ in range(u("I")))
            u("I")  # type
            u("Q")  # offset
            shapes[name] = dims
    return arch, shapes


def export(
    adapter_dir: Path,
    out: Path,
    base: Path | None = None,
    *,
    base_sha256: str | None = None,
    extra_metadata: dict[str, str] | None = None,
    dtype: str = "f16",
) -> dict[str, Any]:
    """Write the GGUF adapter and its sidecar JSON; returns the sidecar's content."""
    import gguf

    config_path = adapter_dir / "adapter_config.json"
    weights_path = adapter_dir / "adapter_model.safetensors"
    if not config_path.exists() or not weights_path.exists():
        raise ExportError(f"{adapter_dir} has no adapter_config.json/adapter_model.safetensors")
    config = json.loads(config_path.read_text())
    if config.get("use_rslora"):
        raise ExportError("rsLoRA scaling is not supported by this exporter")
    rank = int(config["r"])
    alpha = float(config["lora_alpha"])
    tensors = read_safetensors(weights_path)

    pairs: dict[str, dict[str, np.ndarray]] = {}
    for key, arr in tensors.items():
        m = _KEY.search(key)
        if not m:
            raise ExportError(f"unexpected tensor {key} (only decoder-layer LoRA is supported)")
        layer, module, which = m.groups()
        if module not in MODULE_TO_GGUF:
            raise ExportError(f"no llama.cpp tensor for module {module}")
        name = f"blk.{layer}.{MODULE_TO_GGUF[module]}.weight"
        pairs.setdefault(name, {})[which] = arr
    if not pairs:
        raise ExportError("the adapter holds no LoRA tensors")

    arch = "gemma3"
    shapes: dict[str, tuple[int, ...]] = {}
    if base is not None:
        arch, shapes = base_tensor_shapes(base)
        base_sha256 = base_sha256 or sha256_of(base)

    writer = gguf.GGUFWriter(str(out), arch=arch)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, alpha)
    writer.add_name("caro shell LoRA")
    if base_sha256:
        writer.add_string("caro.base.sha256", base_sha256)
    for key, value in (extra_metadata or {}).items():
        writer.add_string(f"caro.{key}", value)
    np_dtype = np.float16 if dtype == "f16" else np.float32
    for name in sorted(pairs, key=_natural):
        pair = pairs[name]
        if set(pair) != {"A", "B"}:
            raise ExportError(f"{name}: lora_A or lora_B missing")
        a, b = pair["A"], pair["B"]  # torch shapes: A (r, in), B (out, r)
        if a.shape[0] != rank or b.shape[1] != rank:
            raise ExportError(f"{name}: rank mismatch ({a.shape}, {b.shape}, r={rank})")
        if shapes:
            if name not in shapes:
                raise ExportError(f"{name}: not in the base model")
            in_dim, out_dim = shapes[name][0], shapes[name][1]
            if a.shape[1] != in_dim or b.shape[0] != out_dim:
                raise ExportError(
                    f"{name}: shape {b.shape[0]}x{a.shape[1]} != base {out_dim}x{in_dim}"
                )
        # numpy shapes are written reversed as GGUF ne: A -> [in, r], B -> [r, out].
        writer.add_tensor(f"{name}.lora_a", a.astype(np_dtype))
        writer.add_tensor(f"{name}.lora_b", b.astype(np_dtype))
    out.parent.mkdir(parents=True, exist_ok=True)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()

    sidecar: dict[str, Any] = {
        "format": "gguf-lora",
        "architecture": arch,
        "base_sha256": base_sha256,
        "rank": rank,
        "alpha": alpha,
        "target_modules": sorted(
            {
                MODULE_TO_GGUF[m]
                for m in MODULE_TO_GGUF
                if any(MODULE_TO_GGUF[m] in n for n in pairs)
            }
        ),
        "tensor_pairs": len(pairs),
        "dtype": dtype,
        "sha256": sha256_of(out),
        **(extra_metadata or {}),
    }
    return sidecar


def read_gguf_lora(path: Path) -> tuple[float, int, dict[str, np.ndarray]]:
    """The reverse of ``export``: alpha, rank and the LoRA tensors of a GGUF adapter, keyed
    by PEFT's names without prefix (``layers.3.self_attn.q_proj.lora_A``), float32.

    train_lora.py --init-from uses it to continue training the shipped adapter, of which
    only the GGUF is kept.
    """
    import gguf

    to_module = {v: k for k, v in MODULE_TO_GGUF.items()}
    reader = gguf.GGUFReader(str(path))
    field = reader.fields.get(gguf.Keys.Adapter.LORA_ALPHA)
    if field is None:
        raise ExportError(f"{path} is not a GGUF LoRA adapter (no {gguf.Keys.Adapter.LORA_ALPHA})")
    alpha = float(field.parts[-1][0])
    out: dict[str, np.ndarray] = {}
    rank = 0
    pattern = re.compile(r"^blk\.(\d+)\.([a-z_]+)\.weight\.lora_([ab])$")
    for tensor in reader.tensors:
        m = pattern.match(tensor.name)
        if not m or m.group(2) not in to_module:
            raise ExportError(f"unexpected tensor {tensor.name} in {path}")
        layer, module, which = m.groups()
        # GGUF ne order reversed is the numpy shape as exported: A (r, in), B (out, r).
        shape = tuple(int(d) for d in reversed(tensor.shape))
        arr = np.asarray(tensor.data, dtype=np.float32).reshape(shape)
        rank = shape[0] if which == "a" else rank
        out[f"layers.{layer}.{to_module[module]}.lora_{which.upper()}"] = arr
    if not out:
        raise ExportError(f"{path} holds no LoRA tensors")
    return alpha, rank, out


def peft_reference(
    adapter_dir: Path, base: Path, data: Path, n: int, max_new: int = 40
) -> list[dict[str, Any]]:
    """Greedy token ids from transformers + PEFT for the first n examples (needs torch)."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(2)
    model = AutoModelForCausalLM.from_pretrained(
        str(base.parent), gguf_file=base.name, dtype=torch.float32
    )
    model = PeftModel.from_pretrained(model, str(adapter_dir)).eval()
    recs = [json.loads(line) for line in data.read_text().splitlines()[:n]]
    out = []
    for rec in recs:
        ids = torch.tensor([rec["prompt_ids"]])
        with torch.no_grad():
            gen = model.generate(ids, max_new_tokens=max_new, do_sample=False)
        out.append({"prompt_ids": rec["prompt_ids"], "tokens": gen[0, ids.shape[1] :].tolist()})
    return out


def llama_greedy(base: Path, lora: Path | None, prompt_ids: list[int], max_new: int) -> list[int]:
    """Greedy token ids from llama.cpp with the GGUF adapter."""
    import llama_cpp
    from llama_cpp import Llama

    global _LLM
    key = (str(base), str(lora))
    if _LLM is None or _LLM[0] != key:
        from backends.embedded.llama_runtime import load_params

        with load_params(extra_buffers=False):  # AMX CPUs crash with them (README)
            _LLM = (
                key,
                Llama(
                    str(base),
                    n_ctx=512,
                    n_threads=2,
                    verbose=False,
                    lora_path=str(lora) if lora else None,
                ),
            )
    llm = _LLM[1]
    llm.reset()
    llm.eval(prompt_ids)
    tokens: list[int] = []
    for _ in range(max_new):
        # Logits of the last evaluated position (llm.scores holds them only with logits_all).
        ptr = llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1)
        token = int(np.argmax(np.ctypeslib.as_array(ptr, shape=(llm.n_vocab(),))))
        tokens.append(token)
        if token == llm.token_eos():
            break
        llm.eval([token])
    return tokens


_LLM: Any = None


def check_reference(reference: Path, base: Path, lora: Path) -> tuple[int, int, list[str]]:
    """How many PEFT greedy outputs llama.cpp reproduces up to the command's end."""
    from llama_cpp import Llama

    refs = json.loads(reference.read_text())
    vocab = Llama(str(base), vocab_only=True, verbose=False)
    stop = vocab.tokenize(b"<escape>", add_bos=False, special=True)
    same = 0
    lines: list[str] = []
    for ref in refs:
        want = _until(ref["tokens"], stop)
        got = _until(llama_greedy(base, lora, ref["prompt_ids"], len(ref["tokens"])), stop)
        ok = want == got
        same += ok
        text_want = vocab.detokenize(want).decode("utf-8", "replace")
        text_got = vocab.detokenize(got).decode("utf-8", "replace")
        lines.append(f"{'same' if ok else 'DIFF'}: peft {text_want!r} llama.cpp {text_got!r}")
    return same, len(refs), lines


def _until(tokens: list[int], stop: list[int]) -> list[int]:
    for i in range(len(tokens) - len(stop) + 1):
        if tokens[i : i + len(stop)] == stop:
            return tokens[:i]
    return tokens


def _natural(name: str) -> tuple[int, str]:
    m = re.match(r"blk\.(\d+)\.(.*)", name)
    return (int(m.group(1)), m.group(2)) if m else (-1, name)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("adapter_dir", type=Path, help="PEFT adapter directory (save_pretrained)")
    p.add_argument("out", type=Path, help="output .gguf")
    p.add_argument(
        "--peft-reference",
        type=Path,
        metavar="JSON",
        help="instead of exporting: write PEFT greedy outputs here (needs torch; uses --data)",
    )
    p.add_argument(
        "--check-reference",
        type=Path,
        metavar="JSON",
        help="instead of exporting: check llama.cpp + OUT reproduces that PEFT reference",
    )
    p.add_argument("--data", type=Path, help="JSONL with prompt_ids (the dev split)")
    p.add_argument("-n", type=int, default=5, help="prompts for the reference check")
    p.add_argument("--base", type=Path, help="base GGUF: checks shapes and records its sha256")
    p.add_argument("--base-sha256", help="record this sha256 instead of hashing --base")
    p.add_argument("--dtype", choices=["f16", "f32"], default="f16")
    p.add_argument("--meta", action="append", default=[], help="KEY=VALUE added as caro.KEY")
    p.add_argument("--sidecar", type=Path, help="sidecar JSON path (default: OUT with .json)")
    p.add_argument(
        "--trained-with-examples",
        action="store_true",
        help="the adapter learned prompts with retrieved examples: the card says so, and the "
        "embedded backend then shows it examples (backends/adapters.py)",
    )
    args = p.parse_args(argv)
    if args.peft_reference or args.check_reference:
        if args.base is None:
            p.error("--base is needed for the reference check")
        if args.peft_reference:
            if args.data is None:
                p.error("--peft-reference needs --data")
            refs = peft_reference(args.adapter_dir, args.base, args.data, args.n)
            args.peft_reference.write_text(json.dumps(refs) + "\n")
            print(f"wrote {len(refs)} PEFT greedy outputs to {args.peft_reference}")
            return 0
        same, total, lines = check_reference(args.check_reference, args.base, args.out)
        print("\n".join(lines))
        print(f"llama.cpp reproduces {same}/{total} PEFT greedy outputs")
        return 0 if same == total else 1
    extra = dict(item.split("=", 1) for item in args.meta)
    try:
        sidecar = export(
            args.adapter_dir,
            args.out,
            args.base,
            base_sha256=args.base_sha256,
            extra_metadata=extra,
            dtype=args.dtype,
        )
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.trained_with_examples:
        sidecar["trained_with_examples"] = True
    side_path = args.sidecar or args.out.with_suffix(".json")
    side_path.write_text(json.dumps(sidecar, indent=2) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes) and {side_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
