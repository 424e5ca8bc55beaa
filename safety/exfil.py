"""Secrets sent to the network: a credential source reaching a network sink.

Sources are credential files (safety.paths.is_secret) and the few commands that print
credentials. Sinks are the places where data leaves the machine: HTTP upload options,
raw connections fed on stdin, copies to a remote `host:` target, /dev/tcp redirects.
Reading a secret locally, a download *into* a credential path, or a network tool that only
uses a key to log in (`ssh -i`, `curl --key`) is neither.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from safety.commands import DOWNLOADERS, NET_CLIENTS
from safety.expand import brace_expand
from safety.facts import Invocation, Span, Word
from safety.options import parse_options
from safety.paths import is_secret, normalise

if TYPE_CHECKING:
    from safety.facts import Walk

Hit = tuple[Span, str]
Tainted = Callable[[str], bool]  # extra paths known to hold a credential (copied earlier)


def _secret(text: str, inv: Invocation, extra: Tainted | None = None) -> bool:
    """Is this path a credential, read relative to a `cd` made earlier in the command?"""
    if is_secret(text):
        return True
    if (
        inv.cwd is not None
        and not text.startswith(("/", "~"))
        and is_secret(normalise(text, inv.cwd))
    ):
        return True
    return extra is not None and extra(normalise(text, inv.cwd))


# ---- sources ------------------------------------------------------------------------------

# Commands that look at a credential file without printing what is in it.
METADATA_ONLY = frozenset(
    {
        "ls", "stat", "find", "du", "file", "test", "[", "[[", "wc", "chmod", "chown", "chgrp",
        "touch", "mkdir", "rmdir", "realpath", "readlink", "basename", "dirname", "md5sum",
        "sha1sum", "sha256sum", "sha512sum", "b2sum", "cksum", "shasum", "md5", "ssh-keygen",
        "ssh-add", "ssh-copy-id", "ssh", "scp", "sftp", "rsync", "cp", "mv", "ln", "rm",
        "shred", "diff", "cmp", "source", ".", "export", "echo", "printf", "setfacl",
        "getfacl", "lsattr", "chattr", "nano", "vim", "vi", "code", "docker", "kubectl",
        "curl", "wget", "git",
    }
)  # fmt: skip


_ARCHIVERS = frozenset({"tar", "bsdtar", "gtar"})
_FILE_PRINTERS = frozenset(
    {"cat", "head", "tail", "tac", "base64", "xxd", "od", "hexdump", "gzip", "zip", "tar",
     "strings"}
)  # fmt: skip
_ZIPPERS = frozenset({"zip", "7z", "7za", "rar"})
_COPIES = frozenset({"cp", "mv", "install", "ln", "rsync", "ditto"})


def _operands(inv: Invocation) -> list[Word]:
    return [w for w in inv.args if not w.text.startswith("-") or w.text == "-"]


def _prints_credentials(inv: Invocation) -> bool:
    """Commands whose output *is* a credential, whatever file they read."""
    name = inv.name
    texts = [w.text for w in inv.args]
    if name == "gpg":
        return any(t.startswith(("--export-secret-keys", "--export-secret-subkeys")) for t in texts)
    if name in ("env", "printenv") and not _operands(inv):
        return True  # the whole environment: tokens and keys included
    if name in ("set", "declare", "typeset", "export") and texts in ([], ["-p"], ["-x"]):
        return True  # `set`, `declare -p`, `export -p`: every variable, exported or not
    if name == "history" and not any(t.startswith("-") for t in texts):
        return True  # passwords and tokens typed on command lines
    if name in ("docker", "podman", "nerdctl", "kubectl", "oc") and texts[:1] == ["cp"]:
        # `docker cp db:/var/lib/postgresql/data -`: a container's files, as a tar on stdout.
        ops = [t for t in texts[1:] if not t.startswith("-") or t == "-"]
        return len(ops) >= 2 and ops[-1] == "-" and is_secret(ops[0].split(":", 1)[-1])
    if name in ("docker", "podman") and texts[:1] == ["inspect"]:
        return True  # a container's configuration, its environment (secrets) included
    if name == "aws" and texts[:1] == ["configure"]:
        return len(texts) > 1 and texts[1] in ("export-credentials", "get")
    if name == "gh" and texts[:2] == ["auth", "token"]:
        return True
    if name == "security" and texts[:1] and texts[0].startswith("find-"):
        # -w prints the password alone, in any cluster (`-wa NAME`, `-gw`); dump-keychain -d all.
        return any(t[:1] == "-" and t[1:2] != "-" and "w" in t for t in texts[1:])
    if name == "security" and texts[:1] == ["dump-keychain"]:
        return any(t[:1] == "-" and t[1:2] != "-" and "d" in t for t in texts[1:])
    if name == "kubectl" and texts[:2] == ["config", "view"]:
        return "--raw" in texts
    if name in ("kubectl", "oc", "k") and "get" in texts[:3]:
        return _k8s_secret_data(texts)
    return " ".join([name, *texts[:4]]).startswith(_TOKEN_PRINTERS)


# Commands that print an access token or a stored secret.
_TOKEN_PRINTERS = (
    "gcloud auth print-access-token", "gcloud auth print-identity-token",
    "gcloud auth application-default print-access-token", "az account get-access-token",
    "aws sts get-session-token", "aws ecr get-login-password",
    "aws secretsmanager get-secret-value",
    "aws ssm get-parameter", "vault read", "vault kv get", "vault token create",
    "heroku auth:token", "doctl auth token", "op read", "op item get", "bw get password",
    "pass show", "gopass show", "glab auth token", "npm token", "az keyvault secret show",
    "gcloud secrets versions access", "docker-credential-desktop get",
    "docker-credential-secretservice get", "docker-credential-pass get",
    "aws iam create-access-key", "az ad sp create-for-rbac", "kubectl create token",
    "gcloud auth print", "az account get-access-token", "heroku config",
    "aws sts assume-role", "vault login", "secret-tool lookup", "lpass show", "keyring get",
    "bw get",
)  # fmt: skip


def _k8s_secret_data(texts: list[str]) -> bool:
    """`kubectl get secret X -o yaml|json` or a jsonpath into .data: the secret's values."""
    kinds = [t for t in texts if not t.startswith("-")]
    if not any(k.split("/", 1)[0] in ("secret", "secrets") for k in kinds[1:3]):
        return False
    joined = " ".join(texts)
    output = re.search(r"(?:-o|--output)[= ]?(\S+)", joined)
    if output is None:
        return False
    fmt = output.group(1).strip("'\"")
    if fmt in ("yaml", "json", "go-template") or fmt.startswith("go-template"):
        return True
    return ".data" in joined or "stringData" in joined


