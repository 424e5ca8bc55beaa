"""One request, start to finish:

request -> context -> backend (selection.generate, which also parses) -> assess -> confirm
-> execute.

Every outcome, errors included, lands in one jsonout.Result; `run` returns the exit code.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from caro_py import render
from caro_py.errors import (
    EXIT_INTERRUPTED,
    REPORTED,
    BackendError,
    BlockedError,
    DeclinedError,
    NoUsableCommand,
    error_type_of,
    exit_code_of,
    message_of,
)
from caro_py.jsonout import Result

if TYPE_CHECKING:
    from backends.protocol import GenerationRequest
    from backends.selection import Outcome
    from config.model import Settings
    from safety import Assessment, Policy


@dataclass(frozen=True)
class Options:
    request: str
    as_json: bool = False
    dry_run: bool = False
    yes: bool = False
    verbose: bool = False
    # The shell hotkey (caro init): print `RISK<TAB>COMMAND` on stdout, never ask or run.
    widget: bool = False

    @property
    def quiet(self) -> bool:
        """No human-facing output on stderr beyond errors (--json, the widget)."""
        return self.as_json or self.widget


def run(options: Options, settings: Settings, *, started: float, env: Mapping[str, str]) -> int:
    """Run the whole pipeline; print the JSON object (--json) or the error; return the code."""
    result = Result(request=options.request)
    try:
        code = steps(options, settings, result, env)
    except REPORTED as err:
        result.set_error(error_type_of(err), message_of(err))
        code = exit_code_of(err)
    except KeyboardInterrupt:
        quiet_after_interrupt()
        result.set_error("interrupted", "interrupted by Ctrl-C")
        code = EXIT_INTERRUPTED
    result.exit_code = code
    result.timings_ms["total"] = (time.perf_counter() - started) * 1000
    remember(result, options, settings, env)
    if options.as_json:
        sys.stdout.write(result.to_json() + "\n")
        sys.stdout.flush()
    elif options.widget and code == 0 and result.command is not None:
        from caro_py.shell_init import widget_line

        sys.stdout.write(widget_line(result.risk or "unknown", result.command))
        sys.stdout.flush()
    elif result.error and result.error["type"] in ("blocked", "declined"):
        render.show_stop(result.error["message"])  # the system working, not failing
    elif result.error and code != EXIT_INTERRUPTED:
        render.show_error(result.error["message"])
    elif code == EXIT_INTERRUPTED and not options.widget:  # the shell redraws its own line
        sys.stderr.write("\n")
    if options.verbose and not options.quiet:
        show_timings(result)
    return code


def origin_of(options: Options) -> str:
    """Where the request came from, for the history."""
    if options.widget:
        return "widget"
    if options.as_json:
        return "json"
    return "prompt" if interactive() else "pipe"


def remember(result: Result, options: Options, settings: Settings, env: Mapping[str, str]) -> None:
    """Add the request to the history (unless switched off); a failure only warns."""
    if not settings.history.enabled:
        return
    import os

    from caro_py import history

    try:
        history.record(
            result, origin=origin_of(options), cwd=os.getcwd(), path=history.history_path(env)
        )
    except (OSError, history.HistoryError) as exc:
        render.show_warning(f"could not record the history: {exc}")


def steps(options: Options, settings: Settings, result: Result, env: Mapping[str, str]) -> int:
    from backends.protocol import GenerationRequest
    from caro_py.context import detect_context, resolve_shell

    shell_path = resolve_shell(settings.shell, env)
    context = detect_context(shell_path, env=env)
    request = GenerationRequest(text=options.request, shell=context.shell, context=context)
    if options.verbose and not options.quiet:
        render.show_notice(f"context: {context.describe()}", style="dim")
    request = with_examples(request, settings, options, result)

    outcome = generate(request, settings, options, result)
    generated = outcome.generated
    result.explanation = generated.explanation
    used = generated.examples_used if generated.examples_used is not None else request.examples
    result.sources = [example.to_dict() for example in used]
    if not options.quiet:
        render.show_source(generated.backend, generated.model)
        render.show_sources(used, verbose=options.verbose)

    policy = make_policy(settings)
    command = generated.command
    while True:
        assessment = judge(command, request, policy, result)
        blocked = assessment.decision.value == "block"
        if not options.quiet:
            if not blocked:
                render.print_command(command)
            render.show_assessment(assessment, result.explanation, with_command=blocked)
        if blocked:
            raise BlockedError(block_reason(assessment))
        if options.dry_run or options.widget:
            return 0
        if options.yes:
            require_yes_allowed(assessment)
            return execute(command, shell_path, options, result)
        if options.as_json or not interactive():
            explain_not_running(options)
            return 0
        if unparsed(assessment):
            render.show_notice(f"warning: this text {UNPARSED}; read it before you decide")
        answer = ask(assessment)
        if answer == "run":
            return execute(command, shell_path, options, result)
        if answer == "decline":
            raise DeclinedError("declined; nothing was run")
        if answer == "explain":
            explain_here(command, settings, result)
            continue  # nothing changed: the same command, judged and asked again
        if answer == "revise":
            words = revision_words()
            if not words:
                continue
            request = request.revised(options.request, previous=command, words=words)
            generated = generate(request, settings, options, result).generated
            render.show_source(generated.backend, generated.model)
            command, result.explanation = generated.command, generated.explanation
            continue
        command = edited(command)
        # The edited text is a new command: judge it and ask again from the top.
        result.explanation = None


def with_examples(
    request: GenerationRequest, settings: Settings, options: Options, result: Result
) -> GenerationRequest:
    """The knowledge step: the routed tool's tldr examples, where a model will read them.

    A missing or unreadable knowledge base costs the examples, never the request.
    """
    from backends.embedded.examples_policy import may_get_examples

    # Unset, [retrieval] feeds only the embedded model, and not every one of those.
    if not may_get_examples(settings):
        return request
    import dataclasses
    import sqlite3

    from caro_py.knowledge import retrieve

    began = time.perf_counter()
    try:
        found = retrieve(request.text, request.context.os, settings.retrieval.k)
    except (OSError, sqlite3.Error) as exc:
        if options.verbose and not options.as_json:
            render.show_notice(f"retrieval: unavailable ({exc})", style="dim")
        return request
    result.timings_ms["retrieve"] = (time.perf_counter() - began) * 1000
    if options.verbose and not options.as_json:
        pages = ", ".join(found.pages) or "none (no tool stood out)"
        render.show_notice(f"retrieval: {pages}", style="dim")
    return dataclasses.replace(request, examples=found.examples)


def generate(
    request: GenerationRequest, settings: Settings, options: Options, result: Result
) -> Outcome:
    import asyncio

    from backends.selection import generate as select_and_generate

    def on_event(message: str) -> None:
        # Fallback notices: always said on stderr (and recorded in JSON's fallback_from).
        if not options.quiet:
            render.show_notice(message)

    explicit = settings.backend if settings.backend != "auto" else None
    began = time.perf_counter()
    job = select_and_generate(request, settings, explicit=explicit, on_event=on_event)
    try:
        with render.waiting(
            f"asking {explicit or 'the first backend that answers'}…", options.as_json
        ):
            outcome = asyncio.run(job)
    except BaseException as exc:
        job.close()  # Ctrl-C before the loop started it: no "never awaited" warning
        if options.verbose and not options.as_json:
            # The trail explains a failed detection best; selection attaches it.
            show_trail(exc.trail if isinstance(exc, BackendError | NoUsableCommand) else ())
        raise
    wall = (time.perf_counter() - began) * 1000
    if options.verbose and not options.as_json:
        show_trail(outcome.trail)
    generated = outcome.generated
    result.command = generated.command
    result.backend = generated.backend
    result.model = generated.model
    result.fallback_from = list(outcome.fallback_from)
    result.timings_ms["detect"] = outcome.detect_ms
    result.timings_ms["generate"] = generated.timings_ms.get(
        "generate", max(wall - outcome.detect_ms, 0.0)
    )
    return outcome


def show_trail(trail: Iterable[str]) -> None:
    for line in trail:
        render.show_notice(f"· {line}", style="dim")


def make_policy(settings: Settings) -> Policy:
    from safety import Policy

    return Policy(
        level=settings.safety.level,
        allow=tuple(settings.safety.allow),
        deny=tuple(settings.safety.deny),
    )


def judge(command: str, request: GenerationRequest, policy: Policy, result: Result) -> Assessment:
    from safety import assess

    assessment = assess(command, shell=request.shell, request=request.text, policy=policy)
    result.command = command
    result.risk = assessment.risk.label
    result.decision = assessment.decision.value
    result.findings = [finding.to_dict() for finding in assessment.findings]
    return assessment


def block_reason(assessment: Assessment) -> str:
    why = "; ".join(finding.message for finding in assessment.findings) or "no details"
    return (
        f"blocked by the {assessment.policy.level} safety policy "
        f"({assessment.risk.label} risk): {why}"
    )


UNPARSED = "could not be parsed as shell"


def unparsed(assessment: Assessment) -> bool:
    """The bash grammar could not parse it: perhaps prose from the model, not a command."""
    return any(finding.rule_id == "parse.error" for finding in assessment.findings)


def require_yes_allowed(assessment: Assessment) -> None:
    """--yes runs only safe and moderate commands that parse as shell; others need a person."""
    from safety import Risk

    if unparsed(assessment):
        raise BlockedError(
            f"this command {UNPARSED}; not run without asking. "
            "Run caro without --yes to read it and decide."
        )
    if assessment.risk > Risk.MODERATE:
        why = "; ".join(finding.message for finding in assessment.findings) or "no details"
        raise BlockedError(
            f"--yes runs only safe and moderate commands; this one is "
            f"{assessment.risk.label} risk ({why}). Run caro without --yes to confirm it."
        )


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def explain_not_running(options: Options) -> None:
    if options.as_json:
        return
    if not sys.stdout.isatty():
        if options.verbose:
            render.show_notice("stdout is not a terminal: printed the command only (--yes runs it)")
    else:
        render.show_notice("stdin is not a terminal, so caro cannot ask: not run (--yes runs it)")


def ask(assessment: Assessment) -> str:
    from caro_py import confirm
    from safety import Risk

    return confirm.ask(
        needs_yes=assessment.risk >= Risk.HIGH, risk_label=assessment.risk.label
    ).value


def revision_words() -> str:
    from caro_py import confirm

    try:
        return confirm.revision()
    except EOFError:
        raise DeclinedError("declined while revising; nothing was run") from None


def explain_here(command: str, settings: Settings, result: Result) -> None:
    """`x` at the prompt: explain the command; a failure is said, and the prompt comes back."""
    from caro_py import explain

    try:
        with render.waiting("asking for an explanation…", False):
            explanation = explain.explain(command, settings, backend=result.backend)
    except REPORTED as err:
        render.show_warning(f"cannot explain it: {message_of(err)}")
        return
    explain.show(explanation)


def edited(command: str) -> str:
    from caro_py import confirm

    try:
        new = confirm.edit(command)
    except EOFError:
        raise DeclinedError("declined while editing; nothing was run") from None
    if not new:
        raise DeclinedError("the edited command is empty; nothing was run")
    return new


def execute(command: str, shell_path: str, options: Options, result: Result) -> int:
    from caro_py.execute import run_in_shell

    result.executed = True
    return run_in_shell(command, shell_path, stdout_to_stderr=options.as_json)


def quiet_after_interrupt() -> None:
    """caro is on its way out after Ctrl-C: keep the terminal free of teardown noise.

    A Ctrl-C can land while asyncio is still building or closing its event loop; the
    half-made loop then complains from __del__ as it is collected. Nothing is left to
    clean up at that point, so such late complaints are dropped.
    """
    import warnings

    sys.unraisablehook = lambda _unraisable: None
    warnings.simplefilter("ignore")


def show_timings(result: Result) -> None:
    parts = [
        f"{key} {value:.0f} ms" for key, value in result.timings_ms.items() if value is not None
    ]
    if parts:
        render.show_notice("timings: " + ", ".join(parts), style="dim")
