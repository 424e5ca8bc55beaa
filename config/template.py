"""The commented default config that `caro --init-config` writes.

Values are taken from the Settings defaults, so the file loads back to exactly the
defaults (a test pins this); only the comments are written by hand.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from config.model import DEFAULT_BASE_URLS, REMOTE_BACKENDS, Settings


def toml_value(value: Any) -> str:
    """A TOML literal for the simple values Settings holds."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        # A JSON string is a valid TOML basic string for the characters we write.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def optional(key: str, value: Any, example: str) -> str:
    """`key = value`, or a commented example line when the default is unset (None)."""
    if value is None:
        return f"# {key} = {example}"
    return f"{key} = {toml_value(value)}"


def render_template() -> str:
    d = Settings()
    e = d.embedded
    lines = [
        "# caro configuration (TOML). Every value below is the built-in default;",
        "# delete a line to keep the default, or change it.",
        "# Precedence: command-line flag > environment (CARO_BACKEND, CARO_MODEL,",
        "# CARO_SAFETY, CARO_SHELL) > this file > built-in defaults.",
        "",
        "# How long to wait for a backend's answer, in seconds.",
        f"timeout_seconds = {toml_value(d.timeout_seconds)}",
        "# Probe timeout for auto-detection, in milliseconds.",
        f"probe_timeout_ms = {toml_value(d.probe_timeout_ms)}",
        "# How long the detected backend is remembered, in seconds (0: always probe).",
        f"detect_cache_seconds = {toml_value(d.detect_cache_seconds)}",
        "# When the chosen backend fails, try the next healthy one (ending at embedded).",
        f"fallback = {toml_value(d.fallback)}",
        "# Auto-detection order; the first healthy backend wins.",
        f"order = {toml_value(d.order)}",
        "# Shell the command is written for and run with (default: $SHELL, else sh).",
        optional("shell", d.shell, '"bash"'),
        "",
        '# Safety policy. Either a plain string, e.g.  safety = "strict"  ,',
        "# or this table; TOML does not allow both in one file.",
        "[safety]",
        "# strict: blocks high and critical, asks for moderate.",
        "# moderate: blocks critical, asks for high (typing 'yes').",
        "# permissive: asks for everything, critical included.",
        f"level = {toml_value(d.safety.level)}",
        "# Regular expressions over the whole command: deny makes a match blocked,",
        "# allow relaxes a match (never past critical unless the level is permissive).",
        f"allow = {toml_value(d.safety.allow)}",
        f"deny = {toml_value(d.safety.deny)}",
        "",
        '# Which backend to use. Either a plain string, e.g.  backend = "ollama"  ,',
        "# (then no [backend.*] tables may follow), or this table with `use`.",
        "[backend]",
        "# auto, or one of: " + ", ".join((*REMOTE_BACKENDS, "embedded")),
        f"use = {toml_value(d.backend)}",
    ]
    for name in REMOTE_BACKENDS:
        b = d.backends[name]
        lines += ["", f"[backend.{name}]"]
        if name == "openai":
            lines.append("# Any OpenAI-compatible server; never auto-detected, so off by default.")
        lines += [
            f"enabled = {toml_value(b.enabled)}",
            f"base_url = {toml_value(b.base_url or DEFAULT_BASE_URLS[name])}",
            "# Default: the model the server reports as loaded, else the first it lists.",
            optional("model", b.model, '"model-id"'),
            "# Default: the top-level timeout_seconds.",
            optional("timeout_seconds", b.timeout_seconds, "60.0"),
            "# Cap on the answer's length in tokens (default 160; openai: 1024, for reasoning).",
            optional("max_tokens", b.max_tokens, "256"),
            "# Name of the environment variable holding the API key (if the server needs one).",
            optional("api_key_env", b.api_key_env, '"MY_API_KEY"'),
        ]
    lines += [
        "",
        "# The embedded llama.cpp model, used when no server answers.",
        "[embedded]",
        f"enabled = {toml_value(e.enabled)}",
        "# A catalog model id, or a GGUF file of your own.",
        optional("model", e.model, '"model-id"'),
        optional("model_path", e.model_path, '"/path/to/model.gguf"'),
        "# A GGUF LoRA adapter to apply.",
        optional("adapter_path", e.adapter_path, '"/path/to/adapter.gguf"'),
        "# Apply the shipped shell adapter to the default base model.",
        f"default_adapter = {toml_value(e.default_adapter)}",
        "# functiongemma or chatml (default: read from the GGUF metadata).",
        optional("prompt_profile", e.prompt_profile, '"chatml"'),
        "# CPU threads (default: the number of physical cores).",
        optional("n_threads", e.n_threads, "4"),
        f"n_ctx = {toml_value(e.n_ctx)}",
        f"max_tokens = {toml_value(e.max_tokens)}",
        "# Constrain the chatml profile's output with a JSON grammar.",
        f"grammar = {toml_value(e.grammar)}",
        "# llama.cpp's extra buffer types (weight repacking). Off by default: on Intel CPUs",
        "# with AMX they crash llama.cpp (see the README).",
        f"extra_buffers = {toml_value(e.extra_buffers)}",
        "# Seconds the worker process keeps the model loaded after the last request",
        "# (about 390 MB of memory while idle); 0: a fresh process per request, none stays.",
        f"keep_alive = {toml_value(e.keep_alive)}",
    ]
    # Fields added to EmbeddedSettings later still appear, with their default.
    described = {
        "enabled", "model", "model_path", "adapter_path", "default_adapter",
        "prompt_profile", "n_threads", "n_ctx", "max_tokens", "grammar", "extra_buffers",
        "keep_alive",
    }  # fmt: skip
    for f in dataclasses.fields(e):
        value = getattr(e, f.name)
        if f.name not in described and value is not None:
            lines.append(f"{f.name} = {toml_value(value)}")
    r = d.retrieval
    lines += [
        "",
        "# Examples from tldr pages for the tool a request needs, shown to the model.",
        "[retrieval]",
        "# true or false; unset: on wherever it was measured to help (not yet for the",
        "# shipped embedded adapter, which was trained without examples).",
        optional("enabled", r.enabled, "true"),
        "# How many examples at most (1-16).",
        f"k = {toml_value(r.k)}",
    ]
    lines += [
        "",
        "# The record of requests (caro --history): time, words, command, backend, risk,",
        "# what became of it, exit code, directory. Never the environment or API keys.",
        "[history]",
        f"enabled = {toml_value(d.history.enabled)}",
    ]
    return "\n".join(lines) + "\n"
