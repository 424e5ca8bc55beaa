"""Commands that run other commands: sudo, env, xargs, find -exec, sh -c, eval, ssh, watch..."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from safety.commands import shell_command_string
from safety.facts import DYN_SET, Invocation, Word
from safety.launchers import launched_code, launchers
from safety.options import Options, parse_options
from safety.paths import is_secret
from safety.wrapper_table import wrapper_specs


@dataclass
class Inner:
    """What a wrapper runs: an argument vector, or shell source to parse again."""

    wrapper: str
    argv: list[Word] | None = None
    source: Word | None = None  # shell code held in one word (sh -c CODE)
    source_words: list[Word] = field(default_factory=list)  # code joined from words (eval, ssh)
    assigns: list[tuple[str, Word]] = field(default_factory=list)
    extra_args: bool = False
    placeholder: str | None = None  # xargs -I TOKEN
    selective: bool = False


def leading_assignments(words: list[Word]) -> tuple[list[tuple[str, Word]], list[Word]]:
    assigns: list[tuple[str, Word]] = []
    i = 0
    while i < len(words):
        name, eq, value = words[i].text.partition("=")
        if eq and name and name.replace("_", "a").isalnum() and not name[0].isdigit():
            assigns.append((name, Word(value, words[i].span)))
            i += 1
        else:
            break
    return assigns, words[i:]


# Words that only run the next ones (for skipping a wrapper chain too deep to unwrap).
CHAIN_WORDS = frozenset({"env", "timeout", "xargs", "watch", "eval"})


def _options(name: str, args: Sequence[Word]) -> Options:
    """`args` read with the options of wrapper `name` in the table, POSIX-style (stop at the
    first operand)."""
    spec = wrapper_specs()[name]
    return parse_options(
        args,
        # An optional value is attached or absent: `xargs -i rm {}` runs rm.
        short_arg=spec.short,
        short_optional=spec.optional,
        longs=spec.long,
        long_arg=spec.long_value,
        long_optional=spec.long_optional,
        stop_at_operand=True,
    )


def _runs_nothing(name: str, opts: Options) -> bool:
    """Was an option that makes wrapper `name` run no command (`command -v`) given among its
    own options? Past the command word, `-v` is the command's own (`command rm -rf -v /`)."""
    spec = wrapper_specs()[name]
    names = {o.lstrip("-") for o in spec.self_options}
    return opts.has(*{spec.long.get(n, n) for n in names})


# Wrappers whose options the table says all about; CHAIN_WORDS need code besides.
SIMPLE_WRAPPERS = frozenset(wrapper_specs()) - CHAIN_WORDS
WRAPPER_NAMES = CHAIN_WORDS | SIMPLE_WRAPPERS


_SSH_LOCAL_COMMAND = re.compile(
    r"\s*(?:proxycommand|localcommand)\s*(?:=|\s)\s*(\S.*)", re.I | re.S
)


