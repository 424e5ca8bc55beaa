"""Walk a bash command and list every simple command as it would run.

Every command is found wherever it stands (lists, pipelines, subshells, substitutions,
functions, loops, here-docs), wrappers are unwrapped (sudo, env, xargs, find -exec), and
code handed to another shell (sh -c, eval, ssh, a pipe into bash) is parsed again. What the
grammar cannot read is judged by its words. The result is a frozen `Walk` the checks read.

The walker has one part per job: traversal (statements), redirection (pipes and redirects),
evaluation (words), recording (invocations and wrappers) and hand-off (code run by another
shell or interpreter); data flow between commands is in safety.dataflow.
"""

from __future__ import annotations

from safety.evaluation import Evaluation
from safety.facts import Walk
from safety.handoff import Handoff
from safety.recording import Recording
from safety.redirection import Redirection
from safety.source import Mapper, join_continuations
from safety.traversal import Traversal
from safety.walk_state import top_ctx

SCAN_LIMIT = 200_000  # characters the word scan reads of an unparseable command


class Walker(Traversal, Redirection, Evaluation, Recording, Handoff):
    """The parts assembled: each calls the others through the names WalkState declares."""


def walk(command: str, original: str | None = None, *, words_only: bool = False) -> Walk:
    """Walk `command` (sanitised; `original` is the text as given, for hidden characters).

    Where the grammar fails somewhere, or `words_only` is asked (a shell whose syntax the
    grammar does not read), the whole text is also judged by its words, so breakage hides
    nothing. Never raises on nesting too deep for Python: the walk says it was too deep.
    """
    # Joined where a backslash-newline splits a word; same length, so spans stay put.
    text = join_continuations(command)
    walker = Walker(text, command if original is None else original)
    try:
        walker.walk_source(text, Mapper(text, 0, None), top_ctx())
    except RecursionError:
        walker.too_deep.append((0, len(command)))
        walker.parse_errors.append((0, len(command)))
    if walker.parse_errors or words_only:
        try:
            walker.scan_words(text, Mapper(text, 0, None), top_ctx(), SCAN_LIMIT)
        except RecursionError:
            walker.too_deep.append((0, len(text)))
        if len(text) > SCAN_LIMIT:
            walker.truncated = True  # the tail is judged by nothing: say so
    return walker.result()
