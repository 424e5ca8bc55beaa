"""The one interface every backend speaks, and the values that cross it.

Data path: request -> context -> backend.generate -> parse -> assess -> confirm -> execute.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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
class Example:
    """One documented example shown to the model: a tldr page's description and command.

    ``command`` keeps the page's ``{{placeholders}}`` as written.
    """

    page: str  # the tool's page name ("tar", "git-commit")
    description: str
    command: str
    # An alias page's example ("gunzip"): the page it was rewritten from ("gzip").
    derived_from: str = ""

    def to_dict(self) -> dict[str, str]:
        out = {"page": self.page, "description": self.description, "command": self.command}
        if self.derived_from:
            out["derived_from"] = self.derived_from
        return out


@dataclass(frozen=True)
class GenerationRequest:
    text: str  # the user's words (for a revision: the words with the change, see revised)
    shell: str  # the target shell ("bash", "zsh", ...)
    context: PlatformContext
    examples: tuple[Example, ...] = ()  # retrieved examples for the prompt (caro_py.knowledge)
    # Set on a revision (`r` at the confirm prompt): the command being changed and how.
    previous_command: str | None = None
    revision: str | None = None

    def revised(self, original: str, *, previous: str, words: str) -> GenerationRequest:
        """A request for a changed command: the first request, the last command, the change.

        Backends send `text` as the user's message, so it carries all three in one line,
        worded as a request (the small embedded model turned "change it: ..." into junk
        appended to the old command; this wording at least keeps it a command).
        """
        text = f"{original}, {words} (instead of: {previous})"
        return replace(self, text=text, previous_command=previous, revision=words)


@dataclass
class GeneratedCommand:
    command: str
    backend: str
    model: str | None
    explanation: str | None = None
    raw: Any = None  # the server's or model's raw answer, for --verbose and debugging
    timings_ms: dict[str, float] = field(default_factory=dict)
    # The retrieved examples the backend put in its prompt; None: all it was given.
    examples_used: tuple[Example, ...] | None = None


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
