"""What the walk extracts from a command: words, redirects, simple-command invocations and
the whole result the checks read (`Walk`). Checks read these, never write them: a Walk and its
invocations are frozen; words and redirects are plain value records (built by the thousand,
so they skip the frozen constructor's cost) that nothing changes once built."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

# Stand-ins for values only known at run time. DYN may expand to nothing (the classic
# `rm -rf "$DIR/"` hazard); DYN_SET is guaranteed non-empty (`${DIR:?}`).
DYN = "\ue000"
DYN_SET = "\ue001"
PATH_MARK = "\ue002"  # what $PATH expands to, so rules can see a PATH that keeps the old one
# Prefix of the env keys that mark a variable holding a credential (`K=$(cat ~/.ssh/id_rsa)`).
SECRET_VAR = "\ue003"
# Prefix of the env keys that mark a variable whose value nobody can work out before it runs:
# a line read from input, a function or script argument.
UNKNOWN_VAR = "\ue004"
DYNAMIC_CHARS = frozenset((DYN, DYN_SET))

Span = tuple[int, int]


@dataclass
class Word:
    text: str  # the value after quote removal and the expansions we could resolve
    span: Span  # where it stands in the assessed command (character offsets)
    from_subst: bool = False  # produced by $(...) / `...`
    subst_download: bool = False  # a command substitution inside it fetches from the network
    subst_secret: bool = False  # a command substitution inside it reads a credential file
    subst_picked: bool = False  # ...but only a value picked out of it (grep KEY .env | cut)
    unknown: bool = False  # holds a value read from input or passed in as an argument

    @property
    def dynamic(self) -> bool:
        return DYN in self.text or DYN_SET in self.text


@dataclass
class Redirect:
    op: str  # '>', '>>', '<', '&>', '>&', '<>', '>|', '<<', '<<<', ...
    fd: str | None
    target: Word | None
    span: Span

    @property
    def writes(self) -> bool:
        return ">" in self.op and self.op not in ("<<", "<<<", "<<-")

    @property
    def truncates(self) -> bool:
        return self.op in (">", ">|", "&>", ">&", "<>")


@dataclass(frozen=True)
class Invocation:
    """One simple command as it would run, after unwrapping sudo/env/sh -c and friends."""

    argv: list[Word]
    span: Span
    redirects: list[Redirect] = field(default_factory=list)
    assigns: list[tuple[str, Word]] = field(default_factory=list)  # NAME=value prefixes
    pipe: int | None = None  # pipeline id, shared by the stages of one pipeline
    stage: int = 0  # position within that pipeline
    stdin_kind: str | None = None  # 'pipe' | 'heredoc' | 'herestring' | 'file'
    stdin_text: str | None = None  # static text arriving on stdin, when we can see it
    stdin_download: bool = False  # something upstream in the pipe fetches from the network
    stdin_decoded: bool = False  # stdin passed through base64 -d / rev / xxd -r / tr
    stdin_secret: bool = False  # something upstream reads a secret file
    stdin_paths: list[str] | None = None  # paths listed upstream (find / ls), for xargs
    pipe_size: int = 1  # number of stages in its pipeline
    via: tuple[str, ...] = ()  # wrappers it sits inside: ('sudo',), ('sh -c',), ...
    background: bool = False
    in_infinite_loop: bool = False
    function: str | None = None  # the function whose body this is in
    cwd: str | None = None  # directory set by an earlier `cd` in the same command
    extra_args: bool = False  # xargs / find -exec append arguments at run time
    selective: bool = False  # came from find -exec with name/size/time filters

    # argv is final once the walker has built the record, so these are computed once.
    @cached_property
    def name(self) -> str:
        if not self.argv:
            return ""
        text = self.argv[0].text
        return text.rsplit("/", 1)[-1] if "/" in text and not text.endswith("/") else text

    @cached_property
    def args(self) -> list[Word]:
        return self.argv[1:]


@dataclass(frozen=True)
class FunctionDef:
    name: str
    span: Span
    self_calls: int = 0  # calls of itself inside its own body
    self_piped: bool = False  # ...one of them in a pipeline
    self_background: bool = False  # ...one of them in the background or an endless loop


@dataclass(frozen=True)
class Walk:
    """Everything the walk found in one command: what the checks and rules read."""

    command: str  # the text walked (backslash-newlines joined; same length as sanitised)
    original: str  # the command as given, before sanitising
    invocations: tuple[Invocation, ...]
    functions: tuple[FunctionDef, ...]
    parse_errors: tuple[Span, ...]
    long_lines: tuple[Span, ...]  # lines too long to parse, judged by their words
    too_deep: tuple[Span, ...]  # nesting followed no further
    truncated: bool  # part of the command was judged by nothing
    grammar_missing: bool
