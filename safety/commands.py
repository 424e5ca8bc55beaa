"""Facts about commands: which are shells, interpreters, downloaders, and what they write."""

from __future__ import annotations

import re
from collections.abc import Iterator

from safety.facts import Invocation, Word
from safety.options import Options, parse_options

SHELLS: frozenset[str] = frozenset(
    {
        "sh",
        "bash",
        "zsh",
        "dash",
        "ksh",
        "mksh",
        "ash",
        "fish",
        "csh",
        "tcsh",
        "yash",
        "posh",
        "rbash",
        "busybox-sh",
        "pwsh",
        "at",
        "batch",
    }
)
_PY = re.compile(r"^(?:python|pypy)(?:\d+(?:\.\d+)?)?$")
OTHER_INTERPRETERS: frozenset[str] = frozenset(
    {
        "perl",
        "ruby",
        "node",
        "nodejs",
        "php",
        "lua",
        "luajit",
        "Rscript",
        "tclsh",
        "osascript",
        "deno",
        "bun",
        "jshell",
        "irb",
        "awk",
        "gawk",
        "mawk",
        "nawk",
        "expect",
        "wish",
        "guile",
        "racket",
        "scala",
        "groovy",
        "julia",
        "elixir",
        "erl",
        "qjs",
        "gjs",
    }
)
DOWNLOADERS: frozenset[str] = frozenset(
    {
        "curl",
        "wget",
        "fetch",
        "ftp",
        "aria2c",
        "http",
        "https",
        "xh",
        "lwp-download",
        "lwp-request",
        "GET",
        "lynx",
        "w3m",
        "links",
        "wget2",
        "curlie",
        "tftp",
    }
)
NET_CLIENTS: frozenset[str] = frozenset(
    {
        "nc",
        "ncat",
        "netcat",
        "socat",
        "telnet",
        "openssl",
        "cryptcat",
        "pwncat",
        "sbd",
        "gnutls-cli",
    }
)
NET_SENDERS: frozenset[str] = frozenset(
    {
        *DOWNLOADERS,
        *NET_CLIENTS,
        "ping",  # -p PATTERN carries bytes in every packet
        "ping6",
        "hping3",
        "nping",
        "scp",
        "sftp",
        "rsync",
        "ssh",
        "mail",
        "mailx",
        "sendmail",
        "mutt",
        "gh",
        "aws",
        "gsutil",
        "rclone",
        "s3cmd",
        "smbclient",
        "ftp",
        "lftp",
        "ncftpput",
    }
)

# Commands an alias or function should not quietly replace.
CORE_COMMANDS: frozenset[str] = frozenset(
    {
        "rm",
        "ls",
        "cd",
        "cp",
        "mv",
        "cat",
        "echo",
        "sudo",
        "su",
        "doas",
        "ssh",
        "scp",
        "git",
        "grep",
        "find",
        "chmod",
        "chown",
        "kill",
        "ps",
        "which",
        "type",
        "command",
        "builtin",
        "alias",
        "unalias",
        "exit",
        "passwd",
        "curl",
        "wget",
        "python",
        "python3",
        "bash",
        "sh",
        "clear",
        "history",
        "mkdir",
        "touch",
        "less",
        "more",
        "vi",
        "vim",
        "nano",
        "pwd",
        "printf",
        "test",
        "[",
        "true",
        "false",
        "source",
        ".",
        "exec",
        "eval",
        "read",
        "set",
        "export",
        "unset",
        "env",
        "id",
        "whoami",
        "login",
        "apt",
        "apt-get",
        "yum",
        "dnf",
        "brew",
        "pip",
        "npm",
        "docker",
        "kubectl",
        "gpg",
        "ssh-add",
        "ssh-keygen",
        "openssl",
        "mount",
        "umount",
    }
)


def is_python(name: str) -> bool:
    return bool(_PY.match(name))


def is_interpreter(name: str) -> bool:
    return name in OTHER_INTERPRETERS or is_python(name)


def is_shell(name: str) -> bool:
    return name in SHELLS


_SHELL_OPTS: dict[str, object] = {
    "short_arg": "oO",
    "longs": {
        "rcfile": "rcfile",
        "init-file": "rcfile",
        "login": "l",
        "norc": "norc",
        "noprofile": "noprofile",
        "posix": "posix",
        "command": "c",
    },
    "long_arg": ("rcfile",),
}


def shell_options(args: list[Word]) -> Options:
    # `+o opt` / `+O opt` turn options off; treat them like -o so their value is skipped.
    fixed = [Word("-" + w.text[1:], w.span) if w.text in ("+o", "+O") else w for w in args]
    return parse_options(fixed, stop_at_operand=True, **_SHELL_OPTS)  # type: ignore[arg-type]


