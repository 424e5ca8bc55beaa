"""Hand-off: code one command gives another to run is parsed and walked in turn. Shell code in
a word (sh -c, eval, ssh, an alias), code an interpreter runs (python -c, a pipe into bash) and
commands installed to run later (crontab input, a unit, a git hook)."""

from __future__ import annotations

import re

from safety import code as code_reader
from safety import interp, persist
from safety.checks.startup import appended_text
from safety.commands import (
    interpreter_code,
    is_interpreter,
    is_shell,
    reads_code_from_stdin,
    write_targets,
)
from safety.facts import DYN, Invocation, Word
from safety.paths import normalise
from safety.source import Mapper, join_continuations
from safety.walk_state import Ctx, WalkState, fresh


def _shell_word(path: str) -> str:
    """`path` as one shell word; plain paths (`~/Music`, `/var/www`) stay bare so `~` expands."""
    if re.fullmatch(r"[\w@%+=:,./~*-]+", path):
        return path
    return "'" + path.replace("'", "'\\''") + "'"


class Handoff(WalkState):
    """The hand-off part of the walker."""

    def nested(self, text: str, word: Word, ctx: Ctx, via: str) -> None:
        """Parse code handed to another shell; map spans back onto the word that held it."""
        if not text.strip() or DYN in text and not text.replace(DYN, "").strip():
            return
        start, end = word.span
        raw = self.command[start:end]
        if raw == text:
            mapper = Mapper(text, start, None)
        elif len(raw) >= 2 and raw[0] in "'\"" and raw[-1] == raw[0] and raw[1:-1] == text:
            mapper = Mapper(text, start + 1, None)
        else:
            mapper = Mapper(text, None, word.span)
        # Joined after the mapper is chosen: the raw text is what matches the source.
        self.walk_source(join_continuations(text), mapper, fresh(ctx), via)

    def follow_code(self, inv: Invocation, ctx: Ctx) -> None:
        """Shell commands inside the code an interpreter runs, from its arguments or stdin."""
        name = inv.name
        code = interpreter_code(inv)
        if code is not None:
            for snippet in interp.shell_snippets(code.text):
                self.nested(snippet, code, ctx, name + " code")
            for kind, command in code_reader.effects(name, code.text):
                if kind == "shell":  # a command the code builds: 'rm -rf ' + home
                    self.nested(command, code, ctx, name + " code")
                elif kind == "delete-tree" and command != "?":
                    # shutil.rmtree(PATH) is `rm -rf PATH`: the deletion rules judge the place.
                    self.nested("rm -rf -- " + _shell_word(command), code, ctx, name + " code")
        if inv.stdin_text is not None and reads_code_from_stdin(inv):
            if is_shell(name):
                self.nested(inv.stdin_text, Word(inv.stdin_text, inv.span), ctx, name + " stdin")
            elif is_interpreter(name):
                for snippet in interp.shell_snippets(inv.stdin_text):
                    self.nested(snippet, Word(snippet, inv.span), ctx, name + " stdin")
                for kind, command in code_reader.effects(name, inv.stdin_text):
                    if kind == "shell":
                        self.nested(command, Word(command, inv.span), ctx, name + " stdin")

    def follow_installed(self, inv: Invocation, ctx: Ctx) -> None:
        """Judge what a command installs to run later: crontab input, a unit, a git hook."""
        name = inv.name
        if name == "crontab" and inv.stdin_text is not None:
            texts = [w.text for w in inv.args]
            # `crontab -u root -`: the user named after -u is no file operand.
            kept = [t for i, t in enumerate(texts) if i == 0 or texts[i - 1] != "-u"]
            operands = [t for t in kept if not t.startswith("-") or t == "-"]
            if not operands or operands[0] == "-":
                for command in persist.cron_commands(inv.stdin_text):
                    self.nested(command, Word(command, inv.span), ctx, "crontab")
            return
        if name not in ("echo", "printf", "cat", "tee"):
            return
        targets = [normalise(w.text, inv.cwd) for w, _how in write_targets(inv)]
        later = [t for t in targets if persist.runs_later(t)]
        text = appended_text(inv) if later else None
        if text is None:
            return
        for path in later:
            for command in persist.file_commands(path, text):
                self.nested(command, Word(command, inv.span), ctx, "installed")
