"""`caro [OPTIONS] REQUEST...`: the command line.

Flags only, no subcommands, so any request text works. Start-up matters: this module
imports click and the standard library only; everything else is imported inside the
path that needs it, so `caro --version` and `caro --help` stay fast.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING, Any

import click

from caro_py import __version__
from caro_py.errors import (
    EXIT_INTERRUPTED,
    REPORTED,
    CaroError,
    ConfigError,
    UsageError,
    error_type_of,
    exit_code_of,
    message_of,
)
from safety.vocabulary import LEVELS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from config.model import Settings

# Kept literal (importing config.model here would slow start-up); a test keeps it in step.
BACKEND_HELP = "auto, exo, lmstudio, ollama, vllm, openai, embedded"


class Interrupted(CaroError):
    exit_code = EXIT_INTERRUPTED
    type_name = "interrupted"


class CaroCommand(click.Command):
    """A click command whose usage errors honour --json (one JSON object, exit 2)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["caro.started"] = time.perf_counter()
        # Checked first (click consumes the list as it parses); words after `--` are request text.
        options = args[: args.index("--")] if "--" in args else args
        wants_json = "--json" in options
        ctx.meta["caro.dashdash"] = "--" in args
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as err:
            if wants_json:
                emit_json_error(UsageError(err.format_message()), started=ctx.meta["caro.started"])
                raise click.exceptions.Exit(err.exit_code) from None
            raise


class Seconds(click.ParamType):
    """A time limit: a finite number greater than 0 (so not nan, not inf)."""

    name = "seconds"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        import math

        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(seconds) or seconds <= 0:
            self.fail(f"{value!r} must be a finite number greater than 0", param, ctx)
        return seconds


def show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"caro {__version__}")
        ctx.exit(0)


@click.command(
    cls=CaroCommand,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=(
        "Exit codes: 0 ok (or the command's own code when run), 1 output not writable, "
        "2 usage or config error, "
        "3 backend error, 4 blocked by safety, 5 declined, 6 no usable command, 130 Ctrl-C."
    ),
)
@click.argument("words", nargs=-1, metavar="REQUEST...")
@click.option("-p", "--prompt", "prompt_text", metavar="TEXT", help="The request as one value.")
@click.option("--backend", metavar="NAME", help=f"Backend to use: {BACKEND_HELP}.")
@click.option("--model", metavar="ID", help="Model for the chosen backend.")
@click.option("--base-url", metavar="URL", help="Server URL for the chosen backend.")
@click.option("--shell", metavar="SHELL", help="Shell to write for and run with.")
@click.option("--safety", type=click.Choice(LEVELS), help="Safety policy level.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@click.option("-n", "--dry-run", is_flag=True, help="Show the command; never run it.")
@click.option("-y", "--yes", is_flag=True, help="Run safe and moderate commands without asking.")
@click.option(
    "--timeout",
    type=Seconds(),
    metavar="SECONDS",
    help="Backend answer timeout.",
)
@click.option("--config", "config_path", metavar="PATH", help="Config file to use.")
@click.option("-v", "--verbose", is_flag=True, help="Detection trail and timings on stderr.")
@click.option("--check", "check_command", metavar="CMD", help="Assess CMD's risk; run nothing.")
@click.option("--backends", "list_backends", is_flag=True, help="Probe all backends; show a table.")
@click.option("--show-config", is_flag=True, help="Print the effective settings.")
@click.option("--init-config", is_flag=True, help="Write a commented default config file.")
# --- the shell: history, explain, the hotkey widget (caro_py/history.py, explain.py, shell_init.py)
@click.option(
    "--history", "show_history", is_flag=True, help="List the latest requests (-n N: how many)."
)
@click.option("--clear-history", is_flag=True, help="Delete every recorded request.")
@click.option("--explain", "explain_command", metavar="CMD", help="Explain CMD; run nothing.")
@click.option("--widget", is_flag=True, hidden=True, help="For the shell hotkey (caro init).")
@click.option("--stop-worker", is_flag=True, help="Stop the embedded model's worker process.")
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=show_version,
    help="Show the version and exit.",
)
@click.pass_context
def cli(ctx: click.Context, words: tuple[str, ...], **flags: Any) -> None:
    """Turn REQUEST, in plain words, into one shell command; run it only if you say yes.

    The request may also come from -p TEXT or from stdin when it is piped.
    `caro init bash|zsh|fish` prints the hotkey snippet for your shell's rc file
    (to ask about those words instead: caro -- init zsh).
    """
    started = ctx.meta.get("caro.started", time.perf_counter())
    if flags["widget"]:
        # The bash widget ignores Ctrl-C while caro works (so readline keeps the line);
        # caro takes it back, so Ctrl-C still stops it.
        import signal

        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        code = dispatch(
            words, flags, os.environ, started=started, dashdash=ctx.meta.get("caro.dashdash", False)
        )
    except REPORTED as err:
        code = report(err, as_json=flags["as_json"], started=started)
    except KeyboardInterrupt:
        from caro_py.pipeline import quiet_after_interrupt

        quiet_after_interrupt()
        sys.stderr.write("\n")
        code = report(
            Interrupted("interrupted by Ctrl-C"), as_json=flags["as_json"], started=started
        )
    ctx.exit(code)


