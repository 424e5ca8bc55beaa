"""What the person at the terminal sees: rich on stderr, the bare command on stdout.

rich is imported inside each function, never at module level, to keep start-up fast.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from caro_py.visible import visible

if TYPE_CHECKING:
    from rich.console import Console

    from backends.protocol import Example, Health
    from safety import Assessment

RISK_STYLES: dict[str, str] = {
    "safe": "bold green",
    "moderate": "bold yellow",
    "high": "bold red",
    "critical": "bold white on red",
}


@functools.lru_cache(maxsize=1)
def err_console() -> Console:
    """One console for stderr, so lines printed while the spinner runs do not garble it.

    rich looks sys.stderr up at each write, so this stays right when tests swap streams.
    """
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


@contextlib.contextmanager
def waiting(message: str, quiet: bool) -> Iterator[None]:
    """A spinner on stderr while the backend thinks (only when stderr is a terminal)."""
    if quiet or not sys.stderr.isatty():
        yield
        return
    console = err_console()
    if console.is_dumb_terminal:  # no cursor control: one plain line instead
        console.print(message, style="dim")
        yield
        return
    with console.status(message, spinner="dots"):
        yield


def print_command(command: str) -> None:
    """The command alone, plainly, on stdout: what a pipe or `$(...)` receives.

    On a terminal, control characters are spelled out so the screen shows what would run.
    """
    if sys.stdout.isatty():
        command = visible(command)
    sys.stdout.write(command + "\n")
    sys.stdout.flush()


def show_source(backend: str, model: str | None) -> None:
    from rich.text import Text

    err_console().print(Text(visible(f"{backend}" + (f" · {model}" if model else "")), style="dim"))


def show_sources(examples: Sequence[Example], *, verbose: bool) -> None:
    """Where the model's examples came from: one short line, or each example with -v."""
    if not examples:
        return
    from rich.text import Text

    pages = list(dict.fromkeys(source_page(example) for example in examples))
    console = err_console()
    console.print(Text(visible("examples: tldr " + ", ".join(pages)), style="dim"))
    if verbose:
        for example in examples:
            line = f"  · {source_page(example)}: {example.description}: {example.command}"
            console.print(Text(visible(line), style="dim"))


def source_page(example: Example) -> str:
    """'tar'; an alias page's example as 'gunzip (from gzip)'."""
    if example.derived_from:
        return f"{example.page} (from {example.derived_from})"
    return example.page


def show_assessment(
    assessment: Assessment, explanation: str | None, *, with_command: bool = False
) -> None:
    """Risk badge, the explanation, and one line per finding (stderr)."""
    from rich.text import Text

    console = err_console()
    if with_command:
        console.print(Text(f"  {visible(assessment.command)}", style="bold"))
    label = assessment.risk.label
    line = Text()
    line.append(f" {label} ", style=RISK_STYLES.get(label, "bold"))
    if explanation:
        line.append(f"  {visible(explanation)}")
    console.print(line)
    for finding in assessment.findings:
        item = Text("   • ", style="dim")
        item.append(visible(finding.message))
        item.append(f"  [{finding.rule_id}]", style="dim")
        console.print(item)


def show_notice(message: str, *, style: str = "yellow") -> None:
    from rich.text import Text

    err_console().print(Text(visible(message), style=style))


def show_error(message: str) -> None:
    """Plain text on purpose: errors must print even where rich cannot load."""
    sys.stderr.write(f"caro: error: {visible(message)}\n")
    sys.stderr.flush()


def show_stop(message: str) -> None:
    sys.stderr.write(f"caro: {visible(message)}\n")
    sys.stderr.flush()


def show_warning(message: str) -> None:
    sys.stderr.write(f"caro: warning: {visible(message)}\n")
    sys.stderr.flush()


def backends_table(healths: Sequence[Health]) -> None:
    """`caro --backends`: one row per backend (stdout: it is the output asked for)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="caro backends", title_justify="left")
    for column in ("backend", "URL", "status", "latency", "models / detail"):
        table.add_column(column, overflow="fold")
    for health in healths:
        status = "[green]up[/green]" if health.up else "[red]down[/red]"
        latency = f"{health.latency_ms:.0f} ms" if health.latency_ms is not None else "-"
        about = ", ".join(health.models) if health.models else ""
        if health.detail:
            about = f"{about} ({health.detail})" if about else health.detail
        table.add_row(
            health.name,
            escape(visible(health.base_url or "-")),
            status,
            latency,
            escape(visible(about)),
        )
    Console(highlight=False).print(table)


def escape(text: str) -> Any:
    from rich.markup import escape as rich_escape

    return rich_escape(text)