def secret_content(inv: Invocation, extra: Tainted | None = None) -> bool:
    """Does this command print the contents of a credential (so a pipe downstream carries it)?"""
    if not inv.argv:
        return False
    if _prints_credentials(inv):
        return True
    if any(
        r.op == "<"
        and r.target is not None
        and r.fd in (None, "0")
        and _secret(r.target.text, inv, extra)
        for r in inv.redirects
    ):
        return True
    name = inv.name
    if name in ("echo", "printf"):
        return any(w.subst_secret for w in inv.args)  # `echo "$KEY"` prints the credential
    if name in _REMOTE_RUNNERS and _remote_reads_secret(inv):
        return True
    if name in METADATA_ONLY:
        return False
    if any(_secret(w.text, inv, extra) for w in inv.args if not w.text.startswith("-")):
        return True
    if name in _FILE_PRINTERS and any(w.subst_secret for w in inv.args):
        return True  # `cat $(find ~ -name '*.pem')`: the files named are credentials
    if name in _ARCHIVERS:
        # `tar -C / -czf - etc/shadow`: operands are relative to the -C directory.
        texts = [w.text for w in inv.args]
        dirs = [texts[i + 1] for i, t in enumerate(texts[:-1]) if t in ("-C", "--directory")]
        return any(is_secret(normalise(t, d)) for d in dirs for t in texts if not t.startswith("-"))
    return False