def dispatch(
    words: tuple[str, ...],
    flags: dict[str, Any],
    env: Mapping[str, str],
    *,
    started: float,
    dashdash: bool = False,
) -> int:
    """Run the mode the flags ask for. `dashdash`: the words came after `--` (request text)."""
    modes = [
        name
        for name, on in (
            ("--check", flags["check_command"] is not None),
            ("--backends", flags["list_backends"]),
            ("--show-config", flags["show_config"]),
            ("--init-config", flags["init_config"]),
            ("--history", flags["show_history"]),
            ("--clear-history", flags["clear_history"]),
            ("--explain", flags["explain_command"] is not None),
            ("--widget", flags["widget"]),
            ("--stop-worker", flags["stop_worker"]),
        )
        if on
    ]
    if len(modes) > 1:
        raise UsageError(f"use one of {', '.join(modes)} at a time")
    if not modes and flags["prompt_text"] is None and not dashdash:
        from caro_py import shell_init

        if shell_init.is_init(words):
            sys.stdout.write(shell_init.snippet(words[1]))
            return 0
    limit = 0
    if modes == ["--history"]:
        limit, words = history_limit(words, flags), ()
    if modes == ["--widget"]:
        modes = []  # a request like any other, answered for the hotkey
    if modes and (words or flags["prompt_text"] is not None):
        raise UsageError(f"{modes[0]} takes no request text")
    for key in ("config_path", "model", "base_url", "backend"):
        # An empty value would quietly mean "not given" below; say so instead.
        if flags.get(key) is not None and not str(flags[key]).strip():
            raise UsageError(f"{FLAG_NAMES.get(key, '--' + key.replace('_', '-'))} is empty")
    require_text(words, flags)
    if flags["init_config"]:
        return init_config(flags["config_path"], env, as_json=flags["as_json"])
    if flags["stop_worker"]:
        return stop_worker(as_json=flags["as_json"])

    from pathlib import Path

    from caro_py import render
    from config.loader import load_settings

    settings, warnings = load_settings(
        path=Path(flags["config_path"]) if flags["config_path"] else None,
        env=env,
        overrides={
            "backend": flags["backend"],
            "model": flags["model"],
            "base_url": flags["base_url"],
            "shell": flags["shell"],
            "safety": flags["safety"],
            "timeout_seconds": flags["timeout"],
        },
    )
    settings.verbose = flags["verbose"]  # lets backends (embedded) show their own logs
    for warning in warnings:
        render.show_warning(warning)
    if flags["show_config"]:
        return show_config(settings, warnings, as_json=flags["as_json"])
    if flags["list_backends"]:
        return show_backends(settings, as_json=flags["as_json"])
    if flags["show_history"] or flags["clear_history"]:
        from caro_py.history_cli import clear_history, show_history

        if flags["clear_history"]:
            return clear_history(env, as_json=flags["as_json"])
        return show_history(env, limit=limit, as_json=flags["as_json"])
    if flags["explain_command"] is not None:
        from caro_py.explain import explain_cli

        return explain_cli(flags["explain_command"], settings, env, as_json=flags["as_json"])
    if flags["check_command"] is not None:
        if not flags["check_command"].strip():
            raise UsageError("--check needs a command to judge; it got only blanks")
        return check(flags["check_command"], settings, env, as_json=flags["as_json"])

    from caro_py import pipeline

    text = request_text(words, flags["prompt_text"])
    options = pipeline.Options(
        request=text,
        as_json=flags["as_json"],
        dry_run=flags["dry_run"],
        yes=flags["yes"],
        verbose=flags["verbose"],
        widget=flags["widget"],
    )
    return pipeline.run(options, settings, started=started, env=env)


