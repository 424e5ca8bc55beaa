"""Backends: the protocol every backend speaks, the remote and embedded families, and the choice.

- protocol: CommandGenerator, GenerationRequest, GeneratedCommand, PlatformContext (what the app
  and every backend share); errors: the BackendError family.
- Parsing every format shares: command_text (is it one command, or prose, a refusal, a
  placeholder: the one judgement), answer_text (a text answer), tool_calls (OpenAI's call list).
  Each wire format reads its own shape beside its client (remote/openai_message,
  remote/ollama_message, embedded/functiongemma_call).
- chat_prompt and examples_text: what is sent; reasons: error text for people.
- remote/: transport (httpx plumbing: capped bodies, typed errors), http_backend (the shared
  base of openai_compat, lmstudio, vllm, exo, openai and ollama), prompting (what a server
  was learned to accept).
- embedded/: the in-process llama.cpp backend, its model catalog, adapters, prompt profiles,
  prefix cache, runtime and the resident worker.
- registry: name -> backend factory (register() is the door fakes use too); detect: concurrent
  probes and the detection cache; selection: generate() with auto-detection and fallback,
  probe_all() for `caro --backends`.

Nothing is imported here: the CLI loads backends.selection only on the generate path, and
selection loads a backend's module (and httpx) only when that backend is made.
"""