# Commands that run a command on another machine or in a container and print its output here.
_REMOTE_RUNNERS = frozenset({"ssh", "autossh", "docker", "podman", "nerdctl", "kubectl", "oc"})


def _remote_reads_secret(inv: Invocation) -> bool:
    """`ssh host 'cat /etc/app/.env'`, `kubectl exec pod -- cat /run/secrets/x`: the command
    run there prints a credential here, so whatever reads this output receives it."""
    tokens = " ".join(w.text for w in inv.args).split()
    if inv.name not in ("ssh", "autossh") and "exec" not in tokens[:3]:
        return False
    for i, token in enumerate(tokens):
        if token.rsplit("/", 1)[-1] in _FILE_PRINTERS:
            return any(is_secret(t) for t in tokens[i + 1 :] if not t.startswith("-"))
    return False


# ---- sinks --------------------------------------------------------------------------------

CURL_LIKE = frozenset({"curl", "curlie"})
HTTPIE = frozenset({"http", "https", "xh", "xhs", "curlie"})
WGET = frozenset({"wget", "wget2"})
COPIERS = frozenset({"scp", "rsync"})
CLOUD_COPY = frozenset({"aws", "gsutil", "gcloud", "rclone", "s3cmd", "azcopy"})
MAILERS = frozenset({"mail", "mailx", "mutt", "neomutt", "sendmail", "s-nail", "msmtp", "swaks"})
BATCH_FTP = frozenset({"sftp", "lftp", "ftp", "smbclient", "ncftp", "tftp"})
# Everything that can carry data off the machine.
SINKS: frozenset[str] = frozenset(
    {
        *DOWNLOADERS, *NET_CLIENTS, *CURL_LIKE, *HTTPIE, *WGET, *COPIERS, *CLOUD_COPY,
        *MAILERS, *BATCH_FTP, "ssh", "autossh", "gh", "ncftpput", "websocat", "wscat",
    }
)  # fmt: skip
UPLOADERS: frozenset[str] = frozenset(
    {*CURL_LIKE, *HTTPIE, *WGET, *MAILERS, *BATCH_FTP, "gh", "ncftpput", "socat"}
)
REMOTE_COPIERS: frozenset[str] = frozenset({*COPIERS, *CLOUD_COPY})

# curl options that send a file's contents (`@file`, `name=@file`, `name=<file`, -T file).
_CURL_SHORT_ARG = "AbcCdDeEFHKmoPQrtTuUwxXyYz"
_CURL_LONGS = {
    "data": "d",
    "data-ascii": "d",
    "data-binary": "d",
    "json": "d",
    "data-urlencode": "data-urlencode",
    "form": "F",
    "upload-file": "T",
    "output": "o",
    "header": "H",
    "user": "u",
    "request": "X",
    "config": "K",
    "user-agent": "A",
    "cookie": "b",
    "cookie-jar": "c",
    "proxy": "x",
    "referer": "e",
    "cert": "E",
    "key": "key",
    "cacert": "cacert",
    "capath": "capath",
    "data-raw": "data-raw",
    "form-string": "form-string",
    "url": "url",
    "write-out": "w",
    "max-time": "m",
    "netrc-file": "netrc-file",
}
_CURL_LONG_ARG = (
    "data-urlencode", "key", "cacert", "capath", "data-raw", "form-string", "url",
    "netrc-file",
)  # fmt: skip


def _curl_files(inv: Invocation) -> Iterator[tuple[Word, str]]:
    """(word, file) for every file whose contents curl would send."""
    opts = parse_options(
        inv.args, short_arg=_CURL_SHORT_ARG, longs=_CURL_LONGS, long_arg=_CURL_LONG_ARG
    )
    for word in opts.value("d"):
        if word.text.startswith("@"):
            yield word, word.text[1:]
    for word in opts.value("data-urlencode"):
        name, at, path = word.text.partition("@")
        if at and "=" not in name:
            yield word, path
    for word in opts.value("F"):
        _, eq, value = word.text.partition("=")
        if eq and value[:1] in ("@", "<"):
            yield word, value[1:].split(";", 1)[0]
    for word in opts.value("T"):
        for path in _expand(word.text):
            yield word, path