def history_limit(words: tuple[str, ...], flags: Mapping[str, Any]) -> int:
    """How many rows --history lists: `-n N` (-n never runs anything here), else 20."""
    from caro_py.history import DEFAULT_LIMIT

    if not flags["dry_run"]:
        if words:
            raise UsageError("--history takes no request text (to say how many: -n N)")
        return DEFAULT_LIMIT
    if len(words) != 1 or not words[0].isdigit() or int(words[0]) < 1:
        raise UsageError("--history -n needs a whole number of rows, 1 or more")
    return int(words[0])


# Flag names as the user typed them, where click's parameter name differs.
FLAG_NAMES = {
    "prompt_text": "-p",
    "check_command": "--check",
    "timeout": "--timeout",
    "config_path": "--config",
}


def require_text(words: tuple[str, ...], flags: Mapping[str, Any]) -> None:
    """Refuse arguments that were not valid UTF-8 (Python hands them over surrogate-escaped).

    --config is exempt: a file name may be any bytes the file system allows.
    """
    named = [("the request", word) for word in words]
    named += [
        (FLAG_NAMES.get(key, "--" + key.replace("_", "-")), value)
        for key, value in flags.items()
        if key != "config_path"
    ]
    for where, value in named:
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise UsageError(f"{where} is not valid UTF-8 text") from None


def request_text(words: tuple[str, ...], prompt_text: str | None) -> str:
    """The request: REQUEST words, or -p TEXT, or piped stdin (in that order).

    Words or -p win over stdin; stdin is then left unread for the command caro may run,
    and a note on stderr says so when it holds text.
    """
    if words and prompt_text is not None:
        raise UsageError("give the request as words or with -p, not both")
    hint = 'try: caro "list running docker containers"'
    if prompt_text is not None:
        text, source = prompt_text, "-p"
    elif words:
        text, source = " ".join(words), "the arguments"
    elif not sys.stdin.isatty():
        text, source = read_stdin(), "stdin"
    else:
        raise UsageError(f"no request given; {hint}")
    if source != "stdin" and not sys.stdin.isatty() and stdin_holds_text():
        from caro_py import render

        render.show_notice(
            f"stdin was ignored: the request is taken from {source} "
            "(stdin is left for the command, if it runs)"
        )
    text = " ".join(text.split())
    if not text:
        raise UsageError(f"no request given: {source} held only blanks; {hint}")
    return text


