"""`caro --check CMD`: judge a command without running it, for people, scripts and hooks."""

from __future__ import annotations

import sys
from typing import TextIO

from caro_py.errors import EXIT_BLOCKED, EXIT_OK
from caro_py.render import RISK_STYLES
from caro_py.visible import visible
from safety import Assessment, Decision, Policy, assess


def run_check(command: str, *, as_json: bool, policy: Policy, shell: str = "bash") -> int:
    """Print the assessment of `command` and return the exit code for it.

    Exit codes: 0 when the decision is allow, 4 (EXIT_BLOCKED) when it is block. A
    command that needs confirmation also exits 0 -- --check never runs anything, so
    there is nothing to confirm; the output says "confirm" (JSON `"decision": "confirm"`)
    so a hook that wants to stop on it can read the decision.
    """
    result = assess(command, shell=shell, policy=policy)
    if as_json:
        _print_json(result, sys.stdout)
    else:
        _print_table(result)
    return EXIT_BLOCKED if result.decision is Decision.BLOCK else EXIT_OK


def _print_json(result: Assessment, out: TextIO) -> None:
    payload = {"command": result.command, **result.to_dict()}
    from caro_py.jsonout import dumps

    out.write(dumps(payload) + "\n")


def _print_table(result: Assessment) -> None:
    # rich is imported here, not at module level, to keep `caro` start-up fast.
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    label = result.risk.label
    console.print(Text("Command: ", style="bold") + Text(visible(result.command)))
    verdict = {
        Decision.ALLOW: "allowed",
        Decision.CONFIRM: "needs confirmation before it runs",
        Decision.BLOCK: "blocked",
    }[result.decision]
    console.print(
        Text("Risk: ", style="bold")
        + Text(label, style=RISK_STYLES.get(label, ""))
        + Text(f"   Decision: {verdict} (policy: {result.policy.level})")
    )
    if not result.parsed:
        console.print(Text("The shell grammar could not parse all of it.", style="yellow"))
    if not result.findings:
        console.print("No findings.")
        return
    table = Table(show_header=True, header_style="bold")
    table.add_column("Risk")
    table.add_column("Rule")
    table.add_column("Why")
    table.add_column("Where")
    for finding in result.findings:
        start, end = finding.span
        where = result.command[start:end] if end > start else ""
        if len(where) > 40:
            where = where[:37] + "..."
        risk = finding.risk.label
        table.add_row(
            Text(risk, style=RISK_STYLES.get(risk, "")),
            finding.rule_id,
            Text(visible(finding.message)),
            Text(visible(where)),
        )
    console.print(table)