def unwrap(inv: Invocation) -> Inner | None:
    """If `inv` runs another command, say what; None for ordinary commands."""
    name = inv.name
    args = inv.args
    if name in SIMPLE_WRAPPERS:
        opts = _options(name, args)
        if name == "command" and _runs_nothing(name, opts):
            return None  # `command -v rm` only looks the name up
        rest = list(opts.rest)
        if name == "sudo":
            if opts.has("e", "l", "v", "k", "K", "V", "h") and not rest:
                return None
            if opts.has("i", "s") and not rest:
                # `sudo -i` / `sudo -s` alone: a root shell, reading commands from stdin.
                return Inner("sudo", argv=[Word("sh", inv.argv[0].span)])
            if opts.has("e"):
                # `sudo -e FILE` is sudoedit: the operands are files to edit, not a command.
                return Inner("sudo", argv=[Word("sudoedit", rest[0].span), *rest])
            assigns, rest = leading_assignments(rest)
            return Inner("sudo", argv=rest, assigns=assigns) if rest else None
        if name == "nice" and rest and rest[0].text.lstrip("-").isdigit():
            rest = rest[1:]
        if name == "runuser":
            # -c may follow the user operand (`runuser -l root -c CMD`), past where options stop.
            for i, word in enumerate(args[:-1]):
                if word.text in ("-c", "--command"):
                    return Inner(name, source=args[i + 1])
        if name == "systemd-run":
            return Inner(name, argv=rest) if rest else None
        return Inner(name, argv=rest) if rest else None
    if name == "env":
        opts = _options("env", args)
        split = opts.value("S")
        rest = list(opts.rest)
        if split:
            words = [Word(t, split[0].span) for t in split[0].text.split()]
            rest = words + rest
        assigns, rest = leading_assignments(rest)
        if not rest and not assigns:
            return None
        return Inner("env", argv=rest, assigns=assigns)
    if name in ("timeout", "gtimeout"):
        opts = _options("timeout", args)
        rest = list(opts.rest)
        skip = wrapper_specs()["timeout"].operands  # the DURATION
        return Inner("timeout", argv=rest[skip:]) if len(rest) > skip else None
    if name in ("taskset", "chroot", "flock", "sg", "chrt", "numactl", "prlimit", "cgexec"):
        return _unwrap_positional(inv)
    if name in ("su", "script"):
        for i, word in enumerate(args):
            if word.text in ("-c", "--command") and i + 1 < len(args):
                return Inner(name, source=args[i + 1])
            if word.text.startswith("--command="):
                return Inner(name, source=Word(word.text[len("--command=") :], word.span))
            if (
                (
                    word.text.startswith("-")
                    and not word.text.startswith("--")
                    and word.text.endswith("c")
                )
                and i + 1 < len(args)
                and name == "script"
            ):
                return Inner(name, source=args[i + 1])
        if name == "su":
            # No -c: su starts the user's shell, which reads commands from stdin.
            return Inner("su", argv=[Word("sh", inv.argv[0].span)])
        return None
    if name == "eval" or name == "trap":
        words = args[:1] if name == "trap" else list(args)
        if name == "trap" and words and words[0].text in ("-l", "-p", "--", "-"):
            return None
        return Inner(name, source_words=words) if words else None
    if name == "watch":
        opts = _options("watch", args)
        rest = list(opts.rest)
        if not rest:
            return None
        if opts.has("x"):
            return Inner("watch", argv=rest)
        return Inner("watch", source_words=rest)
    if name in ("ssh", "autossh"):
        opts = parse_options(args, short_arg="bcDEeFIiJLlmOopQRSWwBM", stop_at_operand=True)
        rest = list(opts.rest)
        for option in opts.value("o"):
            # -o ProxyCommand=... / LocalCommand=... run on this machine, through a shell.
            local = _SSH_LOCAL_COMMAND.match(option.text)
            if local:
                return Inner("ssh", source=Word(local.group(1), option.span))
        if len(rest) == 1 and inv.stdin_text is not None:
            # `ssh host <<EOF ... EOF`: the remote shell runs what arrives on stdin.
            return Inner("ssh", source=Word(inv.stdin_text, inv.span))
        if len(rest) >= 2 and rest[1].text == "--":
            rest = [rest[0], *rest[2:]]
        if len(rest) < 2:
            return None
        return Inner("ssh", source_words=rest[1:])
    if name == "xargs":
        return _unwrap_xargs(inv)
    if name == "find":
        return _unwrap_find_exec(inv)
    if name in ("parallel",):
        opts = parse_options(args, short_arg="jSI", stop_at_operand=True)
        rest = list(opts.rest)
        cut = next((i for i, w in enumerate(rest) if w.text in (":::", "::::")), len(rest))
        return Inner(name, argv=rest[:cut], extra_args=True) if cut else None
    if name in _CONTAINER_EXEC:
        return _unwrap_container_exec(inv)
    if name in launchers():
        source, words = launched_code(inv)
        if source is not None:
            return Inner(name, source=source)
        if words:
            return Inner(name, source_words=words)
        return None
    shell_code = shell_command_string(inv)
    if shell_code is not None:
        return Inner(name + " -c", source=shell_code)
    return None


_CONTAINER_EXEC = frozenset(
    {"docker", "podman", "nerdctl", "docker-compose", "kubectl", "oc", "k", "microk8s.kubectl"}
)
# Options of `docker exec` / `kubectl exec` that take a value.
_EXEC_VALUE_OPTIONS = frozenset(
    {"-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file", "--detach-keys", "-c",
     "--container", "-n", "--namespace", "--context", "--kubeconfig", "--pod-running-timeout",
     "--index", "-f", "--filename", "--project-name", "-p"}
)  # fmt: skip


def _unwrap_container_exec(inv: Invocation) -> Inner | None:
    """`docker exec CONTAINER CMD`, `kubectl exec POD -- CMD`: judge CMD as if run here."""
    texts = [w.text for w in inv.args]
    if "exec" not in texts[:4]:
        return None
    at = texts.index("exec") + 1
    rest = inv.args[at:]
    if inv.name in ("kubectl", "oc", "k", "microk8s.kubectl"):
        cut = next((i for i, w in enumerate(rest) if w.text == "--"), None)
        return Inner(inv.name + " exec", argv=rest[cut + 1 :]) if cut is not None else None
    i = 0
    while i < len(rest) and rest[i].text.startswith("-"):
        i += 2 if rest[i].text in _EXEC_VALUE_OPTIONS else 1
    command = rest[i + 1 :]  # past the container name
    return Inner(inv.name + " exec", argv=command) if command else None


