"""Read interpreter code for what it does: Python through its own `ast`, Node, Ruby and Perl
through patterns over the source.

`effects(language, code)` lists (kind, detail) pairs, kind being one of:
  delete-tree    a recursive deletion of the path in detail ("~", "/etc"; "?" when unknown)
  decoded-exec   runs code or a shell command it decodes or downloads
  env-exfil      sends the whole environment over the network
  secret-exfil   sends a credential file (detail: its path) over the network
  fork-loop      forks or starts processes in an endless loop
  alloc-loop     allocates memory in an endless loop
  runs-stdin     runs what arrives on its standard input as code or a command
  saved          writes a download to the file in detail
Shell commands the code runs with a literal string come back as ("shell", command), so the
walker can judge them like any other command.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache

from safety.facts import DYN_SET
from safety.paths import is_secret

MAX_CODE = 100_000  # characters of one program that are read

Effect = tuple[str, str]

# ---- Python --------------------------------------------------------------------------------

_SHELL_CALLS = frozenset(
    {
        "os.system", "os.popen", "os.execve", "os.execvpe", "os.spawnv", "os.spawnvp",
        "subprocess.run", "subprocess.call", "subprocess.check_call",
        "subprocess.check_output", "subprocess.Popen", "subprocess.getoutput",
        "subprocess.getstatusoutput", "pty.spawn", "os.execv", "os.execvp", "os.execl",
        "os.execlp", "os.spawnl", "os.spawnlp", "commands.getoutput", "os.posix_spawn",
        "system", "popen", "run", "call", "check_output", "Popen", "check_call", "getoutput",
    }
)  # fmt: skip
_TREE_DELETES = frozenset(
    {"shutil.rmtree", "rmtree", "os.removedirs", "removedirs", "distutils.dir_util.remove_tree",
     "remove_tree", "send2trash"}
)  # fmt: skip
_EXECS = frozenset({"exec", "eval", "compile", "runpy.run_path", "execfile"})
# Calls whose result is code or data from elsewhere: decoders and network readers.
_DECODERS = re.compile(
    r"(b64decode|b32decode|b16decode|a85decode|decodebytes|decompress|fromhex|unhexlify|"
    r"codecs\.decode|marshal\.loads|pickle\.loads|rot13|\[::-1\]|zlib|bz2|lzma|gzip)"
)
_FETCHERS = re.compile(
    r"(urlopen|urlretrieve|requests\.(get|post|request)|httpx\.|http\.client|urllib|"
    r"\.recv\(|socket|aiohttp|pycurl|wget\.|ftplib|paramiko)"
)
_SENDERS = re.compile(
    r"(^|\.)(urlopen|Request|post|put|patch|request|send|sendall|sendto|sendmail|send_message|"
    r"putrequest|upload\w*|urlretrieve|post_form)$|^(requests|httpx|session|s|client)\.get$"
)
_FOREVER_ITERS = re.compile(
    r"^(iter\(int,\s*1\)|iter\(lambda.*\)|itertools\.count\(.*\)|count\(.*\))$"
)
_HOME = "~"
_PATH_CALLS = (
    "expanduser", "expandvars", "abspath", "realpath", "normpath", "resolve", "Path",
    "PurePath", "PosixPath", "str", "fspath",
)  # fmt: skip


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    if isinstance(node, ast.Call):
        imported = _imported(node)
        return imported if imported is not None else _dotted(node.func) + "()"
    return ""


def _imported(node: ast.Call) -> str | None:
    """`__import__('os')`, `importlib.import_module('os')`: the module named, else None."""
    if _dotted(node.func) not in ("__import__", "importlib.import_module", "import_module"):
        return None
    first = node.args[0] if node.args else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None


_SPAWNS = re.compile(
    r"\bfork\(|Popen\(|Process\(.*\)\.start\(|Thread\(.*\)\.start\(|os\.system\(|subprocess\."
)
_ALLOCATES = re.compile(
    r"\.append\(|\.extend\(|\+=|bytearray\(|\*\s*\d{6,}|\*\s*10\s*\*\*|\*\*\s*\d|\[0\]\s*\*|"
    r"malloc|zeros\(|ones\(|range\(10\s*\*\*"
)


_REMOVES = re.compile(r"\b(os\.remove|os\.unlink|\.unlink\(|os\.rmdir|\.rmdir\(|remove\(|unlink\()")
_LISTS = re.compile(
    r"(?:os\.walk|glob\.glob|glob\.iglob|\bglob|os\.listdir|listdir|os\.scandir|scandir)\(\s*"
    r"(?:['\"](?P<path>[^'\"]+)['\"]|os\.path\.expanduser\(\s*['\"](?P<path3>~/[^'\"]+)['\"]\s*\)|"
    r"(?P<home>os\.path\.expanduser\(\s*['\"]~/?['\"]\s*\)|"
    r"Path\.home\(\)|os\.environ\[['\"]HOME['\"]\]))|"
    r"Path\(\s*['\"](?P<path2>[^'\"]+)['\"]\s*\)(?:\.expanduser\(\))?\.(?:r?glob|iterdir|walk)\(|"
    r"(?P<home2>Path\.home\(\))\.(?:r?glob|iterdir|walk)\("
)


class _Python(ast.NodeVisitor):
    def __init__(self, source: str, depth: int = 0) -> None:
        self.source = source
        self.depth = depth  # exec() of a string inside exec() of a string...
        self.names: dict[str, ast.AST] = {}
        self.aliases: dict[str, str] = {}  # `import subprocess as sp`, `from os import system`
        self.effects: list[Effect] = []

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.aliases[alias.asname] = alias.name

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if node.module and alias.name != "*":
                self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def full_name(self, node: ast.AST) -> str:
        """A called name with import aliases written back (`sp.run` -> `subprocess.run`)."""
        name = _dotted(node)
        head, dot, rest = name.partition(".")
        return self.aliases[head] + dot + rest if head in self.aliases else name

    def text(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or ""

    # A value as a path, where it can be worked out: "~", "/etc", "x" + DYN_SET parts.
    def value(self, node: ast.AST | None, depth: int = 0) -> str | None:
        if node is None or depth > 8:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return self.value(self.names.get(node.id), depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Div)):
            left, right = self.value(node.left, depth + 1), self.value(node.right, depth + 1)
            if left is None or right is None:
                return None
            sep = "/" if isinstance(node.op, ast.Div) and not left.endswith("/") else ""
            return left + sep + right
        if isinstance(node, ast.JoinedStr):
            parts = []
            for part in node.values:
                if isinstance(part, ast.Constant):
                    parts.append(str(part.value))
                elif isinstance(part, ast.FormattedValue):
                    parts.append(self.value(part.value, depth + 1) or DYN_SET)
            return "".join(parts)
        if isinstance(node, ast.Subscript) and _dotted(node.value) in ("os.environ", "environ"):
            key = self.value(node.slice, depth + 1)
            return _HOME if key in ("HOME", "USERPROFILE") else None
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            args = node.args
            if name.endswith(_PATH_CALLS):
                if (
                    isinstance(node.func, ast.Attribute)
                    and not args
                    and name.endswith(("expanduser", "resolve"))
                ):
                    return self.value(node.func.value, depth + 1)  # Path('~').expanduser()
                return self.value(args[0], depth + 1) if args else None
            if name.endswith(("Path.home", "home", "gethomedir")) or name in (
                "os.getenv", "getenv", "os.environ.get", "environ.get"
            ):  # fmt: skip
                key = self.value(args[0], depth + 1) if args else "HOME"
                return _HOME if key in ("HOME", "USERPROFILE", None) else None
            if name.endswith(("path.join", "joinpath")):
                base = [node.func.value] if isinstance(node.func, ast.Attribute) else []
                if not name.endswith("joinpath"):
                    base = []
                out = ""
                for arg in (*base, *args):
                    piece = self.value(arg, depth + 1)
                    if piece is None:
                        return None
                    joined = f"{out.rstrip('/')}/{piece}"
                    out = piece if piece.startswith("/") or not out else joined
                return out
        return None

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.names[target.id] = node.value
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = self.full_name(node.func)
        short = name.rsplit(".", 1)[-1]
        first = node.args[0] if node.args else None
        if name in _TREE_DELETES or short in ("rmtree", "removedirs", "remove_tree"):
            path = self.value(first)
            self.effects.append(("delete-tree", "?" if path is None else path))
        elif name in _SHELL_CALLS and first is not None:
            if short.startswith(("execv", "execl", "spawnv", "spawnl")) and len(node.args) > 1:
                first = node.args[1]  # os.execvp(file, [argv0, ...]): the list is what runs
                if short.startswith(("execl", "spawnl")):
                    first = ast.List(elts=list(node.args[1:]), ctx=ast.Load())
            literal = self.value(first)
            if isinstance(first, (ast.List, ast.Tuple)):
                items = [self.value(e) for e in first.elts]
                if all(i is not None for i in items):
                    literal = " ".join(_quote(str(i)) for i in items)
            arg = self.text(first)
            if literal is not None:
                self.effects.append(("shell", literal))
            elif _DECODERS.search(arg) or _FETCHERS.search(arg):
                self.effects.append(("decoded-exec", name))
            elif isinstance(first, ast.Name) and first.id in self.names:
                arg = self.text(self.names[first.id])
                if _DECODERS.search(arg) or _FETCHERS.search(arg):
                    self.effects.append(("decoded-exec", name))
        elif (name in _EXECS or short in ("run_path",)) and first is not None:
            literal = self.value(first)
            if literal is not None and name in ("exec", "eval") and self.depth < 4:
                # exec("while 1: ...") runs a program written as a string: read it too.
                inner = python_effects(literal, self.depth + 1)
                self.effects.extend(inner or [])
            arg = self.text(first)
            if isinstance(first, ast.Name) and first.id in self.names:
                arg = self.text(self.names[first.id])
            if _DECODERS.search(arg) or _FETCHERS.search(arg):
                self.effects.append(("decoded-exec", name))
        self._file_effects(node, name, short)
        if short in ("urlretrieve", "download_file", "download") and len(node.args) > 1:
            saved = self.value(node.args[1])
            if saved:
                self.effects.append(("saved", saved))  # a download written to this file
        if _SENDERS.search(name) and any(self._environ(a) for a in [*node.args, *node.keywords]):
            self.effects.append(("env-exfil", name))
        if _SENDERS.search(name):
            secret = self._secret_in([*node.args, *node.keywords])
            if secret is not None:
                self.effects.append(("secret-exfil", secret))
        self.generic_visit(node)

    def _file_effects(self, node: ast.Call, name: str, short: str) -> None:
        """Files written or made writable: `open(p, 'a').write(s)`, `Path(p).write_text(s)`,
        `os.chmod(p, 0o777)`."""
        first = node.args[0] if node.args else None
        func = node.func
        if short in ("write", "writelines") and isinstance(func, ast.Attribute):
            opener = func.value
            if isinstance(opener, ast.Call) and _dotted(opener.func) in ("open", "io.open"):
                path = self.value(opener.args[0] if opener.args else None)
                mode = self.value(opener.args[1]) if len(opener.args) > 1 else None
                for kw in opener.keywords:
                    if kw.arg == "mode":
                        mode = self.value(kw.value)
                if path and mode and any(m in mode for m in "wa+x"):
                    self.effects.append(_file_write(path, self.value(first), "a" in mode))
        elif short in ("write_text", "write_bytes") and isinstance(func, ast.Attribute):
            opener = func.value
            if isinstance(opener, ast.Call):
                path = self.value(opener.args[0] if opener.args else None)
                if path:
                    self.effects.append(_file_write(path, self.value(first), False))
        elif name in ("os.chmod", "chmod", "os.lchmod") and len(node.args) > 1:
            target, bits = self.value(first), node.args[1]
            if target and isinstance(bits, ast.Constant) and isinstance(bits.value, int):
                self.effects.append(_chmod(target, format(bits.value, "o")))

    def _secret_in(self, nodes: list[ast.AST], depth: int = 0) -> str | None:
        """A credential path named anywhere in these expressions (open('~/.ssh/id_rsa'))."""
        if depth > 4:
            return None
        for top in nodes:
            for sub in ast.walk(top):
                if isinstance(sub, ast.Name) and sub.id in self.names:
                    found = self._secret_in([self.names[sub.id]], depth + 1)
                    if found:
                        return found
                if not isinstance(sub, (ast.Constant, ast.JoinedStr, ast.BinOp, ast.Call)):
                    continue
                path = self.value(sub)
                if path and is_secret(path.replace(DYN_SET, "x")):
                    return path
        return None

    def _environ(self, node: ast.AST, depth: int = 0) -> bool:
        """Does this expression carry the whole environment (os.environ, a copy of it)?"""
        if depth > 6:
            return False
        for sub in ast.walk(node):
            if isinstance(sub, ast.Attribute) and sub.attr == "environ":
                parent_is_lookup = False
                for maybe in ast.walk(node):
                    if isinstance(maybe, ast.Subscript) and maybe.value is sub:
                        parent_is_lookup = True  # os.environ['X']: one value, not all
                    if (
                        isinstance(maybe, ast.Call)
                        and isinstance(maybe.func, ast.Attribute)
                        and maybe.func.value is sub
                        and maybe.func.attr == "get"
                    ):
                        parent_is_lookup = True
                if not parent_is_lookup:
                    return True
            if (
                isinstance(sub, ast.Name)
                and sub.id in self.names
                and self._environ(self.names[sub.id], depth + 1)
            ):
                return True
        return False

    def _loop_effects(self, body: list[ast.stmt] | list[ast.AST]) -> None:
        text = "\n".join(self.text(b) for b in body)
        if _SPAWNS.search(text):
            self.effects.append(("fork-loop", "endless loop"))
        if _ALLOCATES.search(text):
            self.effects.append(("alloc-loop", "endless loop"))

    def visit_While(self, node: ast.While) -> None:
        test = node.test
        forever = isinstance(test, ast.Constant) and bool(test.value)
        if forever and not any(isinstance(n, (ast.Break, ast.Return)) for n in ast.walk(node)):
            self._loop_effects(node.body)
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        forever = _FOREVER_ITERS.match(self.text(node.iter).replace(" ", ""))
        if forever and not any(isinstance(n, (ast.Break, ast.Return)) for n in ast.walk(node)):
            self._loop_effects(node.body)
        self.generic_visit(node)

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._comprehension(node, node.elt)

    def visit_SetComp(self, node: ast.SetComp) -> None:
        self._comprehension(node, node.elt)

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        self._comprehension(node, node.elt)

    def _comprehension(self, node: ast.AST, elt: ast.AST) -> None:
        gens = getattr(node, "generators", [])
        if any(_FOREVER_ITERS.match(self.text(g.iter).replace(" ", "")) for g in gens):
            self._loop_effects([elt])
        self.generic_visit(node)


def _file_write(path: str, content: str | None, append: bool) -> Effect:
    """A file the code writes, as the shell command that does the same, so the shell's rules
    (start-up files, authorized_keys, system and account files) judge it. Unknown text is
    written as `?`: never an everyday line."""
    text = "?" if content is None else content
    return ("shell", f"printf '%s\\n' {_quote(text)} {'>>' if append else '>'} {_quote(path)}")


def _chmod(path: str, mode: str) -> Effect:
    return ("shell", f"chmod {_quote(mode)} {_quote(path)}")


def _quote(item: str) -> str:
    if item and re.fullmatch(r"[\w@%+=:,./~-]+", item):
        return item
    return "'" + item.replace("'", "'\\''") + "'"


def python_effects(code: str, depth: int = 0) -> list[Effect] | None:
    """Effects of Python source; None when it does not parse (the caller falls back)."""
    try:
        tree = ast.parse(code[:MAX_CODE])
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    reader = _Python(code[:MAX_CODE], depth)
    if _REMOVES.search(code):
        # os.remove over os.walk('/etc'), Path('~').rglob('*'), glob('/usr/*'): a tree, file
        # by file.
        for m in _LISTS.finditer(code):
            path = m.group("path") or m.group("path2") or m.group("path3") or ""
            home = m.group("home") or m.group("home2")
            reader.effects.append(("delete-tree", _HOME if home else path))
    try:
        # Assignments first, so a name used before its line (in a function) still resolves.
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                reader.visit(node)
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        reader.names.setdefault(target.id, node.value)
        reader.visit(tree)
    except RecursionError:
        reader.effects.append(("decoded-exec", "code too deeply nested to read"))
    return reader.effects[:32]


# ---- Node, Ruby, Perl and the rest (patterns) ----------------------------------------------

_HOME_EXPR = re.compile(
    r"require\(\s*['\"]os['\"]\s*\)\.homedir\(\)|os\.homedir\(\)|process\.env\.HOME|"
    r"process\.env\[['\"]HOME['\"]\]|Dir\.home|ENV\[['\"]HOME['\"]\]|ENV\.fetch\(['\"]HOME['\"]\)|"
    r"\$ENV\{\s*['\"]?HOME['\"]?\s*\}|File\.expand_path\(\s*['\"]~['\"]\s*\)|"
    r"Deno\.env\.get\(['\"]HOME['\"]\)|glob\(\s*['\"]~['\"]\s*\)|getenv\(\s*['\"]HOME['\"]\s*\)|"
    r"\$_SERVER\[['\"]HOME['\"]\]|\$HOME\b"
)
_TREE_CALL = re.compile(
    r"(?:fs\.rm(?:Sync)?|\.rm(?:Sync)?|rmdirSync|fs\.rmdir|rimraf(?:\.sync)?|fse?\.remove(?:Sync)?|"
    r"removeSync|emptyDirSync|Deno\.remove|FileUtils\.(?:rm_rf|rm_r|remove_dir|remove_entry\w*|"
    r"rmtree)|\brm_rf|\brmtree|\bremove_tree|Bun\.\$`rm|"
    # R: unlink(path, recursive = TRUE)
    r"\bunlink(?=\s*\([^)]*recursive\s*=\s*(?:TRUE|T)\b))\s*\(?\s*"
)
_DECODED_EXEC = re.compile(
    r"(?:\beval|\bexec\w*|\bsystem|\bspawn\w*|\bFunction|instance_eval|class_eval|\bpopen\d?|"
    r"\bqx|`|\bdo\b|\brequire|vm\.run\w*|IO\.popen|Open3\.\w+|Kernel\.\w+)\s*\(?\s*[^;]{0,120}?"
    r"(?:decode_base64|base64_decode|hex2bin|gzuncompress|Base64\.(?:decode64|strict_decode64|urlsafe_decode64)|"
    r"Buffer\.from\([^)]*(?:base64|hex)|atob\(|\bunpack\(|\bpack\(\s*['\"]H|"
    r"fetch\(|https?\.get|Net::HTTP|URI\.open|URI\.parse|open-uri|LWP::Simple|\bget\(\s*['\"]https?|"
    r"HTTP::Tiny|axios|request\(|\.read\(\)|reverse\(\)|\.reverse\b|Zlib|gunzip|inflate|"
    r"file_get_contents\(\s*['\"](?:https?|ftp)://|gzinflate|str_rot13|curl_exec)",
    re.S,
)
_FETCH = re.compile(
    r"https?\.(?:get|request)\(|fetch\(|Net::HTTP|URI\.open|open-uri|LWP::|HTTP::Tiny|axios|"
    r"HTTParty|Faraday|RestClient|file_get_contents\(\s*['\"](?:https?|ftp)://|curl_exec"
)
_SOCKET_READ = re.compile(r"TCPSocket|IO::Socket|net\.connect|net\.Socket|\.gets\b.*socket", re.S)
_EVALS = re.compile(
    r"\beval\s*\(|new Function\(|vm\.run\w*\(|instance_eval|\beval\s+\$|"
    r"\(\s*(?:eval|Function)\s*\)"  # `.then(eval)`: the fetched text is the code
)
# Code that runs what a shell command printed (`eval `curl ...``, eval qx{...}).
_EVAL_OUTPUT = re.compile(r"\b(?:eval|instance_eval|Function)\s*\(?\s*(?:`|%x|qx\s*[({\[/|!])")
# A shell or eval call whose argument is not a literal: with a network read, fetched code.
_EXEC_COMPUTED = re.compile(
    r"(?:\bexecSync|\bexec|\bspawnSync|\bspawn|\bsystem|\bpopen|\beval|\bFunction|IO\.popen|"
    r"Open3\.\w+|\bshell_exec|\bpassthru)\s*\(\s*(?![\s'\"`\[\])])"
)
_ENV_ALL = re.compile(
    r"JSON\.stringify\(\s*process\.env\s*\)|process\.env\s*[,})]|\.\.\.process\.env|"
    r"Object\.\w+\(\s*process\.env\s*\)|\bENV\.to_h|\bENV\.to_a|\bENV\.(?:each|map|inspect)|"
    r"\bENV\s*[,})]|%ENV|Deno\.env\.toObject\(\)|ENV\.to_json|\bENV\.keys"
)
_NET_SEND = re.compile(
    r"fetch\(|https?\.request|https?\.get|axios|XMLHttpRequest|net\.connect|net\.Socket|"
    r"Net::HTTP|HTTParty|Faraday|RestClient|TCPSocket|LWP::UserAgent|HTTP::Tiny|IO::Socket|"
    r"Mojo::UserAgent|curl|sendmail|Net::SMTP|dgram|WebSocket|socket|"
    # PHP's stream wrappers fetch a URL with the file functions (the query string carries data).
    r"(?:file_get_contents|fopen|file)\(\s*['\"](?:https?|ftp)://|fsockopen|stream_socket_client"
)
_FORK_FOREVER = re.compile(
    r"(?:while\s*\(?\s*(?:true|1)\s*\)?|loop\s+do|loop\s*\{|for\s*\(\s*;\s*;\s*\)|setInterval\()"
    r"[^\n]{0,200}?(?:fork|spawn|child_process|exec|Process\.spawn|Thread\.new|new Worker)",
    re.S,
)
_POSTFIX_FOREVER = re.compile(
    r"(?:push\b|<<|\.=|\bx\s*\d|\.push\().{0,120}?\bwhile\s*\(?\s*(?:1|true)\b", re.S
)
_ALLOC_FOREVER = re.compile(
    r"(?:while\s*\(?\s*(?:true|1)\s*\)?|loop\s+do|loop\s*\{|for\s*\(\s*;\s*;\s*\))"
    r"[^\n]{0,200}?(?:\.push\(|<<|\.concat\(|Buffer\.alloc|new Array\(|\.repeat\(|x\s*\d{5,}|"
    r"push\s*@|\*\s*10\s*\*\*)",
    re.S,
)


# Calls that hand a string to a shell (Node, Ruby, Perl, PHP).
_SHELL_CALL = re.compile(
    r"(?:execSync|exec|spawnSync|\bspawn|execFile(?:Sync)?|\bsystem|popen|shell_exec|passthru|"
    r"proc_open|IO\.popen|"
    r"Open3\.\w+|%x)\s*(?:\(\s*|\s(?=\s*['\"]))"
)


def _call_argument(code: str, start: int) -> str:
    """The text of a call's first argument, from `start` to its closing comma or paren."""
    depth = 0
    for i in range(start, min(len(code), start + 400)):
        ch = code[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return code[start:i]
            depth -= 1
        elif ch in ",;\n" and depth == 0:
            return code[start:i]
    return code[start : start + 400]


# unlink glob("..."), array_map("unlink", glob(...)), File.delete(*Dir.glob(...)).
_GLOB_DELETE = re.compile(
    r"(?:\bunlink\s*\(?\s*|array_map\(\s*['\"]unlink['\"]\s*,\s*|File\.delete\(\s*\*?\s*|"
    r"FileUtils\.rm(?:_f|_rf)?\(\s*)(?:glob|Dir\.glob|Dir\[)\s*\(?\s*"
)


def _flatten(arg: str) -> str | None:
    """A path pattern from a string expression, home lookups inlined: "$ENV{HOME}/.ssh/*"."""
    text = _HOME_EXPR.sub("~", arg.strip())
    text = re.sub(r"^(['\"]?)\s*(?:\+?[<>]{1,2}|\|)\s*", r"\1", text)  # Perl open("<$path")
    text = re.sub(
        r"['\"]\s*(?:\.|\+)\s*['\"]|['\"]\s*(?:\.|\+)\s*|\s*(?:\.|\+)\s*['\"]|['\"]", "", text
    )
    return text if re.fullmatch(r"[~/][\w./*~ -]*", text) else None


def _call_arguments(code: str, start: int) -> list[str]:
    """A call's arguments split at top-level commas, up to its closing paren or the end of
    the statement (Perl and Ruby calls need no parens)."""
    items: list[str] = []
    at = start
    while len(items) < 16:
        item = _call_argument(code, at)
        items.append(item)
        end = at + len(item)
        if end >= len(code) or code[end] != ",":
            break
        at = end + 1
    return [i for i in items if i.strip()]


def _resolve(arg: str) -> str | None:
    """A path from a simple expression: home lookups, quoted strings, `+` and `.` joins."""
    text = _HOME_EXPR.sub("'~'", arg.strip())
    text = re.sub(r"File\.join\(\s*(.*)\)", lambda m: m.group(1).replace(",", "+'/'+"), text)
    pieces = re.split(r"\s*(?:\+|\.(?=\s*['\"]))\s*", text)
    out = ""
    for piece in pieces:
        m = re.fullmatch(r"(['\"`])(.*)\1", piece.strip(), re.S)
        if not m:
            return None
        out += m.group(2)
    return out or None


# File-by-file deletion (Node, Ruby, Perl, PHP) and the listings that feed it.
_FILE_DELETE = re.compile(
    r"\bunlink(?:Sync)?\s*\(|\bunlink\s|File\.(?:delete|unlink)|FileUtils\.rm\b|\brmSync\(|"
    r"fs\.rm\(|\bunlink\b|Deno\.remove|\bfinddepth\b"
)
_SCRIPT_LISTS = re.compile(
    r"(?:readdirSync|readdir|opendir|opendirSync|Dir\.glob|Dir\.children|Dir\.entries|"
    r"Dir\.each_child|Dir\.foreach|Find\.find|\bfind\s*\(\s*(?:sub\s*\{[^}]*\}|\\&\w+)\s*,|"
    r"\bglob|scandir|walkSync|readDirSync|Deno\.readDir(?:Sync)?)\s*\(?\s*"
)


def _listed_deletions(code: str) -> list[Effect]:
    """A listing of home or a system tree whose entries are deleted one by one."""
    if not _FILE_DELETE.search(code):
        return []
    out: list[Effect] = []
    for m in _SCRIPT_LISTS.finditer(code):
        arg = _call_argument(code, m.end())
        path = _resolve(arg)
        if path is None and _HOME_EXPR.search(arg):
            path = "~"
        if path is None:
            path = _flatten(arg)
        if path and path.startswith(("/", "~")):  # a relative listing stays where it is
            out.append(("delete-tree", path.split("*", 1)[0] or "/"))
    return out


_QUOTED = re.compile(r"(['\"])[^'\"\n]{1,200}\1(?:\s*(?:\+|\.)\s*['\"][^'\"\n]{1,200}['\"])*")

# Files written by Node, Ruby, PHP (path first, text second) and Perl's open modes.
_WRITE_CALL = re.compile(
    r"(?P<append>appendFileSync|appendFile|file_put_contents(?=[^;]*FILE_APPEND))\s*\(|"
    r"(?:writeFileSync|writeFile|outputFileSync|Deno\.writeTextFileSync|Deno\.writeTextFile|"
    r"File\.write|IO\.write|file_put_contents|Bun\.write)\s*\(?\s*"
)
_PERL_OPEN = re.compile(
    r"\bopen\s*\(?\s*(?:my\s+)?[$\w]+\s*,\s*(?:(['\"])(?P<mode>\+?>>?)\1\s*,\s*(?P<path3>[^,;)]+)|"
    r"(['\"])(?P<mode2>\+?>>?)\s*(?P<path2>[^'\"]+)\4)"
)
_SAVES_DOWNLOAD = re.compile(
    r"\b(?:getstore|mirror|download_file|urlretrieve)\s*\(\s*|createWriteStream\s*\(\s*|"
    r"IO\.copy_stream\s*\(\s*(?=URI)"
)
_CHMOD_CALL = re.compile(r"\b(?:chmodSync|chmod|File\.chmod|FileUtils\.chmod)\s*\(?\s*")


def _file_effects(code: str) -> list[Effect]:
    out: list[Effect] = []
    for m in _WRITE_CALL.finditer(code):
        items = _call_arguments(code, m.end())
        path = _resolve(items[0]) if items else None
        if path is None and items and _HOME_EXPR.search(items[0]):
            path = _flatten(items[0])
        if path and len(items) > 1 and _FETCH.search(items[1]):
            out.append(("saved", path))
        if path:
            content = _resolve(items[1]) if len(items) > 1 else None
            append = bool(m.group("append")) or any(
                re.search(r"mode:\s*['\"]a|flag:\s*['\"]a|FILE_APPEND", i) for i in items[2:]
            )
            out.append(_file_write(path, content, append))
    # Downloads written to a file: getstore(url, file), createWriteStream(file) fed by a fetch,
    # File.write(file, Net::HTTP.get(...)). Running that file later runs the download.
    for m in _SAVES_DOWNLOAD.finditer(code):
        items = _call_arguments(code, m.end())
        index = 0 if m.group(0).startswith("createWriteStream") else 1
        saved = _resolve(items[index]) if len(items) > index else None
        if saved and (index == 1 or _FETCH.search(code)):
            out.append(("saved", saved))
    for m in _PERL_OPEN.finditer(code):
        mode = m.group("mode") or m.group("mode2") or ">"
        raw = m.group("path3") or m.group("path2") or ""
        path = _resolve(raw) or _flatten(raw)
        if path:
            out.append(_file_write(path, None, ">>" in mode))
    for m in _CHMOD_CALL.finditer(code):
        items = _call_arguments(code, m.end())
        if len(items) < 2:
            continue
        first, second = items[0].strip(), items[1].strip()
        mode_text, path_text = (
            (first, second) if re.fullmatch(r"0o?[0-7]{3,4}", first) else (second, first)
        )
        mode = re.fullmatch(r"0?o?([0-7]{3,4})|['\"]([0-7]{3,4})['\"]", mode_text)
        path = _resolve(path_text)
        if mode and path:
            out.append(_chmod(path, mode.group(1) or mode.group(2)))
    return out


# Names bound to a module (`const cp = require('child_process')`, `import * as f from 'fs'`)
# or to pieces of one (`const {execSync: run} = require('child_process')`), and variables
# holding the home directory (`my $h = $ENV{HOME}`): written back in full before the code is
# read, so what the code does is judged, not how it spelled the names.
_MODULE = r"(?:await\s+)?(?:require|import)\(\s*['\"](?:node:)?([\w./-]+)['\"]\s*\)"
_JS_ALIAS = re.compile(r"(?:const|let|var)\s+(\w+)\s*=\s*" + _MODULE + r"(?=\s*[;,\n]|\s*$)")
_JS_IMPORT = re.compile(r"\bimport\s+(?:\*\s+as\s+)?(\w+)\s+from\s+['\"](?:node:)?([\w./-]+)['\"]")
_JS_PIECES = re.compile(r"(?:const|let|var)\s*\{([^{}]{1,300})\}\s*=\s*" + _MODULE)
_JS_IMPORT_PIECES = re.compile(
    r"\bimport\s*\{([^{}]{1,300})\}\s*from\s+['\"](?:node:)?([\w./-]+)['\"]"
)
_HOME_VAR = re.compile(
    r"(?:\b(?:my|our|local|const|let|var)\s+)?([$]?[A-Za-z_]\w*)\s*=\s*("
    + _HOME_EXPR.pattern
    + r")\s*(?=[;,\n)]|$)"
)


def _module_name(spec: str) -> str:
    return spec.split("/", 1)[0]  # fs/promises: still fs


def _rename(code: str, after: int, name: str, full: str, call_only: bool = False) -> str:
    follow = r"(?=\s*\()" if call_only else r"(?=\s*[.(\[])"
    pattern = r"(?<![\w$@.])" + re.escape(name) + r"(?!\w)" + follow
    return code[:after] + re.sub(pattern, lambda _m: full, code[after:])


_EXPANDS = re.compile(
    r"(?:File\.expand_path|os\.path\.expanduser|path\.resolve|Pathname\.new|\bglob)"
    r"\(\s*(['\"])([^'\"*?\[]*)\1\s*\)"
)
# Variables holding decoded text, a download or a command's output (`b = Buffer.from(.., 'base64')`,
# `my $c = `curl ...``): handing one to a shell or eval runs what nobody has read.
_TAINTED_VAR = re.compile(
    r"(?:\b(?:my|our|local|const|let|var)\s+)?([$]?[A-Za-z_]\w*)\s*=\s*(?P<value>[^;\n]{0,300})"
)
_TAINTS = re.compile(
    r"decode_base64|base64_decode|decode64|b64decode|Buffer\.from\([^)]*(?:base64|hex)|atob\(|"
    r"fetch\(|https?\.get|Net::HTTP|URI\.open|LWP::Simple|\bget\(\s*['\"]https?|HTTP::Tiny|"
    r"^`|^qx|^%x|`curl|`wget|readFileSync\(\s*['\"]/dev/stdin"
)
_RUNS_VAR = (
    r"(?:\bexecSync|\bexec|\bspawnSync|\bsystem|\bpopen|\beval|\bFunction|IO\.popen)\s*\(?\s*"
)


def _runs_tainted(code: str) -> bool:
    for m in _TAINTED_VAR.finditer(code):
        if _TAINTS.search(m.group("value").strip()):
            later = code[m.end() :]
            if re.search(_RUNS_VAR + re.escape(m.group(1)) + r"\b", later):
                return True
    return False


def _normalise(code: str) -> str:
    code = _EXPANDS.sub(lambda m: m.group(1) + m.group(2) + m.group(1), code)
    if "require" in code or "import" in code:
        for m in list(_JS_ALIAS.finditer(code)) + list(_JS_IMPORT.finditer(code)):
            code = _rename(code, m.end(), m.group(1), _module_name(m.group(2)))
        for m in list(_JS_PIECES.finditer(code)) + list(_JS_IMPORT_PIECES.finditer(code)):
            module = _module_name(m.group(2))
            for piece in m.group(1).split(","):
                original, _, alias = piece.replace(" as ", ":").partition(":")
                original, alias = original.strip(), (alias.strip() or original.strip())
                if re.fullmatch(r"\w+", original) and re.fullmatch(r"\w+", alias):
                    code = _rename(code, m.end(), alias, f"{module}.{original}", call_only=True)
    for m in list(_HOME_VAR.finditer(code))[:8]:
        pattern = r"(?<![\w$@.])" + re.escape(m.group(1)) + r"(?![\w({\[])"
        home = m.group(2)
        code = code[: m.end()] + re.sub(pattern, lambda _m: home, code[m.end() :])  # noqa: B023
    return code


def script_effects(code: str) -> list[Effect]:
    code = _normalise(code[:MAX_CODE])
    out: list[Effect] = _listed_deletions(code) + _file_effects(code)
    for m in _TREE_CALL.finditer(code):
        arg = _call_argument(code, m.end())
        if not arg.strip():
            continue
        path = _resolve(arg)
        if path is None and _HOME_EXPR.search(arg):
            path = "~"  # something under the home, computed: judge it as the home itself
        out.append(("delete-tree", "?" if path is None else path))
    for m in _SHELL_CALL.finditer(code):
        arguments: list[str] = []
        for item in _call_arguments(code, m.end()):
            listed = re.fullmatch(r"\s*\[(.*)\]\s*", item, re.S)  # spawn('rm', ['-rf', dir])
            arguments.extend(_call_arguments(listed.group(1), 0) if listed else [item])
        resolved = [_resolve(item) for item in arguments]
        items = [i for i in resolved if i]
        if items and len(items) == len(resolved):
            # system("rm -rf " . $d) is one string; system "rm", "-rf", $d a list of words.
            out.append(("shell", items[0] if len(items) == 1 else " ".join(map(_quote, items))))
    for m in _GLOB_DELETE.finditer(code):
        pattern = _flatten(_call_argument(code, m.end()))
        if pattern:
            out.append(("delete-tree", pattern))
    fetches = _FETCH.search(code) or _SOCKET_READ.search(code)
    if (
        _DECODED_EXEC.search(code)
        or _EVAL_OUTPUT.search(code)
        or _runs_tainted(code)
        or (fetches and (_EVALS.search(code) or _EXEC_COMPUTED.search(code)))
    ):
        out.append(("decoded-exec", "decoded or downloaded code"))
    if _ENV_ALL.search(code) and _NET_SEND.search(code):
        out.append(("env-exfil", "environment"))
    if _NET_SEND.search(code):
        for m in _QUOTED.finditer(code):
            path = _flatten(m.group(0))
            if path and is_secret(path):
                out.append(("secret-exfil", path))
                break
    if _FORK_FOREVER.search(code):
        out.append(("fork-loop", "endless loop"))
    if _ALLOC_FOREVER.search(code) or _POSTFIX_FOREVER.search(code):
        out.append(("alloc-loop", "endless loop"))
    return out[:32]


# Code that reads its own input and runs it: what arrives on stdin is the program.
_READS_STDIN = re.compile(
    r"/dev/stdin|process\.stdin|readFileSync\(\s*0\b|sys\.stdin|\$stdin|\bSTDIN\b|<STDIN>|"
    r"ARGF|io\.read\(|php://stdin"
)
_RUNS_COMPUTED = re.compile(
    _EXEC_COMPUTED.pattern + r"|\b(?:exec|eval)\s*\(\s*(?:sys\.stdin|input\(|open\()"
)


@lru_cache(maxsize=256)
def effects(language: str, code: str) -> tuple[Effect, ...]:
    """What `code` in `language` (an interpreter's command name) does; see the module doc.
    Cached: the walker and several checks ask about the same program."""
    found: list[Effect] | None = None
    if language.startswith("python") or language in ("pypy", "pypy3", "ipython"):
        found = python_effects(code)
    if found is None:
        found = script_effects(code)
    head = code[:MAX_CODE]
    if _READS_STDIN.search(head) and _RUNS_COMPUTED.search(head):
        found.append(("runs-stdin", "its input"))
    return tuple(found)