def read_stdin() -> str:
    """All of stdin as UTF-8 text; anything else is a usage error, not a crash."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text-only stream (tests): already decoded
        data: str = sys.stdin.read()
        return data
    raw = buffer.read()
    try:
        return str(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"stdin is not valid UTF-8 text (byte {exc.start}: {exc.reason}); "
            "give the request as UTF-8"
        ) from None


def stdin_holds_text() -> bool:
    """Whether stdin already has bytes waiting, found out without reading them.

    Best effort: a regular file's size, or the bytes queued in a pipe (FIONREAD). A writer
    that has not written yet counts as empty.
    """
    try:
        import stat

        fd = sys.stdin.fileno()
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode):
            return info.st_size > os.lseek(fd, 0, os.SEEK_CUR)
        import array
        import fcntl
        import termios

        count = array.array("i", [0])
        fcntl.ioctl(fd, termios.FIONREAD, count, True)
        return count[0] > 0
    except (OSError, ValueError, ImportError, AttributeError):
        return False


def init_config(config_path: str | None, env: Mapping[str, str], *, as_json: bool) -> int:
    from config.loader import default_config_path, expand_home
    from config.template import render_template

    path = expand_home(config_path) if config_path else default_config_path(env)
    if path.exists():
        raise ConfigError(f"{path} already exists; not overwriting it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as out:  # "x": never clobber, even in a race
            out.write(render_template())
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None
    if as_json:
        import json

        sys.stdout.write(json.dumps({"written": str(path)}) + "\n")
    else:
        sys.stderr.write(f"caro: wrote the default config to {path}\n")
    return 0


def show_config(settings: Settings, warnings: list[str], *, as_json: bool) -> int:
    from config.dump import settings_dict, settings_toml

    if as_json:
        import json

        data = {"settings": settings_dict(settings), "warnings": warnings}
        sys.stdout.write(json.dumps(data) + "\n")
    else:
        sys.stdout.write(settings_toml(settings))
    return 0


def show_backends(settings: Settings, *, as_json: bool) -> int:
    import asyncio

    from backends.selection import probe_all
    from caro_py.context import detect_context, resolve_shell

    context = detect_context(resolve_shell(settings.shell, os.environ), env=os.environ)
    healths = asyncio.run(probe_all(settings, context))
    if as_json:
        import dataclasses
        import json

        rows = [dataclasses.asdict(health) for health in healths]
        sys.stdout.write(json.dumps({"backends": rows}) + "\n")
    else:
        from caro_py import render

        render.backends_table(healths)
    return 0


def stop_worker(*, as_json: bool) -> int:
    """Tell the embedded model's worker process to exit (it frees the model's memory)."""
    import asyncio

    from backends.embedded.worker import lifecycle

    pid = asyncio.run(lifecycle.stop())
    if as_json:
        import json

        sys.stdout.write(json.dumps({"stopped": pid}) + "\n")
    elif pid is None:
        sys.stderr.write("caro: no embedded worker is running\n")
    else:
        sys.stderr.write(f"caro: stopped the embedded worker (pid {pid})\n")
    return 0


def check(command: str, settings: Settings, env: Mapping[str, str], *, as_json: bool) -> int:
    from caro_py.check import run_check
    from caro_py.context import shell_name
    from caro_py.pipeline import make_policy

    shell = shell_name(settings.shell or env.get("SHELL") or "bash")
    return run_check(command, as_json=as_json, policy=make_policy(settings), shell=shell)


def report(err: BaseException, *, as_json: bool, started: float) -> int:
    if as_json:
        emit_json_error(err, started=started)
    elif not isinstance(err, Interrupted):
        from caro_py.render import show_error

        show_error(message_of(err))
    return exit_code_of(err)


def emit_json_error(err: BaseException, *, started: float) -> None:
    """The JSON object for an error before any request ran (bad flag, config, ...)."""
    from caro_py.jsonout import Result

    result = Result(exit_code=exit_code_of(err))
    result.set_error(error_type_of(err), message_of(err))
    result.timings_ms["total"] = (time.perf_counter() - started) * 1000
    sys.stdout.write(result.to_json() + "\n")
    sys.stdout.flush()


def main() -> None:
    """Console-script entry point (`caro`)."""
    cli(prog_name="caro")
