"""A file downloaded in one step and run in a later one (`curl -o f URL && sh f`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from safety import code as code_reader
from safety.checks.base import Hit, _hit, _program
from safety.commands import interpreter_code, is_interpreter, is_shell
from safety.facts import Invocation, Word
from safety.paths import normalise

if TYPE_CHECKING:
    from safety.facts import Walk

_URL = re.compile(r"^(?:https?|ftp)://[^/\s]+(?:/[^?#\s]*)?", re.I)
# name: (options naming the output file, options naming the output folder)
_OUTPUT: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "curl": (("-o", "--output"), ("--output-dir",)),
    "wget": (("-O", "--output-document"), ("-P", "--directory-prefix")),
    "wget2": (("-O", "--output-document"), ("-P", "--directory-prefix")),
    "aria2c": (("-o", "--out"), ("-d", "--dir")),
    "fetch": (("-o", "--output"), ()),
    "axel": (("-o", "--output"), ()),
    "http": (("-o", "--output"), ()),
    "xh": (("-o", "--output"), ()),
}
_INSTALLERS: dict[str, frozenset[str]] = {
    "dpkg": frozenset({"-i", "--install"}),
    "rpm": frozenset({"-i", "-U", "-ivh", "-Uvh", "--install", "--upgrade"}),
    "apt": frozenset({"install"}),
    "apt-get": frozenset({"install"}),
    "dnf": frozenset({"install"}),
    "yum": frozenset({"install", "localinstall"}),
    "zypper": frozenset({"install", "in"}),
    "installer": frozenset({"-pkg"}),
    "snap": frozenset({"install"}),
}
_SHORT_CLUSTER = re.compile(r"^-[a-zA-Z]*$")


def _value(args: list[Word], names: tuple[str, ...]) -> str | None:
    """The value of the last option among `names`: `-o F`, `-fsSLo F`, `--output=F`, `-oF`."""
    found: str | None = None
    for i, word in enumerate(args):
        text = word.text
        for name in names:
            if name.startswith("--"):
                if text == name and i + 1 < len(args):
                    found = args[i + 1].text
                elif text.startswith(name + "="):
                    found = text[len(name) + 1 :]
            elif _SHORT_CLUSTER.match(text) and text.endswith(name[1]) and i + 1 < len(args):
                found = args[i + 1].text
            elif text.startswith(name) and len(text) > 2 and not text.startswith("--"):
                found = text[2:]
    return found


def _remote_name(inv: Invocation) -> bool:
    """Saved under the URL's own file name: wget by default, curl -O / --remote-name."""
    if inv.name in ("wget", "wget2"):
        return True
    return inv.name == "curl" and any(
        a.text == "--remote-name" or re.fullmatch(r"-[a-zA-Z]*O[a-zA-Z]*", a.text) for a in inv.args
    )


