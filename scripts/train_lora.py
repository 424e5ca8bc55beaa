#!/usr/bin/env python3
"""Train the shell-command LoRA adapter on the exact base weights caro ships.

Loads the Gemma 3 270M Q4_K_M GGUF (dequantised by transformers), adds a PEFT LoRA, and
trains on train.jsonl from build_dataset.py with the loss on the completion only. Resumable:
checkpoints go to --out/checkpoint-N and a re-run picks up the latest one.

Needs the training extra (torch, transformers, peft, gguf), kept out of the product's env:
    python3 -m venv .venv-train && .venv-train/bin/pip install -e '.[train]'
    .venv-train/bin/python scripts/train_lora.py --data runs/data --out runs/lora --steps 1500

Speed on a 2-core CPU: bf16 autocast, the output layer (262k vocabulary) run only at the
completion positions and per-batch padding bring a step of 8 examples to about 2 s.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BASE = REPO / "runs" / "base" / "gemma3-270m-q4_k_m.gguf"
TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", type=Path, default=DEFAULT_BASE, help="base model GGUF")
    p.add_argument("--data", type=Path, default=REPO / "runs" / "data")
    p.add_argument("--out", type=Path, default=REPO / "runs" / "lora")
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--rank", type=int, default=16)
    p.add_argument("--alpha", type=int, default=32)
    p.add_argument("--dropout", type=float, default=0.05)
    p.add_argument(
        "--max-len",
        type=int,
        default=640,
        help="longest example in tokens; longer ones are left out (never cut: that would cut "
        "the command)",
    )
    p.add_argument("--save-every", type=int, default=100)
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--device", default="auto", help="auto | cpu | cuda")
    p.add_argument(
        "--init-from",
        type=Path,
        metavar="GGUF",
        help="start from this GGUF LoRA adapter (e.g. the shipped "
        "backends/embedded/data/shell-lora.gguf) "
        "instead of a fresh LoRA; its rank and alpha replace --rank/--alpha",
    )
    p.add_argument("--no-bf16", action="store_true", help="train in fp32")
    p.add_argument("--dev-examples", type=int, default=64, help="dev loss at each save; 0: off")
    p.add_argument("--benchmark", type=int, default=0, help="time N steps, then stop")
    p.add_argument(
        "--check-prefix",
        action="store_true",
        help="compare the cached-prefix loss with a full pass",
    )
    return p.parse_args(argv)


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def check_rendering(recs: list[dict[str, Any]]) -> int:
    """How many records' prompts differ from what the product renders for them today.

    The adapter must learn the prompt the embedded backend sends: the product's rendering with
    the retrieved examples (build_dataset.py stores the request, context and examples). A
    dataset rendered by an older layout is refused rather than trained on.
    """
    sys.path.insert(0, str(REPO))
    from backends.embedded.functiongemma import render_prompt
    from backends.protocol import Example

    bad = 0
    for rec in recs:
        examples = tuple(Example(*ex) for ex in rec.get("examples", ()))
        if rec["prompt"] != render_prompt(rec["request"], rec.get("context"), examples):
            bad += 1
    return bad


def encode(tokenizer: Any, rec: dict[str, Any], max_len: int) -> tuple[list[int], int]:
    """Prompt (with BOS, as llama.cpp adds it) + completion; returns ids and prompt length.

    build_dataset.py stores llama.cpp's token ids; the transformers tokenizer is a fallback
    only (its GGUF conversion tokenizes Gemma 3 differently from llama.cpp).
    """
    if "prompt_ids" in rec:
        prompt, completion = rec["prompt_ids"], rec["completion_ids"]
    else:
        prompt = tokenizer(rec["prompt"], add_special_tokens=True)["input_ids"]
        completion = tokenizer(rec["completion"], add_special_tokens=False)["input_ids"]
    ids = (prompt + completion)[:max_len]
    return ids, min(len(prompt), len(ids))


def make_batches(
    recs: list[dict[str, Any]], batch_size: int, seed: int
) -> list[tuple[list[int], int]]:
    """Batches of examples with the same platform context, and their shared token prefix.

    Deterministic for a seed, so a resumed run sees the same order.
    """
    groups: dict[str, list[int]] = {}
    for i, rec in enumerate(recs):
        groups.setdefault(str(rec.get("context")), []).append(i)
    rng = random.Random(seed)
    batches: list[tuple[list[int], int]] = []
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        for start in range(0, len(members), batch_size):
            idx = members[start : start + batch_size]
            prompts = [recs[i]["prompt_ids"] for i in idx] if "prompt_ids" in recs[idx[0]] else []
            batches.append((idx, common_prefix(prompts)))
    rng.shuffle(batches)
    return batches


def common_prefix(seqs: list[list[int]]) -> int:
    """Length of the token prefix all prompts share (1, the BOS, without token ids)."""
    if not seqs:
        return 1
    n = min(len(s) for s in seqs)
    first = seqs[0]
    for j in range(n):
        if any(s[j] != first[j] for s in seqs):
            return j
    # Leave at least the last prompt token outside: it predicts the first completion token.
    return n - 1


def load_lora(model: Any, tensors: dict[str, Any], torch: Any) -> None:
    """Copy LoRA tensors (read_gguf_lora's names) into a fresh PEFT model; all must match."""
    pending = dict(tensors)
    for name, param in model.named_parameters():
        key = name.split(".model.", 1)[-1].removeprefix("model.").replace(".default.weight", "")
        if key in pending:
            value = torch.from_numpy(pending.pop(key))
            if tuple(value.shape) != tuple(param.shape):
                raise ValueError(f"{name}: shape {tuple(value.shape)} != {tuple(param.shape)}")
            with torch.no_grad():
                param.copy_(value)
    if pending:
        raise ValueError(f"no parameter for {sorted(pending)[:3]} ...")


def latest_checkpoint(out: Path) -> Path | None:
    ckpts = sorted(out.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))
    ckpts = [c for c in ckpts if (c / "state.pt").exists()]
    return ckpts[-1] if ckpts else None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import torch
        from peft import LoraConfig, PeftModel, get_peft_model
        from tqdm import tqdm
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:
        print(f"error: training needs the 'train' extra ({exc.name} is missing)", file=sys.stderr)
        return 2
    if not args.base.exists():
        print(f"error: base model {args.base} not found (see docs/training.md)", file=sys.stderr)
        return 2

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    if args.device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    else:
        device = args.device
    use_bf16 = not args.no_bf16

    t0 = time.time()
    base_dir, base_file = str(args.base.parent), args.base.name
    train = load_jsonl(args.data / "train.jsonl")
    stale = check_rendering(train)
    if stale:
        print(
            f"error: {stale} prompts in {args.data} differ from the product's rendering "
            "(backends/embedded/functiongemma.py); rebuild with scripts/build_dataset.py",
            file=sys.stderr,
        )
        return 2
    if "prompt_ids" in train[0]:
        fits = [r for r in train if len(r["prompt_ids"]) + len(r["completion_ids"]) <= args.max_len]
        if len(fits) < len(train):
            print(f"left out {len(train) - len(fits)} examples over {args.max_len} tokens")
            train = fits
    dev = load_jsonl(args.data / "dev.jsonl")[: args.dev_examples] if args.dev_examples else []
    tokenizer = None
    if "prompt_ids" not in train[0]:
        print("warning: no llama.cpp token ids in the data; using transformers' tokenizer")
        tokenizer = AutoTokenizer.from_pretrained(base_dir, gguf_file=base_file)
    model = AutoModelForCausalLM.from_pretrained(
        base_dir, gguf_file=base_file, torch_dtype=torch.float32, attn_implementation="eager"
    )
    model.config.use_cache = False
    print(f"loaded base in {time.time() - t0:.1f}s", flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    resume = latest_checkpoint(args.out)
    if resume is not None:
        model = PeftModel.from_pretrained(model, str(resume), is_trainable=True)
        print(f"resuming from {resume}", flush=True)
    else:
        init = None
        if args.init_from is not None:
            sys.path.insert(0, str(REPO / "scripts"))
            from export_adapter import read_gguf_lora

            alpha, rank, init = read_gguf_lora(args.init_from)
            args.alpha, args.rank = int(alpha), rank
        config = LoraConfig(
            r=args.rank,
            lora_alpha=args.alpha,
            lora_dropout=args.dropout,
            target_modules=TARGET_MODULES,
            bias="none",
            task_type="CAUSAL_LM",
        )
        model = get_peft_model(model, config)
        if init is not None:
            load_lora(model, init, torch)
            print(f"initialised from {args.init_from} ({len(init)} tensors)", flush=True)
    model.to(device)
    model.print_trainable_parameters()

    # The decoder stack and output layer, so logits are computed only where the loss is.
    causal_lm = model.base_model.model
    decoder, lm_head = causal_lm.model, causal_lm.lm_head
    softcap = getattr(causal_lm.config, "final_logit_softcapping", None)

    batches = make_batches(train, args.batch_size, args.seed)
    dev_batches = make_batches(dev, args.batch_size, args.seed) if dev else []

    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)

    def lr_at(step: int) -> float:
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        progress = (step - args.warmup) / max(1, args.steps - args.warmup)
        return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))

    step = 0
    if resume is not None:
        state = torch.load(resume / "state.pt", weights_only=False)
        optim.load_state_dict(state["optim"])
        step = int(state["step"])

    def batch_loss(recs: list[dict[str, Any]], prefix_len: int) -> Any:
        """Mean loss over the completion tokens of one batch sharing ``prefix_len`` tokens.

        The shared prefix (the developer turn, the same for the whole batch) runs once, without
        gradient, and its key/value cache is broadcast over the batch; only the rest of each
        example runs with gradient. The prefix still sees the current LoRA weights in the
        forward pass, as at inference; only the gradient through the prefix's keys and values
        is dropped. This makes a step several times cheaper on CPU.
        """
        from transformers import DynamicCache

        encoded = [encode(tokenizer, r, args.max_len) for r in recs]
        prefix = torch.tensor([encoded[0][0][:prefix_len]], device=device)
        suffixes = [(ids[prefix_len:], plen - prefix_len) for ids, plen in encoded]
        width = max(len(ids) for ids, _ in suffixes)
        bsz = len(suffixes)
        input_ids = torch.zeros((bsz, width), dtype=torch.long)
        attn = torch.zeros((bsz, prefix_len + width), dtype=torch.long)
        attn[:, :prefix_len] = 1
        labels = torch.full((bsz, width), -100, dtype=torch.long)
        for i, (ids, plen) in enumerate(suffixes):
            input_ids[i, : len(ids)] = torch.tensor(ids)
            attn[i, prefix_len : prefix_len + len(ids)] = 1
            labels[i, plen : len(ids)] = torch.tensor(ids[plen:])
        input_ids, attn, labels = input_ids.to(device), attn.to(device), labels.to(device)
        # Position t predicts token t+1: keep the positions whose next token is a label.
        target = labels[:, 1:]
        keep = target != -100
        dtype = torch.bfloat16 if use_bf16 else torch.float32
        with torch.autocast(device_type=device, dtype=dtype, enabled=use_bf16):
            with torch.no_grad():
                cache = DynamicCache()
                decoder(input_ids=prefix, past_key_values=cache, use_cache=True)
            cache.batch_repeat_interleave(bsz)
            positions = torch.arange(prefix_len, prefix_len + width, device=device)
            hidden = decoder(
                input_ids=input_ids,
                attention_mask=attn,
                past_key_values=cache,
                use_cache=True,
                cache_position=positions,
                position_ids=positions.unsqueeze(0).expand(bsz, -1),
            ).last_hidden_state
            selected = hidden[:, :-1][keep]
            logits = lm_head(selected).float()
        if softcap:
            logits = torch.tanh(logits / softcap) * softcap
        return torch.nn.functional.cross_entropy(logits, target[keep])

    def save(step: int, dev_loss: float | None) -> None:
        ckpt = args.out / f"checkpoint-{step}"
        model.save_pretrained(str(ckpt))
        torch.save({"optim": optim.state_dict(), "step": step}, ckpt / "state.pt")
        meta = {
            "step": step,
            "dev_loss": dev_loss,
            "args": {k: str(v) for k, v in vars(args).items()},
        }
        (ckpt / "trainer.json").write_text(json.dumps(meta, indent=2) + "\n")
        # Keep the last three checkpoints only.
        old = sorted(args.out.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))
        for path in old[:-3]:
            for f in sorted(path.rglob("*"), reverse=True):
                f.unlink() if f.is_file() else f.rmdir()
            path.rmdir()

    def dev_loss() -> float | None:
        if not dev:
            return None
        model.eval()
        total = 0.0
        with torch.no_grad():
            for idx, plen in dev_batches:
                total += float(batch_loss([dev[i] for i in idx], plen)) * len(idx)
        model.train()
        return total / len(dev)

    if args.check_prefix:
        model.eval()
        idx, plen = batches[0]
        recs = [train[i] for i in idx]
        with torch.no_grad():
            cached = float(batch_loss(recs, plen))
            full = float(batch_loss(recs, 1))
        print(f"prefix check: cached {cached:.5f} full {full:.5f} (prefix {plen} tokens)")
        return 0 if abs(cached - full) < 0.02 else 1

    model.train()
    end = args.benchmark if args.benchmark else args.steps
    bar = tqdm(total=end, initial=step, mininterval=20, desc="train", file=sys.stdout)
    window: list[float] = []
    t_step = time.time()
    while step < end:
        idx, plen = batches[step % len(batches)]
        for group in optim.param_groups:
            group["lr"] = lr_at(step)
        loss = batch_loss([train[i] for i in idx], plen)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optim.step()
        optim.zero_grad(set_to_none=True)
        step += 1
        bar.update(1)
        window.append(float(loss.detach()))
        if step % args.log_every == 0:
            spd = (time.time() - t_step) / args.log_every
            t_step = time.time()
            avg = sum(window) / len(window)
            print(f"step {step} loss {avg:.4f} lr {lr_at(step):.2e} {spd:.2f}s/step", flush=True)
            window.clear()
        if not args.benchmark and (step % args.save_every == 0 or step == end):
            dl = dev_loss()
            save(step, dl)
            print(f"saved checkpoint-{step} dev_loss {dl}", flush=True)
    bar.close()
    if args.benchmark:
        print(f"benchmark: {args.benchmark} steps in {time.time() - t0:.1f}s incl. load")
        return 0
    final = args.out / "final"
    model.save_pretrained(str(final))
    print(f"done: adapter in {final}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
