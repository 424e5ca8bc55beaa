"""Backends: one module per server kind, the shared OpenAI-compatible client, and the choice.

- transport: httpx plumbing (capped bodies, typed errors; httpx loaded by _httpx without its
  CLI's rich/click); chat_prompt: what is sent; reasons: error text for people.
- Parsing every format shares: command_text (is it one command, or prose, a refusal, a
  placeholder: the one judgement), answer_text (a text answer), tool_calls (OpenAI's call list).
- http_backend: the shared base (client, probe scaffold) of openai_compat (+ lmstudio, vllm,
  exo, openai) and ollama, the remote backends.
- registry: name -> backend object; detect: concurrent probes and the detection cache;
  selection: generate() with auto-detection and fallback, probe_all() for `caro --backends`.

Nothing is imported here: the CLI loads backends.selection only on the generate path, and
selection loads a backend's module (and httpx) only when that backend is made.
"""