def _expand(text: str) -> list[str]:
    """curl -T globs {a,b} itself."""
    return brace_expand(text) if "{" in text else [text]


_HTTPIE_FILE = re.compile(r"^(?:[^=:@\s]*(?:=|:=)?)?@(.+)$")


def _httpie_files(inv: Invocation) -> Iterator[tuple[Word, str]]:
    for word in inv.args:
        if word.text.startswith("-"):
            continue
        m = _HTTPIE_FILE.match(word.text)
        if m:
            yield word, m.group(1)


def _wget_files(inv: Invocation) -> Iterator[tuple[Word, str]]:
    opts = parse_options(
        inv.args,
        short_arg="OoaeiPUt",
        longs={"post-file": "post-file", "body-file": "body-file"},
        long_arg=("post-file", "body-file"),
    )
    for word in opts.value("post-file", "body-file"):
        yield word, word.text


def _mail_files(inv: Invocation) -> Iterator[tuple[Word, str]]:
    # Attachments: mutt/mailx -a FILE, mailutils -A FILE, swaks --attach FILE.
    opts = parse_options(
        inv.args,
        short_arg="aAsbcrfFiS",
        longs={"attach": "a", "attach-file": "a", "data": "data"},
        long_arg=("data",),
    )
    for word in opts.value("a", "A", "data"):
        yield word, word.text.lstrip("@")
    if inv.name == "mutt" or inv.name == "neomutt":
        # `mutt -a f1 f2 -- addr`: -a takes every file up to `--`.
        texts = [w.text for w in inv.args]
        if "-a" in texts and "--" in texts:
            start, stop = texts.index("-a"), texts.index("--")
            for word in inv.args[start + 1 : stop]:
                yield word, word.text


_PUT = re.compile(r"(?:^|[\n;])\s*(?:m?put|reput|mput|append)\s+(?:-\S+\s+)*([^\s;]+)")


def _batch_files(inv: Invocation) -> Iterator[tuple[Word, str]]:
    """`put FILE` in an ftp/sftp/smbclient/lftp script: on stdin, -c/-e, or a batch file."""
    scripts: list[tuple[Word, str]] = []
    if inv.stdin_text:
        scripts.append((Word(inv.stdin_text, inv.span), inv.stdin_text))
    args = inv.args
    for i, word in enumerate(args[:-1]):
        if word.text in ("-c", "-e", "--command"):
            scripts.append((args[i + 1], args[i + 1].text))
    for word, text in scripts:
        for m in _PUT.finditer(text):
            yield word, m.group(1)


def _gh_files(inv: Invocation) -> Iterator[tuple[Word, str]]:
    texts = [w.text for w in inv.args]
    if texts[:2] in (["gist", "create"], ["gist", "edit"], ["release", "upload"]):
        for word in inv.args[2:]:
            if not word.text.startswith("-"):
                yield word, word.text
    for i, text in enumerate(texts[:-1]):
        if text in ("--body-file", "-F") and texts[:1] != ["secret"]:
            yield inv.args[i + 1], texts[i + 1]


_SOCAT_NET = re.compile(r"^(?:tcp|udp|openssl|ssl|sctp|socks|proxy|dccp|udplite|ip)", re.I)
_SOCAT_FILE = re.compile(r"^(?:(?:g?open|file|create|read(?:line)?):)?([^,:]+)", re.I)


def _socat_files(inv: Invocation) -> Iterator[tuple[Word, str]]:
    addresses = [w for w in inv.args if not (w.text.startswith("-") and len(w.text) > 1)]
    if not any(_SOCAT_NET.match(w.text) for w in addresses):
        return
    for word in addresses:
        if _SOCAT_NET.match(word.text):
            continue
        low = word.text.lower()
        if low.startswith(("exec:", "system:")):
            yield word, word.text.split(":", 1)[1]
            continue
        m = _SOCAT_FILE.match(word.text)
        if m:
            yield word, m.group(1)