def _unwrap_positional(inv: Invocation) -> Inner | None:
    name = inv.name
    args = inv.args
    skip = {
        "taskset": 1,
        "chroot": 1,
        "flock": 1,
        "sg": 1,
        "chrt": 1,
        "numactl": 0,
        "prlimit": 0,
        "cgexec": 0,
    }[name]
    short_arg = {"numactl": "CNmpi", "cgexec": "g", "flock": "wEc", "taskset": "", "chrt": ""}
    opts = parse_options(args, short_arg=short_arg.get(name, ""), stop_at_operand=True)
    if name in ("flock", "sg") and (opts.value("c") or "c" in opts.flags):
        code = opts.value("c") or (opts.rest[1:2] if name == "sg" else [])
        if code:
            return Inner(name, source=code[0])
    if name == "taskset" and "p" in opts.flags:
        return None
    rest = opts.rest[skip:]
    return Inner(name, argv=rest) if rest else None


def _unwrap_xargs(inv: Invocation) -> Inner:
    opts = _options("xargs", inv.args)
    rest = list(opts.rest) or [Word("echo", inv.span)]
    # -I TOKEN, -iTOKEN, --replace=TOKEN; -i and --replace alone mean -I {}.
    replace = opts.value("I", "i")
    token = replace[0].text if replace else "{}" if opts.has("I", "i") else ""
    if token:
        # Each input line is put where TOKEN stands (the walker fills it in).
        return Inner("xargs", argv=rest, placeholder=token)
    return Inner("xargs", argv=rest, extra_args=True)


_FIND_FILTERS = frozenset(
    {
        "-name",
        "-iname",
        "-path",
        "-ipath",
        "-wholename",
        "-iwholename",
        "-regex",
        "-iregex",
        "-newer",
        "-mtime",
        "-mmin",
        "-atime",
        "-amin",
        "-ctime",
        "-cmin",
        "-size",
        "-user",
        "-group",
        "-uid",
        "-gid",
        "-perm",
        "-empty",
        "-inum",
        "-links",
        "-samefile",
        "-nouser",
        "-nogroup",
        "-lname",
        "-ilname",
        "-newermt",
        "-newerct",
        "-used",
        "-fstype",
        "-context",
    }
)


def find_start_paths(args: list[Word]) -> list[Word]:
    starts: list[Word] = []
    for word in args:
        text = word.text
        if text.startswith(("-", "(", "!", ")")) and text not in ("-",):
            break
        if text in ("-H", "-L", "-P"):
            continue
        starts.append(word)
    return starts


def find_is_selective(args: list[Word]) -> bool:
    """Does find pick some files only? `-name '*'` picks them all, so it does not count."""
    for i, w in enumerate(args):
        if w.text in _FIND_FILTERS:
            value = args[i + 1].text if i + 1 < len(args) else ""
            if not (
                w.text in ("-name", "-iname", "-path", "-ipath", "-wholename")
                and value in ("*", "*.*", "**")
            ):
                return True
    return False


def _unwrap_find_exec(inv: Invocation) -> Inner | None:
    args = inv.args
    for i, word in enumerate(args):
        if word.text in ("-exec", "-execdir", "-ok", "-okdir"):
            end = i + 1
            while end < len(args) and args[end].text not in (";", "+", "\\;"):
                end += 1
            inner = args[i + 1 : end]
            if not inner:
                return None
            starts = find_start_paths(args) or [Word(".", inv.span)]
            selective = find_is_selective(args[:i])
            start = starts[0].text
            # {} stands for each path find visits: the start itself when nothing filters,
            # otherwise something below it.
            value = start if not selective else start.rstrip("/") + "/" + DYN_SET
            # `find ~ -name '*.pem' -exec curl -F f=@{} ...`: each {} is a credential.
            texts = [w.text for w in args[:i]]
            secret = any(
                texts[k - 1] in ("-name", "-iname", "-path", "-wholename") and is_secret(t)
                for k, t in enumerate(texts)
                if k > 0
            )
            argv = [
                Word(w.text.replace("{}", value), w.span, subst_secret=secret and "{}" in w.text)
                for w in inner
            ]
            return Inner("find -exec", argv=argv, selective=selective)
    return None
