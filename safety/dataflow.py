"""Data flow: what a command prints, what flows down a pipe or in from a redirect, and what a
variable, a `read` or a `cd` carries to the commands after it."""

from __future__ import annotations

from safety.commands import is_downloader
from safety.exfil import secret_content
from safety.facts import DYN, DYN_SET, SECRET_VAR, UNKNOWN_VAR, Invocation, Redirect
from safety.paths import is_secret, normalise
from safety.textops import MAX_TEXT, emulate
from safety.walk_state import Flow, Val
from safety.wrappers import find_is_selective, find_start_paths

# Filters that pick one value out of what they read (`grep KEY .env | cut -d= -f2`).
PICKERS = frozenset({"grep", "egrep", "fgrep", "rg", "cut", "awk", "gawk", "sed", "jq", "yq"})
# Commands whose output is (a filtered part of) a file's content.
_FILE_READERS = frozenset(
    {"cat", "head", "tail", "tac", "sort", "uniq", "cut", "awk", "gawk", "grep", "egrep",
     "sed", "jq", "yq", "tr", "paste", "column", "shuf", "readlink"}
)  # fmt: skip


def output(inv: Invocation) -> Flow:
    """What `inv` prints, as far as we can tell: its text, the paths it lists, its taint."""
    name = inv.name
    args = [w.text for w in inv.args]
    text, decoded = emulate(name, args, inv.stdin_text)
    if text is not None and len(text) > MAX_TEXT:
        text = None
    secret = secret_content(inv)
    picked = (secret or inv.stdin_secret) and name in PICKERS
    paths: list[str] | None = None
    if name == "find":
        starts = [w.text for w in find_start_paths(inv.args)] or ["."]
        selective = find_is_selective(inv.args)
        # Unfiltered, find lists the start and everything below it: `start/*` says so.
        paths = [s.rstrip("/") + "/" + (DYN_SET if selective else "*") for s in starts]
        texts = [w.text for w in inv.args]
        # `find ~ -name '*.pem'`: the paths it lists are credentials.
        secret = secret or any(
            texts[i - 1] in ("-name", "-iname", "-path", "-wholename") and is_secret(t)
            for i, t in enumerate(texts)
            if i > 0
        )
    elif name == "pwd" and not args:
        text = (inv.cwd or ".") + "\n"
    elif name == "ls":
        operands = [a for a in args if not a.startswith("-")]
        paths = [o.rstrip("/") + "/*" for o in operands] or ["*"]
    download = is_downloader(inv)
    return Flow(
        text=text,
        download=download,
        decoded=decoded,
        secret=secret or picked,
        paths=paths,
        picked=picked,
        unread=text is None and paths is None and (download or name in _FILE_READERS),
    )


def piped(upstream: Flow, out: Flow) -> Flow:
    """What the next stage of a pipe reads: this stage's output, with the network and secret
    taint of every stage before it, whatever filters sit between."""
    return Flow(
        text=out.text,
        download=upstream.download or out.download,
        decoded=upstream.decoded or out.decoded,
        secret=upstream.secret or out.secret,
        paths=out.paths,
        picked=out.picked,
    )


def redirected_stdin(
    redirects: list[Redirect], stdin: Flow | None, kind: str | None
) -> tuple[Flow | None, str | None]:
    """A command's stdin and its kind once its own redirects apply (the last one wins)."""
    for r in redirects:
        if r.op == "<<<" and r.target is not None:
            secret = r.target.subst_secret
            stdin, kind = Flow(text=r.target.text + "\n", secret=secret), "herestring"
        elif r.op == "<" and r.target is not None and r.fd in (None, "0"):
            stdin = Flow(secret=is_secret(r.target.text), download=r.target.subst_download)
            kind = "file"
    return stdin, kind


def reads_secret_file(redirects: list[Redirect]) -> Flow:
    """A command-less `< file` (`$(< file)`) prints the file, like cat."""
    return Flow(
        secret=any(
            r.op == "<" and r.target is not None and is_secret(r.target.text) for r in redirects
        )
    )


def assign(env: dict[str, str], name: str, val: Val) -> None:
    """`name=value`: the value, and whether it is unknown or holds a credential, flow on."""
    base = name.split("[", 1)[0]
    env[base] = val.text
    if val.unknown:
        env[UNKNOWN_VAR + base] = "1"
    else:
        env.pop(UNKNOWN_VAR + base, None)
    if val.secret:
        env[SECRET_VAR + base] = "picked" if val.picked else "whole"
    else:
        env.pop(SECRET_VAR + base, None)


def read_into(env: dict[str, str], inv: Invocation) -> None:
    """`read`/`mapfile` set their variables to a line of input: anything, and a credential
    when a credential is what they read."""
    if inv.name not in ("read", "mapfile", "readarray"):
        return
    names = [w.text for w in inv.args if not w.text.startswith("-") and w.text.isidentifier()]
    for name in names:
        env[name] = DYN_SET
        env[UNKNOWN_VAR + name] = "1"
    if inv.name == "read" and inv.stdin_secret:
        for name in names:
            env[SECRET_VAR + name] = "whole"


def changed_directory(inv: Invocation, cwd: str | None) -> str | None:
    """The working directory after `cd` (None where it cannot be known)."""
    operands = [w for w in inv.args if not w.text.startswith("-") or w.text == "-"]
    if not operands:
        return "~"
    target = operands[0].text
    if target == "-" or DYN in target or DYN_SET in target:
        return None
    if target.startswith(("/", "~")):
        return normalise(target)
    if cwd is not None:
        return normalise(target, cwd)
    if target.startswith(".."):
        return None
    return cwd