def upload_hits(inv: Invocation, extra: Tainted | None = None) -> Iterator[Hit]:
    """A credential file named as the payload of an upload."""
    name = inv.name
    sources: list[Iterator[tuple[Word, str]]] = []
    if name in CURL_LIKE:
        sources.append(_curl_files(inv))
    if name in HTTPIE:
        sources.append(_httpie_files(inv))
    if name in WGET:
        sources.append(_wget_files(inv))
    if name in MAILERS:
        sources.append(_mail_files(inv))
    if name in BATCH_FTP:
        sources.append(_batch_files(inv))
    if name == "gh":
        sources.append(_gh_files(inv))
    if name == "socat":
        sources.append(_socat_files(inv))
    if name == "ncftpput":
        ops = [w for w in inv.args if not w.text.startswith("-")]
        sources.append(iter([(w, w.text) for w in ops[2:]]))
    for files in sources:
        for word, path in files:
            if path not in ("-", "") and _secret(path, inv, extra):
                yield word.span, path
                return


# Options of scp and rsync whose value is not a file to copy (a key to log in with,
# an exclude pattern, a password file).
_SCP_ARG = "cFiJlPoSDX"
_RSYNC_SHORT_ARG = "efBTM"
_RSYNC_LONG_ARG = (
    "rsh", "exclude", "include", "filter", "exclude-from", "include-from", "files-from",
    "password-file", "rsync-path", "log-file", "log-file-format", "backup-dir", "temp-dir",
    "compare-dest", "copy-dest", "link-dest", "partial-dir", "chmod", "chown", "usermap",
    "groupmap", "timeout", "contimeout", "bwlimit", "port", "sockopts", "out-format",
    "suffix", "max-size", "min-size", "info", "debug", "iconv", "protocol", "checksum-choice",
    "compress-choice", "compress-level", "max-delete", "modify-window", "outbuf",
    "stop-after", "stop-at", "address", "remote-option", "block-size", "skip-compress",
    "checksum-seed", "write-batch", "read-batch", "only-write-batch", "mkpath-mode",
)  # fmt: skip
_CLOUD_ARG = (
    "profile", "region", "endpoint-url", "exclude", "include", "storage-class", "acl",
    "sse", "sse-kms-key-id", "content-type", "cache-control", "metadata", "expires",
    "grants", "project", "config", "transfers", "checkers", "bwlimit", "log-file",
    "filter", "filter-from", "exclude-from", "include-from", "max-age", "min-age",
)  # fmt: skip
_REMOTE = re.compile(r"^(?:[a-z][\w+.-]*://|[^/\s]*[^/\s\\]:(?!\\)|\[[^\]]+\]:)", re.I)
_CLOUD_REMOTE = re.compile(r"^(?:s3|gs|az|azure|r2|b2|swift|https?)://|^[\w-]+:", re.I)
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def _remote(text: str, cloud: bool) -> bool:
    if text.startswith(("/", "./", "../", "~")) or _DRIVE.match(text):
        return False
    return bool((_CLOUD_REMOTE if cloud else _REMOTE).match(text))


def copy_hits(inv: Invocation, extra: Tainted | None = None) -> Iterator[Hit]:
    """A local credential file copied to a remote target (`scp key host:`, `aws s3 cp .env
    s3://b/`); copies from a remote or between local paths are left alone."""
    name = inv.name
    cloud = name in CLOUD_COPY
    if name == "scp":
        operands = parse_options(inv.args, short_arg=_SCP_ARG).operands
    elif name == "rsync":
        operands = parse_options(
            inv.args,
            short_arg=_RSYNC_SHORT_ARG,
            longs={n: n for n in _RSYNC_LONG_ARG},
            long_arg=_RSYNC_LONG_ARG,
        ).operands
    elif cloud:
        opts = parse_options(inv.args, longs={n: n for n in _CLOUD_ARG}, long_arg=_CLOUD_ARG)
        operands = opts.operands
        verbs = [w.text for w in operands[:2]]
        if not set(verbs) & {"cp", "mv", "sync", "copy", "copyto", "move", "moveto", "put"}:
            return
    else:
        return
    secret: Word | None = None
    for word in operands:
        text = word.text
        if _remote(text, cloud):
            if secret is not None:
                yield secret.span, secret.text
                return
            continue
        if secret is None and _secret(text, inv, extra):
            secret = word


