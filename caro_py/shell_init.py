"""`caro init bash|zsh|fish`: the shell snippet that binds the hotkey, and the widget's contract.

The snippets are data files (caro_py/shell/caro.SHELL). The widget runs
`caro --widget -p LINE` and reads stdout: exactly one `RISK<TAB>COMMAND` line on exit 0;
on any other exit the line is left as it was (caro said why on stderr). They need no jq:
splitting at the first tab is a shell builtin in all three.
"""

from __future__ import annotations

SHELLS: tuple[str, ...] = ("bash", "zsh", "fish")
# Alt-j: unbound by default in readline (emacs and vi-insert), zle (emacs, viins) and fish
# (default and vi insert); see the README for how that was checked.
DEFAULT_KEY = "Alt-j"


def is_init(words: tuple[str, ...]) -> bool:
    """`caro init SHELL`: exactly two words, the second a shell caro knows."""
    return len(words) == 2 and words[0] == "init" and words[1] in SHELLS


def snippet(shell: str) -> str:
    """The integration snippet for `shell` (one of SHELLS)."""
    from importlib.resources import files

    return files("caro_py").joinpath("shell").joinpath(f"caro.{shell}").read_text(encoding="utf-8")


def widget_line(risk: str, command: str) -> str:
    """What `caro --widget` prints on stdout: RISK, a tab, the command (as is), a newline."""
    return f"{risk}\t{command}\n"