def shell_command_string(inv: Invocation) -> Word | None:
    """The code of `sh -c CODE` (any flag cluster holding c), else None."""
    if not is_shell(inv.name) or inv.name in ("at", "batch"):
        return None
    opts = shell_options(inv.args)
    if "c" in opts.flags and opts.operands:
        return opts.operands[0]
    return None


_STDIN_FILES = ("/dev/stdin", "/dev/fd/0", "/proc/self/fd/0")


def reads_code_from_stdin(inv: Invocation) -> bool:
    """Would this shell or interpreter execute whatever arrives on its stdin?"""
    name = inv.name
    args = inv.args
    if name in ("at", "batch"):
        texts = [a.text for a in args]
        if "-f" not in texts:
            return True
        after = texts.index("-f") + 1  # `at -f /dev/stdin`: still the job arriving on stdin
        return after < len(texts) and texts[after] in ("-", *_STDIN_FILES)
    if name in ("source", "."):
        return bool(args) and args[0].text in _STDIN_FILES
    if is_shell(name):
        opts = shell_options(args)
        if "c" in opts.flags:
            return False
        return "s" in opts.flags or not opts.operands or opts.operands[0].text == "-"
    if is_python(name):
        opts = parse_options(args, short_arg="WXQ", stop_at_operand=True)
        if opts.has("c", "m"):
            return False
        return not opts.operands or opts.operands[0].text == "-"
    if name in ("perl", "ruby"):
        opts = parse_options(args, short_arg="IMmrxFCd0il", stop_at_operand=True)
        if opts.has("e", "E", "v", "version", "help", "h"):
            return False
        return not opts.operands or opts.operands[0].text == "-"
    if name in ("node", "nodejs", "deno", "bun", "qjs"):
        opts = parse_options(
            args,
            short_arg="r",
            longs={"eval": "e", "print": "p", "require": "r", "version": "v"},
            long_arg=("r",),
            stop_at_operand=True,
        )
        if opts.has("e", "p", "v", "help", "h", "i"):
            return False
        if name in ("deno", "bun"):
            return (
                bool(opts.operands)
                and opts.operands[0].text in ("run", "-")
                and (len(opts.operands) < 2 or opts.operands[-1].text == "-")
            )
        return not opts.operands or opts.operands[0].text == "-"
    if name in ("php",):
        opts = parse_options(args, short_arg="cdfz", stop_at_operand=True)
        if opts.has("r", "f", "v", "m", "i", "l", "a", "S"):
            return False
        return not opts.operands
    if name in ("awk", "gawk", "mawk", "nawk", "Rscript", "osascript", "expect"):
        # awk reads data, not code, from stdin; osascript/expect read scripts.
        return name in ("osascript", "expect") and not args
    if name in OTHER_INTERPRETERS:
        return not [a for a in args if not a.text.startswith("-")]
    return False


def interpreter_code(inv: Invocation) -> Word | None:
    """The inline program of `python -c`, `perl -e`, `ruby -e`, `node -e`, `php -r`."""
    name = inv.name
    args = inv.args
    flag_for: tuple[str, ...] | None = None
    if is_python(name):
        flag_for = ("-c",)
    elif name in ("perl", "ruby"):
        flag_for = ("-e", "-E")
    elif name in ("node", "nodejs", "deno", "bun", "qjs"):
        flag_for = ("-e", "--eval", "-p", "--print", "eval")
    elif name == "php":
        flag_for = ("-r",)
    elif name in ("lua", "luajit", "osascript", "Rscript"):
        flag_for = ("-e",)
    elif name == "julia":
        flag_for = ("-e", "--eval", "-E", "--print")
    elif name in ("awk", "gawk", "mawk", "nawk"):
        return _awk_program(args)
    if not flag_for:
        return None
    for i, word in enumerate(args):
        text = word.text
        for flag in flag_for:
            if text == flag and i + 1 < len(args):
                return args[i + 1]
            # Clustered forms: perl -we 'code', python -Sc 'code', perl -e'code'.
            if flag.startswith("-") and not flag.startswith("--") and text.startswith("-"):
                pos = text.find(flag[1], 1)
                # Only switches without values may share the cluster: -we, -ne, -Sc.
                if (
                    not text.startswith("--")
                    and pos > 0
                    and re.fullmatch(r"[wnpalsTtWSUvBbdEIiOqRuOx]*", text[1:pos])
                    and not (name in ("perl", "ruby") and re.search("[IMmxrl]", text[1:pos]))
                ):
                    tail = text[pos + 1 :]
                    if tail and name in ("perl", "ruby", "python", "lua"):
                        return Word(tail, word.span)
                    if not tail and i + 1 < len(args):
                        return args[i + 1]
    return None


def _awk_program(args: list[Word]) -> Word | None:
    """The program text of `awk [-F fs] [-v var=val] 'PROGRAM' [file...]` (none with -f)."""
    opts = parse_options(
        args,
        short_arg="Fvfe",
        longs={"field-separator": "F", "assign": "v", "file": "f", "source": "e"},
        long_arg=("F", "v", "f", "e"),
        stop_at_operand=True,
    )
    if opts.value("e"):
        return opts.value("e")[0]
    if opts.has("f") or not opts.operands:
        return None
    return opts.operands[0]


