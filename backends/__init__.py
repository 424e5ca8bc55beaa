"""Backends: one module per server kind, the shared OpenAI-compatible client, and the choice.

- transport: httpx plumbing (capped bodies, typed errors); chat_prompt: what is sent.
- openai_compat (+ lmstudio, vllm, exo, openai) and ollama: the remote backends.
- registry: name -> backend object; detect: concurrent probes and the detection cache;
  selection: generate() with auto-detection and fallback, probe_all() for `caro --backends`.

Nothing is imported here: the CLI loads backends.selection only on the generate path.
"""