def _forwards_stdin(inv: Invocation) -> bool:
    """False for the few sinks that read stdin without sending it anywhere untoward."""
    texts = [w.text for w in inv.args[:2]]
    if inv.name == "gh" and texts[:1] in (["secret"], ["variable"]):
        return False  # stores a repository secret: what it is for
    if inv.name == "openssl":
        return texts[:1] in (["s_client"], ["s_server"])  # other verbs work locally
    return True


def pipe_hits(inv: Invocation) -> Iterator[Hit]:
    """A credential reaching a network tool through stdin, a here-string, a command
    substitution evaluated locally, or xargs arguments built from it."""
    fed = inv.stdin_kind in ("pipe", "file", "herestring", "heredoc")
    if inv.stdin_secret and fed and _forwards_stdin(inv):
        yield inv.span, inv.name
        return
    auth = set(_auth_values(inv))
    for i, word in enumerate(inv.args):
        if word.subst_secret and not (word.subst_picked and i in auth):
            yield word.span, inv.name
            return


# Options that hand a credential to the server as a login or header: what a key is for, so
# only the destination is in question (a confirmation, not a block).
_AUTH_OPTS = frozenset(
    {
        "-H", "--header", "-u", "--user", "--oauth2-bearer", "--proxy-user", "-U",
        "--password", "--http-password", "--ftp-password", "--proxy-password", "-a", "--auth",
    }
)  # fmt: skip
_HEADER_ITEM = re.compile(r"^[\w-]+:(?!=|//)")


def _auth_values(inv: Invocation) -> Iterator[int]:
    """Indexes (into inv.args) of words that are login or header values."""
    args = inv.args
    httpie = inv.name in HTTPIE
    for i, word in enumerate(args):
        text = word.text
        after_option = i > 0 and args[i - 1].text in _AUTH_OPTS
        joined = text.startswith("-") and "=" in text and text.split("=", 1)[0] in _AUTH_OPTS
        short_header = text.startswith("-H") and len(text) > 2
        header_item = httpie and not text.startswith("-") and bool(_HEADER_ITEM.match(text))
        if after_option or joined or short_header or header_item:
            yield i


def auth_hits(inv: Invocation) -> Iterator[Hit]:
    """A value picked out of a credential file used as a login or request header."""
    for i in _auth_values(inv):
        word = inv.args[i]
        if word.subst_secret and word.subst_picked:
            yield word.span, inv.name
            return


# ---- /dev/tcp -----------------------------------------------------------------------------

_NET_DEV = ("/dev/tcp/", "/dev/udp/")


def _leaks(inv: Invocation) -> bool:
    return inv.stdin_secret or secret_content(inv) or any(w.subst_secret for w in inv.args)


def dev_tcp_hits(walker: Walk) -> Iterator[Hit]:
    """A credential written to /dev/tcp, directly or through a descriptor that
    `exec N<>/dev/tcp/...` opened earlier."""
    sockets: set[str] = set()
    for inv in walker.invocations:
        for r in inv.redirects:
            if r.target is None or not r.target.text.startswith(_NET_DEV):
                continue
            if r.fd not in (None, "0", "1", "2") and (r.writes or r.op == "<>"):
                sockets.add(r.fd)
            if r.writes and r.fd in (None, "1") and _leaks(inv):
                yield r.span, r.target.text
                return
    if not sockets:
        return
    for inv in walker.invocations:
        for r in inv.redirects:
            if (
                r.op == ">&"
                and r.fd in (None, "1")
                and r.target is not None
                and r.target.text in sockets
                and _leaks(inv)
            ):
                yield r.span, "/dev/tcp (descriptor " + r.target.text + ")"
                return


# ---- serving a credential directory -------------------------------------------------------

PY_SERVERS = frozenset({"python", "python3", "python2"})


