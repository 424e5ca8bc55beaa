#!/usr/bin/env python3
"""Run every command of topic files in the evaluation sandbox and record which ones work there.

Each command (and each of its alternatives) runs the way scripts/evaluate.py runs a reference:
in a fresh copy of the fixture tree inside bubblewrap, with no network. A command passes when
the safety validator does not block it, it exits 0 within the time limit and it prints
something or changes the tree (what evaluate.py needs to judge an answer by running it), and
each alternative gives the same result. The verdict is written back into the file as
"checked": true/false; commands that cannot run there (network, docker, systemctl, package
managers, other hosts) end up false, with the reason printed. Commands that pass are run once
more a while later; those that then give another result (the clock, randomness, processes) are
listed as unstable, since evaluate.py can only judge answers to them by string match.

    python scripts/check_examples.py scripts/data/everyday_v2_files_text.jsonl
    python scripts/check_examples.py FILE --only tar- --dry-run   # some topics, file untouched

Exit status: 0 when the files were checked (failures are reported, not fatal), 2 for a file
that cannot be read or does not follow the format, 3 when bubblewrap is missing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _examples import ExampleFileError, Topic, load_topics, write_topics  # noqa: E402
from evaluate import (  # noqa: E402
    RunResult,
    Sandbox,
    SandboxUnavailable,
    execution_decides,
    fixture_dir,
    safety_blocker,
    same_result,
)

SETUP_FAILED = 97  # exit status of the wrapper when a topic's setup line fails


@dataclass(frozen=True)
class Outcome:
    ok: bool
    reason: str = ""
    result: RunResult | None = None  # the command's run, when it passed


def script_for(command: str, setup: str | None) -> str:
    """The command, after the topic's setup (silenced; its failure stops the run)."""
    if setup is None:
        return command
    return f"{{ {setup}\n}} >/dev/null 2>&1 || exit {SETUP_FAILED}\n{command}"


def run_in(sandbox: Sandbox, command: str, setup: str | None) -> RunResult:
    """Run one command; with a setup, "changed" means changed from the tree the setup left."""
    result = sandbox.run(script_for(command, setup))
    if setup is not None:
        after_setup = sandbox.run(script_for(":", setup))
        result = replace(result, tree_changed=result.tree != after_setup.tree)
    return result


def why_not(result: RunResult) -> str:
    if result.timed_out:
        return "timed out"
    if result.exit_code == SETUP_FAILED:
        return "setup failed"
    if result.exit_code != 0:
        return f"exit {result.exit_code}"
    return "no output and no change to the tree"


def first_error_line(sandbox: Sandbox, command: str, setup: str | None) -> str:
    """The first line the command writes to stderr, for the report."""
    text = sandbox.run("exec 2>&1 >/dev/null\n" + script_for(command, setup)).stdout.strip()
    return text.splitlines()[0][:160] if text else ""


def check_topic(topic: Topic, sandbox: Sandbox, is_blocked: Callable[[str], bool]) -> Outcome:
    for command in (topic.command, *topic.alternatives):
        if is_blocked(command):
            return Outcome(False, f"blocked by the safety validator: {command}")
    ref = run_in(sandbox, topic.command, topic.setup)
    if not execution_decides(ref):
        said = first_error_line(sandbox, topic.command, topic.setup)
        return Outcome(False, why_not(ref) + (f" ({said})" if said else ""))
    for alt in topic.alternatives:
        # Twice before calling it different: a clock-reading command may cross a second.
        if not any(
            same_result(run_in(sandbox, topic.command, topic.setup), cand)
            for cand in (run_in(sandbox, alt, topic.setup), run_in(sandbox, alt, topic.setup))
        ):
            return Outcome(False, f"alternative gives a different result: {alt}")
    return Outcome(True, result=ref)


def unstable_topics(passed: list[tuple[Topic, RunResult, float]], sandbox: Sandbox) -> list[Topic]:
    """Topics whose command prints or leaves something else when run again a while later.

    evaluate.py runs the reference and the answer one after the other, so a command that
    reads the clock, a random source or the process table cannot be judged by running it
    (only by string match). The second run comes at least a second after the first.
    """
    if passed:
        time.sleep(max(0.0, passed[-1][2] + 1.1 - time.monotonic()))
    return [
        topic
        for topic, first, _ in passed
        if not same_result(first, run_in(sandbox, topic.command, topic.setup))
    ]


def check_file(
    path: Path,
    sandbox: Sandbox,
    is_blocked: Callable[[str], bool],
    only: str | None,
    write: bool,
    verbose: bool,
) -> tuple[int, int]:
    """Check one file's topics; returns (passed, failed) among those checked."""
    topics = load_topics(path)
    passed = failed = 0
    updated: list[Topic] = []
    runs: list[tuple[Topic, RunResult, float]] = []
    for topic in topics:
        if only is not None and not topic.topic.startswith(only):
            updated.append(topic)
            continue
        outcome = check_topic(topic, sandbox, is_blocked)
        if outcome.ok and outcome.result is not None:
            runs.append((topic, outcome.result, time.monotonic()))
            passed += 1
            if verbose:
                print(f"  ok    {topic.topic}: {topic.command}")
        else:
            failed += 1
            print(f"  FALSE {topic.topic}: {topic.command}\n        {outcome.reason}")
        updated.append(replace(topic, checked=outcome.ok))
    if write:
        write_topics(path, updated)
    unstable = unstable_topics(runs, sandbox)
    for topic in unstable:
        print(
            f"  UNSTABLE {topic.topic}: {topic.command}\n        a second run gives another "
            "result (clock, randomness, processes): evaluate.py can only string-match answers"
        )
    requests = sum(len(t.requests) for t in topics)
    print(
        f"{path}: {len(topics)} topics, {requests} requests; checked {passed + failed}: "
        f"{passed} run in the sandbox (checked: true), {failed} do not (checked: false); "
        f"{len(unstable)} of those that run give another result on a second run"
        + ("" if write else " [dry run: file not written]")
    )
    return passed, failed


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", type=Path, nargs="+", help="JSONL topic files")
    p.add_argument("--only", metavar="PREFIX", help="check only topics whose name starts so")
    p.add_argument(
        "--dry-run", action="store_true", help="report only; leave the files as they are"
    )
    p.add_argument("--timeout", type=float, default=5.0, help="seconds per sandboxed command")
    p.add_argument("--policy", default=None, help="safety policy for the pre-check")
    p.add_argument("-v", "--verbose", action="store_true", help="list passing topics too")
    args = p.parse_args(argv)

    try:
        for path in args.files:
            load_topics(path)  # every file well-formed before any sandbox work
    except (OSError, ExampleFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    is_blocked = safety_blocker(args.policy)
    total_passed = total_failed = 0
    with fixture_dir() as fixture:
        try:
            sandbox = Sandbox(fixture, args.timeout)
        except SandboxUnavailable as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 3
        for path in args.files:
            passed, failed = check_file(
                path, sandbox, is_blocked, args.only, not args.dry_run, args.verbose
            )
            total_passed += passed
            total_failed += failed
    if len(args.files) > 1:
        print(f"all files: {total_passed} checked true, {total_failed} false")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
