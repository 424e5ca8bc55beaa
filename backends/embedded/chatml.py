"""The ``chatml`` prompt profile: Qwen-style and other instruct models that speak ChatML.

The system turn is the same instruction the remote chat backends send in JSON mode
(backends/chat_prompt.py), so an embedded Qwen and a served Qwen are asked the same thing.
The model answers ``{"command": "..."}``; an optional llama.cpp grammar forces that shape
(20-40 ms per generated token on a small CPU, hence off by default).
"""

from __future__ import annotations

from backends.protocol import GenerationRequest

STOPS = ("<|im_end|>", "<|endoftext|>")

# GBNF: exactly one JSON object with one string member "command".
GRAMMAR = r"""
root   ::= "{" ws "\"command\"" ws ":" ws string ws "}"
string ::= "\"" char* "\""
char   ::= [^"\\\x00-\x1F] | "\\" (["\\/bfnrt] | "u" hex hex hex hex)
hex    ::= [0-9a-fA-F]
ws     ::= " "?
"""


def render_prefix(request: GenerationRequest) -> str:
    """The fixed start, identical for every request in one directory: the whole system turn
    up to the user's words, or, when examples follow the rules, the system text before them."""
    from dataclasses import replace

    from backends.chat_prompt import system_prompt

    system = system_prompt(replace(request, examples=()), answer="json")
    if request.examples:
        return f"<|im_start|>system\n{system}"
    return f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n"


def render_prompt(request: GenerationRequest) -> str:
    from backends.chat_prompt import system_prompt

    system = system_prompt(request, answer="json")
    return (
        f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n"
        f"{request.text.strip()}<|im_end|>\n<|im_start|>assistant\n"
    )
