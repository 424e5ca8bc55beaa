"""Rules: fork bombs in any spelling."""

from __future__ import annotations

from safety.checks import network, whole_command
from safety.rules.rule import CRIT, HIGH, Rule

RULES: tuple[Rule, ...] = (
    # ---- fork bombs -----------------------------------------------------------------------
    Rule(
        "fork.function",
        "fork-bomb",
        CRIT,
        "Fork bomb: the function {target} keeps spawning copies of itself until the machine stalls",
        whole_command.fork_bomb_function,
        matches=(
            ":(){ :|:& };:",
            "bomb() { bomb | bomb & }; bomb",
            "f(){ f & f; }; f",
            "function x { x|x& }; x",
            ".(){ .|.& };.",
            "_() { _ | _ & } ; _",
        ),
        non_matches=("greet() { echo hi; }; greet", "f() { g; }; f", "countdown() { echo $1; }"),
    ),  # fmt: skip
    Rule(
        "fork.text",
        "fork-bomb",
        CRIT,
        "Looks like a fork bomb ({target})",
        whole_command.fork_bomb_text,
        matches=(":(){ :|:& };: '",),
        non_matches=("echo '(' ",),
    ),  # fmt: skip
    Rule(
        "fork.code",
        "fork-bomb",
        CRIT,
        "The {target} code forks in an endless loop (a fork bomb)",
        network.code_fork_bomb,
        matches=(
            "perl -e 'fork while fork'",
            "python3 -c 'import os\nwhile True: os.fork()'",
            "ruby -e 'loop { fork }'",
        ),
        non_matches=("perl -e 'print 1'", "python3 -c 'import os; print(os.getpid())'"),
    ),  # fmt: skip
    Rule(
        "fork.loop-shell",
        "fork-bomb",
        CRIT,
        "Starts new shells in the background in an endless loop (a fork bomb)",
        whole_command.background_loop(shell_only=True),
        matches=(
            "while true; do bash & done",
            "while :; do sh -c 'sleep 1' & done",
            "for ((;;)); do $0 & done",
        ),
        non_matches=("while true; do sleep 1; done", "for i in 1 2 3; do bash x.sh & done"),
    ),  # fmt: skip
    Rule(
        "fork.loop",
        "fork-bomb",
        HIGH,
        "Starts background jobs in an endless loop; processes pile up without limit",
        whole_command.background_loop(shell_only=False),
        matches=("while true; do sleep 100 & done", "until false; do yes > /dev/null & done"),
        non_matches=("while true; do date; sleep 1; done", "for f in *.txt; do gzip $f & done"),
    ),  # fmt: skip
)