# dd and its forensic siblings (dcfldd, dc3dd) write where of= (dc3dd also hof=, ofs=, wipe=) says.
_DD_FAMILY = frozenset({"dd", "dcfldd", "dc3dd"})
_DD_OUTPUTS = frozenset({"of", "hof", "ofs", "hofs", "wipe", "hwipe"})
_URL = re.compile(r"^(?:https?|ftp|tftp|file|s3|gs)://|^[\w.-]+\.[a-z]{2,}/", re.I)


def is_downloader(inv: Invocation) -> bool:
    """Does this invocation fetch content from the network and print it?"""
    name = inv.name
    if name in DOWNLOADERS:
        return True
    if name in ("nc", "ncat", "netcat", "socat", "telnet"):
        return True
    if is_python(name):
        return any("urllib" in a.text or "requests" in a.text for a in inv.args)
    return bool(
        name in ("aws", "gsutil", "gcloud")
        and any(a.text.startswith(("s3://", "gs://")) for a in inv.args)
    )


def write_targets(inv: Invocation) -> Iterator[tuple[Word, str]]:
    """Files this invocation writes: (path word, how) with how in 'truncate'|'append'|'write'."""
    for redirect in inv.redirects:
        if redirect.target is None or not redirect.writes:
            continue
        if redirect.target.text.isdigit() or redirect.target.text == "-":
            continue  # 2>&1 duplicates a descriptor
        how = "append" if redirect.op in (">>", "&>>") else "truncate"
        yield redirect.target, how
    name = inv.name
    args = inv.args
    if name == "tee":
        opts = parse_options(args, longs={"append": "a"})
        for word in opts.operands:
            yield word, "append" if opts.has("a") else "truncate"
    elif name in ("cp", "mv", "install", "ln", "rsync", "ditto"):
        opts = parse_options(
            args,
            short_arg="tSmogTb" if name == "install" else "tSe",
            longs={"target-directory": "t", "suffix": "S"},
            long_arg=("t", "S"),
        )
        # Copying /dev/null over a file empties it.
        how = "truncate" if any(w.text == "/dev/null" for w in opts.operands[:-1]) else "write"
        if opts.value("t"):
            yield opts.value("t")[0], how
        elif len(opts.operands) >= 2 or (name == "ln" and opts.operands):
            yield opts.operands[-1], how
    elif name in _DD_FAMILY:
        # dd empties its output first unless conv=notrunc says otherwise; its forensic
        # siblings take the same operands, and dc3dd's wipe= fills a device with zeros.
        notrunc = any(w.text.startswith("conv=") and "notrunc" in w.text for w in args)
        for word in args:
            key, eq, value = word.text.partition("=")
            if eq and key in _DD_OUTPUTS:
                yield Word(value, word.span), "write" if notrunc else "truncate"
    elif name in ("sed", "gsed", "perl"):
        opts = parse_options(args, short_arg="ef" if name != "perl" else "eEIMm")
        in_place = opts.has("i", "in-place") or any(
            a.text.startswith(("-i", "--in-place", "-pi", "-ni")) for a in args
        )
        if in_place:
            files = opts.operands if opts.value("e", "f", "E") else opts.operands[1:]
            for word in files:
                yield word, "write"
    elif name in ("curl", "wget", "wget2"):
        # A download saved over a file replaces it.
        for i, word in enumerate(args):
            text = word.text
            if text in ("-o", "--output", "-O", "--output-document") and i + 1 < len(args):
                if not (name == "curl" and text == "-O"):
                    yield args[i + 1], "truncate"
            elif text.startswith(("--output=", "--output-document=")):
                yield Word(text.split("=", 1)[1], word.span), "truncate"
    elif name == "truncate":
        opts = parse_options(
            args, short_arg="sr", longs={"size": "s", "reference": "r"}, long_arg=("s", "r")
        )
        for word in opts.operands:
            yield word, "truncate"
    elif name in ("shred", "srm", "wipe"):
        opts = parse_options(
            args, short_arg="nsx", longs={"iterations": "n", "size": "s"}, long_arg=("n", "s")
        )
        for word in opts.operands:
            yield word, "truncate"


RM_LONGS = {
    "recursive": "r",
    "force": "f",
    "dir": "d",
    "interactive": "interactive",
    "verbose": "v",
    "no-preserve-root": "no-preserve-root",
    "preserve-root": "preserve-root",
    "one-file-system": "one-file-system",
}


def rm_options(args: list[Word]) -> Options:
    opts = parse_options(args, longs=RM_LONGS)
    if "R" in opts.flags:
        opts.flags.add("r")
    return opts
