"""Static stand-ins for the text filters used to hide commands: echo, printf, base64, rev, tr.

When every input is known we compute what they would print, so `echo cm0gLXJmIC8= |
base64 -d | sh` is judged by what it really runs.
"""

from __future__ import annotations

import base64
import binascii
import re

from safety.facts import DYN, DYN_SET

MAX_TEXT = 200_000  # never build more than this much emulated output

_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
_ESC_RE = re.compile(
    r"\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)", re.S
)


def decode_escapes(text: str, *, octal_needs_zero: bool = False) -> str:
    """Decode backslash escapes as $'...', echo -e and printf do."""

    def one(m: re.Match[str]) -> str:
        body = m.group(1)
        head = body[0]
        try:
            if head == "x":
                return chr(int(body[1:], 16))
            if head in "uU":
                return chr(int(body[1:], 16))
            if head in "01234567":
                if octal_needs_zero and head != "0":
                    return m.group(0)
                return chr(int(body, 8) & 0xFF)
            if head == "c" and len(body) == 2:
                return chr(ord(body[1].upper()) ^ 0x40)
        except (ValueError, OverflowError):
            return m.group(0)
        return _ESCAPES.get(head, m.group(0))

    return _ESC_RE.sub(one, text)


def _known(*parts: str | None) -> bool:
    return all(p is not None and DYN not in p and DYN_SET not in p for p in parts)


def echo(args: list[str]) -> str:
    newline = True
    escapes = False
    i = 0
    while i < len(args) and re.fullmatch(r"-[neE]+", args[i]):
        newline = newline and "n" not in args[i]
        if "e" in args[i]:
            escapes = True
        if "E" in args[i]:
            escapes = False
        i += 1
    text = " ".join(args[i:])
    if escapes:
        text = decode_escapes(text, octal_needs_zero=True)
    return text + ("\n" if newline else "")


def printf(args: list[str]) -> str:
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        return ""
    fmt, values = args[0], list(args[1:])
    out: list[str] = []
    # Like printf(1): the format is reused while values remain.
    for _ in range(64):
        used = 0

        def conv(m: re.Match[str], values: list[str] = values) -> str:
            nonlocal used
            spec = m.group(1)
            if spec == "%":
                return "%"
            val = values[used] if used < len(values) else ""
            used += 1
            if spec == "b":
                return decode_escapes(val, octal_needs_zero=True)
            if spec == "c":
                return val[:1]
            return val

        chunk = re.sub(r"%[-+ #0-9.]*([sbcdiouxXfgeEG%])", conv, fmt)
        out.append(decode_escapes(chunk))
        values = values[used:]
        if not values or used == 0:
            break
    return "".join(out)


def b64decode(text: str) -> str | None:
    data = "".join(text.split())
    try:
        raw = base64.b64decode(data + "=" * (-len(data) % 4), validate=False)
    except (binascii.Error, ValueError):
        return None
    return raw.decode("utf-8", "replace")


def b64encode(text: str) -> str:
    return base64.b64encode(text.encode("utf-8", "replace")).decode("ascii") + "\n"


def hexdecode(text: str) -> str | None:
    data = re.sub(r"[^0-9a-fA-F]", "", text)
    try:
        return bytes.fromhex(data[: len(data) // 2 * 2]).decode("utf-8", "replace")
    except ValueError:
        return None


def rev(text: str) -> str:
    lines = text.split("\n")
    return "\n".join(line[::-1] for line in lines)


def _expand_set(spec: str) -> str | None:
    spec = decode_escapes(spec)
    classes = {
        "[:lower:]": "abcdefghijklmnopqrstuvwxyz",
        "[:upper:]": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "[:digit:]": "0123456789",
        "[:space:]": " \t\n\r\f\v",
    }
    for name, chars in classes.items():
        spec = spec.replace(name, chars)
    if "[:" in spec or len(spec) > 512:
        return None
    out: list[str] = []
    i = 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-":
            lo, hi = ord(spec[i]), ord(spec[i + 2])
            if hi < lo or hi - lo > 1024:
                return None
            out.extend(chr(c) for c in range(lo, hi + 1))
            i += 3
        else:
            out.append(spec[i])
            i += 1
    return "".join(out)


def tr(args: list[str], text: str) -> str | None:
    flags = [a for a in args if a.startswith("-") and len(a) > 1]
    sets = [a for a in args if not (a.startswith("-") and len(a) > 1)]
    if any(set(f[1:]) - {"d", "s"} for f in flags):
        return None
    if any("d" in f for f in flags) and len(sets) == 1:
        drop = _expand_set(sets[0])
        return None if drop is None else text.translate({ord(c): None for c in drop})
    if len(sets) != 2 or flags:
        return None
    src, dst = _expand_set(sets[0]), _expand_set(sets[1])
    if not src or not dst:
        return None
    dst = dst + dst[-1] * (len(src) - len(dst))
    return text.translate({ord(a): b for a, b in zip(src, dst[: len(src)], strict=True)})


# What `hostname` is taken to print: a stand-in for this machine's name.
THIS_HOST = "this-host"
_HOSTNAME_FLAGS = frozenset({"-s", "--short", "-f", "--fqdn", "--long"})


def emulate(name: str, args: list[str], stdin: str | None) -> tuple[str | None, bool]:
    """What `name args` would print given `stdin`; (None, _) when we cannot tell.

    The flag says the text was decoded (base64, hex, rev, tr): code hidden on purpose.
    """
    if not _known(*args):
        return None, False
    if name == "echo":
        return echo(args), False
    if name == "printf":
        return printf(args), False
    if name in ("true", "false", ":"):
        return "", False  # print nothing: `true | crontab -` installs an empty table
    if (name == "hostname" and set(args) <= _HOSTNAME_FLAGS) or (
        name == "uname" and args == ["-n"]
    ):
        # This machine's own name: unknown, but one harmless label (a stand-in for it), so
        # `nslookup "$(hostname).corp.example"` carries no data out.
        return THIS_HOST + "\n", False
    if stdin is None or not _known(stdin):
        return None, False
    if name == "cat" and all(a == "-" for a in args):
        return stdin, False
    if name in ("base64", "gbase64", "openssl") and (
        {"-d", "--decode", "-D", "--d", "--de", "--dec"} & set(args)
    ):
        return b64decode(stdin), True
    if name == "base64" and not args:
        return b64encode(stdin), False
    if name == "rev" and not args:
        return rev(stdin), True
    if name == "xxd" and "-r" in args and "-p" in args:
        return hexdecode(stdin), True
    if name == "tr":
        out = tr(args, stdin)
        return out, out is not None
    if name in ("tee",) and all(a.startswith("-") for a in args):
        return stdin, False
    return None, False
