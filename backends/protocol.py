"""The one interface every backend speaks, and the values that cross it.

Data path: request -> context -> backend.generate -> parse -> assess -> confirm -> execute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

Userland = Literal["gnu", "bsd", "busybox", "unknown"]


@dataclass(frozen=True)
class PlatformContext:
    """What the model needs to know about where the command will run."""

    os: str  # "linux", "darwin", "freebsd", ...
    distribution: str | None  # "Debian GNU/Linux 12", "macOS 15.1", None when unknown
    arch: str  # "x86_64", "arm64"
    shell: str  # "bash", "zsh", "fish", "sh"
    shell_version: str | None
    userland: Userland
    cwd: str

    def describe(self) -> str:
        """One line for a prompt: 'Linux (Debian GNU/Linux 12, x86_64), bash 5.2, GNU coreutils'."""
        system = {"linux": "Linux", "darwin": "macOS"}.get(self.os, self.os)
        details = ", ".join(p for p in (self.distribution, self.arch) if p)
        shell = f"{self.shell} {self.shell_version}" if self.shell_version else self.shell
        tools = {"gnu": "GNU coreutils", "bsd": "BSD userland", "busybox": "BusyBox"}.get(
            self.userland, "unknown userland"
        )
        return f"{system} ({details}), {shell}, {tools}"


@dataclass(frozen=True)
class GenerationRequest:
    text: str  # the user's words
    shell: str  # the target shell ("bash", "zsh", ...)
    context: PlatformContext


@dataclass
class GeneratedCommand:
    command: str
    backend: str
    model: str | None
    explanation: str | None = None
    raw: Any = None  # the server's or model's raw answer, for --verbose and debugging
    timings_ms: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Health:
    name: str
    up: bool
    latency_ms: float | None = None
    models: tuple[str, ...] = ()
    base_url: str | None = None
    detail: str | None = None  # why it is down, or extra facts (model, adapter, cache state)


@runtime_checkable
class CommandGenerator(Protocol):
    """A backend: something that turns a request into one shell command."""

    name: str

    async def generate(self, request: GenerationRequest) -> GeneratedCommand:
        """Return one command, or raise BackendError / NoUsableCommand (backends/errors.py)."""
        ...

    async def probe(self) -> Health:
        """Cheap liveness check: never raises, reports down instead."""
        ...

    async def aclose(self) -> None: ...
