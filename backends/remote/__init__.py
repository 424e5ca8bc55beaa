"""The server backends: HTTP clients for Exo, LM Studio, Ollama, vLLM and OpenAI-compatible APIs.

- transport (httpx plumbing, typed errors; httpx itself through _httpx), http_backend (the
  shared generate flow and probe), prompting (how a server and model are asked, learned once),
  answer (a tool name is never part of a command; whether a repair turn is worth it).
- openai_compat (+ lmstudio, vllm, exo, openai) and ollama: the wire formats, each with the
  reader of its answer message (openai_message, ollama_message).
"""