def downloaded_files(inv: Invocation) -> list[str]:
    """Where this invocation saves what it downloads (normalised), as far as we can tell."""
    spec = _OUTPUT.get(inv.name)
    if spec is None:
        received = _received_files(inv)
        if received:
            return received
        code = interpreter_code(inv)  # python -c "urlretrieve(url, '/tmp/p')"
        if code is None:
            return []
        effects = code_reader.effects(inv.name, code.text)
        return [normalise(path, inv.cwd) for kind, path in effects if kind == "saved"]
    args = list(inv.args)
    urls = [w.text for w in args if _URL.match(w.text)]
    out: list[str] = []
    target = _value(args, spec[0])
    folder = _value(args, spec[1]) if spec[1] else None
    if target in ("-", "/dev/stdout"):
        target = None
    elif target is None and urls and _remote_name(inv):
        target = urls[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or None
    if target:
        path = target if folder is None or target.startswith("/") else f"{folder}/{target}"
        out.append(normalise(path.removeprefix("./"), inv.cwd))
    for r in inv.redirects:
        if r.writes and r.target is not None and r.fd in (None, "1"):
            out.append(normalise(r.target.text.removeprefix("./"), inv.cwd))
    return out


# Raw network clients: what they write to stdout came from the other end.
_RECEIVERS = frozenset({"nc", "ncat", "netcat", "socat", "telnet", "openssl"})
_COPIERS = frozenset({"scp", "rsync", "sftp"})


def _received_files(inv: Invocation) -> list[str]:
    """Files written with what came over the network: a download decoded on its way into a
    file (`curl URL | base64 -d > f`), a raw client's output, a remote copy, a tftp get."""
    out: list[str] = []
    if inv.stdin_download or inv.name in _RECEIVERS:
        for r in inv.redirects:
            if r.writes and r.target is not None and r.fd in (None, "1"):
                out.append(normalise(r.target.text.removeprefix("./"), inv.cwd))
    operands = [w.text for w in inv.args if not w.text.startswith("-")]
    if inv.name in _COPIERS and len(operands) >= 2 and _REMOTE.match(operands[0]):
        dest = operands[-1]
        if dest in (".", "./") or dest.endswith("/"):
            dest = dest.rstrip("/") + "/" + operands[0].rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        out.append(normalise(dest.removeprefix("./"), inv.cwd))
    texts = [w.text for w in inv.args]
    if inv.name == "tftp" and "-c" in texts:
        rest = texts[texts.index("-c") + 1 :]
        if len(rest) >= 2 and rest[0] == "get":
            out.append(normalise(rest[-1].removeprefix("./"), inv.cwd))
    return out


_REMOTE = re.compile(r"^(?:[\w.-]+@)?[\w.-]+:(?!//)\S")


def _runs(inv: Invocation) -> Word | None:
    """The file this invocation runs as a program or script, if any."""
    if not inv.argv:
        return None
    first = inv.argv[0]
    if "/" in first.text:
        return first
    texts = [w.text for w in inv.args]
    if inv.name in _INSTALLERS and set(texts) & _INSTALLERS[inv.name]:
        # `dpkg -i FILE`, `rpm -i FILE`, `apt install ./FILE`: package scripts run as root.
        operands = [w for w in inv.args if not w.text.startswith("-") and w.text != "install"]
        return operands[0] if operands else None
    if is_shell(inv.name) or is_interpreter(inv.name) or inv.name in ("source", "."):
        operands = [w for w in inv.args if not w.text.startswith("-")]
        if operands and not any(w.text in ("-c", "-e", "-m") for w in inv.args):
            return operands[0]
    return None


# Folders on the usual PATH: a file saved there runs by its bare name.
_PATH_DIRS = ("~/.local/bin", "~/bin", "/usr/local/bin", "/usr/local/sbin", "/usr/bin",
              "/opt/homebrew/bin", "/usr/sbin")  # fmt: skip
_ARCHIVERS = frozenset({"tar", "bsdtar", "gtar", "unzip"})


def _unpacked_into(inv: Invocation, saved: set[str]) -> str | None:
    """The folder a downloaded archive is unpacked into with -C/-d (an explicit one only)."""
    if inv.name not in _ARCHIVERS:
        return None
    texts = [w.text for w in inv.args]
    fed = inv.stdin_download or any(
        normalise(t.removeprefix("./"), inv.cwd) in saved for t in texts
    )
    if not fed:
        return None
    for i, text in enumerate(texts[:-1]):
        if text in ("-C", "--directory", "-d"):
            return normalise(texts[i + 1], inv.cwd).rstrip("/")
    return None


def _is_saved(word: Word, inv: Invocation, saved: set[str], trees: set[str]) -> bool:
    path = normalise(word.text.removeprefix("./"), inv.cwd)
    if path in saved or any(path.startswith(t + "/") for t in trees):
        return True
    if "/" in word.text:
        return False
    return any(f"{d}/{word.text}" in saved for d in _PATH_DIRS)


@_program
def runs_downloaded_file(walker: Walk) -> Iterator[Hit]:
    saved: set[str] = set()
    trees: set[str] = set()  # folders a download was unpacked into
    for inv in walker.invocations:
        if saved or trees:
            ran = _runs(inv)
            if ran is None and inv.argv and "/" not in inv.argv[0].text:
                ran = inv.argv[0]  # a bare name: it may be a download saved on the PATH
            if ran is not None and _is_saved(ran, inv, saved, trees):
                yield _hit(ran)
        saved.update(downloaded_files(inv))
        tree = _unpacked_into(inv, saved)
        if tree:
            trees.add(tree)
