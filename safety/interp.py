"""Read inline interpreter code (python -c, perl -e, ...) for the shell commands it runs."""

from __future__ import annotations

import re

_CALL = re.compile(
    r"(?:os\.system|os\.popen|subprocess\.\w+|commands\.getoutput|pty\.spawn|\bsystem|\bexec|"
    r"\bpopen|shell_exec|passthru|proc_open|execSync|spawnSync|child_process\.\w+|\bspawn|"
    r"IO\.popen|Kernel\.\w+|Open3\.\w+|os\.execute|io\.popen|do shell script)"
    r"\s*\(?\s*(\[?)\s*(?P<q>['\"`])(?P<body>(?:\\.|(?!(?P=q)).){1,4000})(?P=q)",
    re.S,
)
_LIST_ITEM = re.compile(r"(['\"])((?:\\.|(?!\1).){0,2000})\1", re.S)
_BACKTICK = re.compile(r"`([^`]{1,4000})`")
_PERL_QX = re.compile(
    r"(?:\bqx|%x)\s*(?:\((.{1,4000}?)\)|\{(.{1,4000}?)\}|\[(.{1,4000}?)\]|([/|!])(.{1,4000}?)\4)",
    re.S,
)


def shell_snippets(code: str) -> list[str]:
    """Shell commands that `code` hands to a shell: os.system('...'), `...`, exec("...")."""
    if len(code) > 200_000:
        code = code[:200_000]
    out: list[str] = []
    for m in _CALL.finditer(code):
        body = m.group("body")
        if m.group(1) == "[":
            # subprocess.run(["rm", "-rf", "/"]): rebuild the argument list.
            close = code.find("]", m.start("body"))
            segment = code[m.start("q") : close if close != -1 else len(code)]
            items = [i[1] for i in _LIST_ITEM.findall(segment)]
            out.append(" ".join(_quote(i) for i in items))
        else:
            out.append(_unescape(body))
    for m in _BACKTICK.finditer(code):
        out.append(m.group(1))
    for m in _PERL_QX.finditer(code):
        out.append(m.group(1) or m.group(2) or m.group(3) or m.group(5) or "")
    return out[:32]


def _unescape(text: str) -> str:
    return re.sub(r"\\(['\"\\])", r"\1", text)


def _quote(item: str) -> str:
    if item and re.fullmatch(r"[\w@%+=:,./~-]+", item):
        return item
    return "'" + item.replace("'", "'\\''") + "'"


_SOCKET = re.compile(
    r"socket\.socket|\bsocket\s*\(|fsockopen|TCPSocket|IO::Socket|net\.Socket|net\.connect|"
    r"createConnection|new Socket|socket\.create_connection|/dev/tcp/|Net::(?!HTTP)\w+|\bSocket\b|"
    r"require\(\s*['\"](?:node:)?(?:net|tls)['\"]\s*\)[^;]{0,120}?(?:;.{0,300}?)?"
    r"\.(?:connect|createConnection|createServer|Socket)\b|"
    r"\bnet\.createServer|\btls\.connect|"
    # gawk's network files and Lua's luasocket.
    r"/inet6?/tcp/|require\s*\(?\s*['\"]socket['\"]",
)
_SPAWN = re.compile(
    r"/bin/(?:ba|z|da|k)?sh\b|\b(?:ba|z)?sh\s+-i\b|pty\.spawn|os\.dup2|dup2|subprocess|"
    r"child_process|\bexec\s*\(|\bsystem\s*\(|proc_open|popen|spawn\s*\(|cmd\.exe|powershell|"
    # Perl and Ruby call without parentheses (`system $_ while <>`), and wire the socket onto
    # the standard streams (`STDIN->fdopen($c, r)`, `open(STDIN, ">&S")`).
    r"\b(?:system|exec)\s*[$\"'`@]|\|&\s*getline|\bfdopen\b|\bopen\s*\(?\s*STD(?:IN|OUT|ERR)\s*,\s*[\"']?[+<>]*&",
)


def looks_like_reverse_shell(code: str) -> bool:
    return bool(_SOCKET.search(code) and _SPAWN.search(code))


_FORK_LOOP = re.compile(
    r"fork\s+while\s+fork|while\s*\(?\s*(?:True|1|true)\s*\)?\s*:?\s*\{?\s*(?:os\.)?fork\s*\(|"
    r"for\s*\(\s*;\s*;\s*\)\s*\{?\s*(?:os\.|pcntl_)?fork\s*\(|"
    r"loop\s*\{\s*(?:Process\.)?fork|while\s*\(?1\)?\s*\{\s*fork|"
    r"(?:os\.)?fork(?:\(\))?\s*while\s+(?:1|true)|"
    r"\bfork\s*(?:\{[^{}]*\}|do\b.{0,200}?\bend)\s*(?:while\s+(?:1|true)|until\s+(?:false|nil))",
)


def looks_like_fork_bomb(code: str) -> bool:
    return bool(_FORK_LOOP.search(code))


_RMTREE = re.compile(
    r"(?:shutil\.rmtree|rmtree|rmSync|rm_rf|rm_r|rimraf|remove_tree|FileUtils\.rm_r\w*|"
    r"fs\.rm(?:dir)?(?:Sync)?)\s*\(\s*(['\"])(?P<path>[^'\"]{0,200})\1",
)


def deleted_trees(code: str) -> list[str]:
    """Paths the code deletes recursively (shutil.rmtree('/'), fs.rmSync('/', ...))."""
    return [m.group("path") for m in _RMTREE.finditer(code)][:16]
