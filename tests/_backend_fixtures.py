"""Shared pieces for the backend tests: a request, settings, wire-format answers, a runner."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from backends.protocol import GenerationRequest, PlatformContext
from config.model import Settings

T = TypeVar("T")


def make_context(**overrides: Any) -> PlatformContext:
    """A fixed Debian/bash/GNU context; tests that need another cwd or shell override it."""
    fields: dict[str, Any] = {
        "os": "linux",
        "distribution": "Debian GNU/Linux 12",
        "arch": "x86_64",
        "shell": "bash",
        "shell_version": "5.2",
        "userland": "gnu",
        "cwd": "/home/user/project",
    }
    return PlatformContext(**{**fields, **overrides})


CONTEXT = make_context()
REQUEST = GenerationRequest(text="list running docker containers", shell="bash", context=CONTEXT)


def make_settings(**overrides: Any) -> Settings:
    """Default settings with short timeouts, so failing cases fail fast."""
    settings = Settings(timeout_seconds=2.0, probe_timeout_ms=300, detect_cache_seconds=0)
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings


def socket_settings(**overrides: Any) -> Settings:
    """Settings for tests over real sockets: timeouts generous enough for a loaded machine.

    Tests about a timeout itself set their own short one.
    """
    return make_settings(**{"probe_timeout_ms": 3000, "timeout_seconds": 10.0, **overrides})


def run(backend: Any, make: Callable[[], Awaitable[T]]) -> T:
    """Run one coroutine against a backend in a fresh loop, closing the backend after."""

    async def go() -> T:
        try:
            return await make()
        finally:
            await backend.aclose()

    return asyncio.run(go())


def tool_call_answer(command: str, *, model: str = "qwen2.5-7b-instruct") -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {
                                "name": "execute_shell",
                                "arguments": json.dumps({"command": command}),
                            },
                        }
                    ],
                },
            }
        ],
    }


def content_answer(content: str, *, model: str = "qwen2.5-7b-instruct") -> dict[str, Any]:
    return {
        "id": "chatcmpl-2",
        "object": "chat.completion",
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content},
            }
        ],
    }


def models_list(*ids: str) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": i, "object": "model"} for i in ids]}


def ollama_answer(
    *, command: str | None = None, content: str = "", model: str = "llama3.2:latest"
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if command is not None:
        message["tool_calls"] = [
            {"function": {"name": "execute_shell", "arguments": {"command": command}}}
        ]
    return {"model": model, "created_at": "2025-01-01T00:00:00Z", "message": message, "done": True}


def sent_json(route_call: Any) -> dict[str, Any]:
    """The JSON body of one recorded respx call."""
    return json.loads(route_call.request.content)


class CountingStream(httpx.AsyncByteStream):
    """A huge body served in chunks, counting how many were actually pulled."""

    def __init__(self, total: int, chunk: int = 64 * 1024) -> None:
        self.total = total
        self.chunk = chunk
        self.sent = 0

    async def __aiter__(self):  # type: ignore[override]
        while self.sent < self.total:
            self.sent += self.chunk
            yield b" " * self.chunk

    async def aclose(self) -> None:
        pass


async def slow_response(seconds: float, body: dict[str, Any]) -> httpx.Response:
    await asyncio.sleep(seconds)
    return httpx.Response(200, json=body)
