"""The embedded backend: a small GGUF model run by llama.cpp, in a worker process.

- worker/: the resident worker (server), its client (the CommandGenerator caro uses), socket
  paths and permissions, framing, identity and lifecycle.
- inprocess: the model itself (EmbeddedBackend), loaded and run in the calling process; the
  worker runs it. answer: the model's text to one command, in the caller's process.
- models (catalog, resolution), download, adapters (the shipped shell LoRA in data/),
  prefix_cache (the saved prompt prefix), llama_runtime (threads, load parameters, logs),
  functiongemma and chatml (the prompt profiles); functiongemma_call reads FunctionGemma's
  answers.

Nothing is imported here: llama_cpp loads only where a model does.
"""
