"""Rules: the validator's own limits: parse errors, long lines, deep nesting."""

from __future__ import annotations

from safety.checks import whole_command
from safety.rules.rule import HIGH, MOD, Rule

RULES: tuple[Rule, ...] = (
    # ---- what the screen shows is not what runs ---------------------------------------------
    Rule(
        "text.hidden-characters",
        "parse",
        HIGH,
        "The command holds a control or invisible character ({target}) that can hide what it runs",
        whole_command.hidden_characters,
        matches=("ls # \x1b[2K\x1b[Gls", "echo safe\rrm -rf ~/x", "ls\u202e", "ls\x00 -l"),
        non_matches=("ls\t-l", "ls\nwhoami", "printf '\\e[31mred\\e[0m\\n'", "echo é 中"),
    ),
    # ---- the validator's own limits -------------------------------------------------------
    Rule(
        "parse.error",
        "parse",
        MOD,
        "Could not parse the command completely; it was judged by its words alone",
        whole_command.parse_failed,
        matches=('echo "unterminated', "if then fi ((", "ls )"),
        non_matches=("echo ok", "ls -la | grep x"),
    ),  # fmt: skip
    Rule(
        "parse.too-large",
        "parse",
        HIGH,
        "The command is too large to check completely",
        whole_command.too_large,
    ),
    Rule(
        "parse.long-line",
        "parse",
        HIGH,
        "A line is too long to parse; it was judged by its words alone",
        whole_command.line_too_long,
        matches=("echo " + "x" * 17_000, "A=" + "x" * 17_000 + " ls"),
        non_matches=("echo " + "x" * 1_000, "echo x\n" * 3_000),
    ),  # fmt: skip
    Rule(
        "parse.too-deep",
        "parse",
        HIGH,
        "Commands are nested inside each other too deeply to check",
        whole_command.too_deep,
    ),
)