def serve_hits(inv: Invocation) -> Iterator[Hit]:
    """`python3 -m http.server` over ~/.ssh (by -d or an earlier cd): anyone can fetch keys."""
    texts = [w.text for w in inv.args]
    modules = {texts[i + 1] for i, t in enumerate(texts[:-1]) if t == "-m"}
    if not modules & {"http.server", "SimpleHTTPServer", "uploadserver"}:
        return
    for i, text in enumerate(texts):
        if text in ("-d", "--directory") and i + 1 < len(texts):
            if _secret(texts[i + 1], inv):
                yield inv.args[i + 1].span, texts[i + 1]
            return
        if text.startswith("--directory="):
            if _secret(text.split("=", 1)[1], inv):
                yield inv.args[i].span, text.split("=", 1)[1]
            return
    if inv.cwd is not None and is_secret(inv.cwd):
        yield inv.span, inv.cwd


# ---- credentials staged in another file first ---------------------------------------------


def _staged_targets(inv: Invocation, tainted: Tainted) -> list[str]:
    """Files this invocation fills with a credential (normalised paths)."""
    out: list[str] = []
    leaks = inv.stdin_secret or secret_content(inv, tainted)
    for r in inv.redirects:
        if not (leaks and r.writes and r.fd in (None, "1") and r.target is not None):
            continue
        if not r.target.text.startswith("/dev/"):
            out.append(normalise(r.target.text, inv.cwd))
    name = inv.name
    operands = [w.text for w in inv.args if not w.text.startswith("-")]
    if name in _COPIES and len(operands) >= 2:
        if any(_secret(src, inv, tainted) for src in operands[:-1]):
            dest = normalise(operands[-1], inv.cwd)
            out.append(dest)
            out.extend(dest.rstrip("/") + "/" + src.rstrip("/").rsplit("/", 1)[-1]
                       for src in operands[:-1])  # fmt: skip
    elif name in _ARCHIVERS:
        args = list(inv.args)
        if args and re.fullmatch(r"[A-Za-z]+", args[0].text) and "f" in args[0].text:
            args[0] = Word("-" + args[0].text, args[0].span)  # old-style `tar czf out ...`
        opts = parse_options(args, short_arg="fCTX", longs={"file": "f"}, long_arg=("f",))
        files = opts.value("f")
        if files and any(_secret(w.text, inv, tainted) for w in opts.operands):
            out.append(normalise(files[0].text, inv.cwd))
    elif name in _ZIPPERS and len(operands) >= 2:
        sources = operands[2:] if name.startswith("7z") else operands[1:]
        if any(_secret(src, inv, tainted) for src in sources):
            out.append(normalise(operands[1] if name.startswith("7z") else operands[0], inv.cwd))
    return out


def staged_hits(walker: Walk) -> Iterator[Hit]:
    """A credential copied, archived or redirected into another file that a later command
    of the same line sends away (`cp ~/.ssh/id_rsa /tmp/k && curl -F f=@/tmp/k ...`)."""
    staged: set[str] = set()

    def tainted(path: str) -> bool:
        return path in staged

    leaking_pipes: set[int] = set()
    for inv in walker.invocations:
        if staged and inv.argv:
            fed = inv.pipe is not None and inv.pipe in leaking_pipes and inv.stage > 0
            if fed and inv.name in SINKS and _forwards_stdin(inv):
                yield inv.span, inv.name
                return
            for span, path in (*upload_hits(inv, tainted), *copy_hits(inv, tainted)):
                if not is_secret(path):  # a credential named outright is exfil.upload's
                    yield span, path
                    return
            if inv.pipe is not None and secret_content(inv, tainted):
                leaking_pipes.add(inv.pipe)
            if (
                inv.name in SINKS
                and _forwards_stdin(inv)
                and any(
                    r.op == "<"
                    and r.target is not None
                    and tainted(normalise(r.target.text, inv.cwd))
                    for r in inv.redirects
                )
            ):
                yield inv.span, inv.name
                return
        staged.update(_staged_targets(inv, tainted))
