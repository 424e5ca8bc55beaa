"""Where a path points: the root, a home, a system tree, a block device, or somewhere ordinary."""

from __future__ import annotations

import enum
import fnmatch
import re
from functools import lru_cache

from safety.facts import DYN, DYN_SET


class Place(enum.Enum):
    ROOT = "the root directory /"
    HOME = "a home directory"
    HOME_DATA = "keys or documents in a home directory"
    TOP_DIR = "a directory at the top of the file system"
    SYSTEM_TOP = "a system directory"
    SYSTEM = "files inside a system directory"
    DEVICE = "a disk device"
    CWD = "the whole working directory"
    PARENT = "the parent directory"
    EMPTY_VAR = "a path built on a variable that may be empty"
    LOGS = "system logs"
    OTHER = "an ordinary path"


# Directories whose loss breaks the machine (Linux, the BSDs and macOS).
SYSTEM_TOPS: frozenset[str] = frozenset(
    {
        "/etc", "/bin", "/sbin", "/usr", "/boot", "/lib", "/lib32", "/lib64", "/libx32",
        "/var", "/var/lib", "/var/spool", "/var/cache", "/var/db", "/var/mail", "/var/www",
        "/var/backups", "/var/opt",
        "/dev", "/sys", "/proc", "/run", "/srv", "/opt", "/snap", "/efi",
        "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/libexec",
        "/usr/share", "/usr/include",
        "/usr/src", "/etc/ssh", "/etc/pam.d", "/etc/systemd", "/etc/default",
        "/boot/efi", "/boot/grub", "/lib/modules", "/usr/lib/modules",
        "/System", "/Library", "/Applications", "/private", "/private/etc", "/private/var",
        "/Volumes", "/cores", "/mnt", "/media",
    }
)  # fmt: skip

# Trees where a *deeper* path still belongs to the system (a file under /etc, /usr/bin, ...).
SYSTEM_TREES: tuple[str, ...] = (
    "/etc/", "/bin/", "/sbin/", "/usr/", "/boot/", "/lib/", "/lib32/", "/lib64/", "/libx32/",
    "/var/lib/", "/dev/", "/sys/", "/proc/", "/System/", "/Library/", "/private/etc/",
    "/efi/", "/srv/",
)  # fmt: skip


def is_local_install(path: str, cwd: str | None = None) -> bool:
    """A file inside /usr/local/DIR/: where an administrator installs software by hand
    (`sudo install app /usr/local/bin/`), not the system's own files."""
    norm = normalise(path, cwd)
    return norm.startswith("/usr/local/") and norm.rstrip("/").count("/") >= 4


LOG_TREES: tuple[str, ...] = (
    "/var/log/",
    "/var/adm/",
    "/private/var/log/",
    "/var/audit/",
    "/private/var/audit/",
)

HOME_PARENTS: tuple[str, ...] = ("/home", "/Users", "/root")

# Folders in a home whose loss is not "clearing some files": keys, mail, a user's documents.
# Anything inside the key folders counts too (credentials aside from public ones are judged by
# _secret_path); for the others only the folder itself, or everything in it.
HOME_KEY_DIRS: frozenset[str] = frozenset(
    {".ssh", ".gnupg", ".password-store", ".aws", ".kube", ".azure", ".docker"}
)
HOME_DATA_DIRS: frozenset[str] = frozenset(
    {
        "Documents", "Desktop", "Pictures", "Photos", "Music", "Videos", "Movies", "Mail",
        "Dropbox", "OneDrive", "Google Drive", "Nextcloud", "Library", "Projects", "projects",
        "src", "code", "work", "workspace", "git", "repos", ".config", ".local", ".mozilla",
        ".thunderbird", ".var", ".gnupg", ".ssh", ".password-store", ".aws", ".kube", "Zotero",
        "Obsidian", "Notes", "notes", "backup", "backups", "Backups", ".mail", "Maildir",
        "docs", "Docs", "documents", "photos", "pictures", "music", "videos", "Sites", "thesis",
    }
)  # fmt: skip
# Top-level directories that hold nothing lasting (deleting in them is ordinary).
_SCRATCH_TOPS = frozenset({"/tmp", "/var/tmp", "/dev/shm", "/scratch"})

_DEVICE = re.compile(
    r"^/dev/(?:"
    r"sd[a-z*?\[\]]+\w*|hd[a-z*?]+\w*|vd[a-z*?]+\w*|xvd[a-z*?]+\w*|nvme[\w*?]+|"
    r"mmcblk[\w*?]+|r?disk[\w*?]+|mapper/.+|md\w+|dm-\w+|mem|kmem|port|root|"
    r"disk/by-[\w-]+/.+|block/.+|sr\d+|ada\d\w*|da\d\w*|wd\d\w*|nbd\d+\w*|"
    r"[sh]d\*|nvme\*|"
    # LVM volumes (/dev/VG/LV) and ZFS volumes; not the folders of other device kinds.
    r"(?!(?:shm|pts|fd|net|input|snd|dri|bus|char|hugepages|mqueue|tcp|udp|cpu|v4l|serial|usb|"
    r"vfio|dma_heap|disk|block|mapper|stdin|stdout|stderr|null|zero|u?random|tty\w*)(?:/|$))"
    r"[\w.-]+/[\w.+-]+"
    r")$"
)
_HARMLESS_DEV = frozenset(
    {"/dev/null", "/dev/zero", "/dev/stdout", "/dev/stderr", "/dev/stdin", "/dev/tty",
     "/dev/random", "/dev/urandom", "/dev/full", "/dev/ptmx", "/dev/console"}
)  # fmt: skip

_GLOB_ALL = ("*", ".*", "{*,.*}", "*.*", "{.,}*", "[!.]*", "..?*", "?*")
# A last component made only of wildcards (`**`, `.[a-z]*`, `.??*`, `[!.]*`): it names
# no file in particular, so it stands for everything (of that kind) in the directory.
_WILDCARDS_ONLY = re.compile(r"\.{0,2}(?:\[[^\]/]*\]|\?|\*|\{[^}/]*\})+")


def is_glob_all(part: str) -> bool:
    return part in _GLOB_ALL or ("*" in part and _WILDCARDS_ONLY.fullmatch(part) is not None)


def _collapse(path: str) -> str:
    """Lexically normalise an absolute path: //, /./ and /x/../ go away."""
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


def is_device(path: str) -> bool:
    path = _collapse(path) if path.startswith("/") else path
    return path not in _HARMLESS_DEV and bool(_DEVICE.match(path))


def _absolute(path: str, cwd: str | None) -> str | None:
    """An absolute spelling of `path`, with ~ kept as the marker '~'; None if relative & unknown."""
    if path.startswith("~"):
        head, sep, tail = path.partition("/")
        # ~ and ~user are both homes; keep them as one marker segment.
        return "/~" + ("/" + tail if sep else "")
    if path.startswith("/"):
        return path
    if cwd is not None:
        joined = cwd.rstrip("/") + "/" + path
        return _absolute(joined, None) if joined.startswith("~") else joined
    return None


def _home_data(parts: list[str], dynamic: frozenset[int]) -> bool:
    """Inside a home, do `parts` name a key or document folder (or an unknown name)?"""
    first = parts[0]
    if 0 in dynamic:
        return True  # ~/"$f": whatever the value is, it is something in the home
    if first in HOME_KEY_DIRS:
        return len(parts) == 1 or _secret_path("/".join(parts))
    if _secret_path("/".join(parts)):
        return True  # ~/Library/Keychains, a browser profile: credentials
    # The folder or everything in it (`find ~/Documents | xargs rm` lists ~/Documents/*).
    return first in HOME_DATA_DIRS and (
        len(parts) == 1 or (len(parts) == 2 and is_glob_all(parts[1]))
    )


def _classify_abs(path: str, dynamic: frozenset[int] = frozenset()) -> Place:
    # A trailing glob over everything means "the directory itself" for our purposes.
    stripped = path.rstrip("/")
    head, _, last = stripped.rpartition("/")
    if is_glob_all(last):
        stripped = head
    if stripped.startswith("/~"):
        # Home stands in as /home/user so that ~/.. climbs to /home like the real thing.
        stripped = "/home/user" + stripped[2:]
    norm = _collapse(stripped or "/")
    if norm == "/":
        return Place.ROOT
    if norm in HOME_PARENTS:
        return Place.HOME
    for parent in ("/home/", "/Users/", "/root/"):
        if norm.startswith(parent) and parent != "/root/" and "/" not in norm[len(parent) :]:
            return Place.HOME
        if norm.startswith(parent):
            rest = norm[len(parent) :].split("/")
            # /home/USER/X... (or /root/X...): X decides.
            inner = rest if parent == "/root/" else rest[1:]
            if inner and _home_data(inner, dynamic):
                return Place.HOME_DATA
    if is_device(norm):
        return Place.DEVICE
    if norm in SYSTEM_TOPS:
        return Place.SYSTEM_TOP
    if norm.count("/") == 1 and norm not in _SCRATCH_TOPS and not any(c in norm for c in "*?["):
        return Place.TOP_DIR
    if any(ch in norm for ch in "*?["):
        # /e* or /us? could name a system tree: judge the glob against the list.
        for top in SYSTEM_TOPS:
            if top.count("/") == norm.count("/") and fnmatch.fnmatchcase(top, norm):
                return Place.SYSTEM_TOP
    slash = norm + "/"
    if slash.startswith(LOG_TREES):
        return Place.LOGS
    if slash.startswith(SYSTEM_TREES) and norm not in ("/dev/shm", "/usr/local/src"):
        if norm.startswith("/dev/shm/"):
            return Place.OTHER
        return Place.SYSTEM
    return Place.OTHER


@lru_cache(maxsize=4096)
def classify(path: str, cwd: str | None = None) -> Place:
    """Classify one path argument (already unquoted; DYN marks run-time values)."""
    if not path:
        return Place.OTHER
    if path[0] in (DYN, DYN_SET):
        # "$DIR/..." when $DIR may be empty leaves "/...": judge what remains.
        rest = path.lstrip(DYN + DYN_SET)
        if path[0] == DYN and rest.startswith("/") and DYN not in rest and DYN_SET not in rest:
            inner = _classify_abs(rest)
            if inner in (Place.ROOT, Place.SYSTEM_TOP, Place.HOME, Place.DEVICE):
                return Place.EMPTY_VAR
        return Place.OTHER
    clean = path.replace(DYN_SET, "x").replace(DYN, "x")
    dynamic = _dynamic_home_parts(path)
    if not clean.startswith(("/", "~")) and cwd is None:
        base = clean.rstrip("/")
        while base.startswith("./") and len(base) > 2:
            base = base[2:].lstrip("/")
        if base in ("", ".") or is_glob_all(base):
            return Place.CWD
        if base.startswith("./") and is_glob_all(base[2:]):
            return Place.CWD
        if base == ".." or base.startswith("../"):
            # ../foo is an ordinary sibling; .., ../* and ../.. reach above the project.
            tail = base[3:] if base.startswith("../") else ""
            if tail == "" or is_glob_all(tail) or tail.startswith(".."):
                return Place.PARENT
        return Place.OTHER
    absolute = _absolute(clean, cwd)
    if absolute is None:
        return Place.OTHER
    return _classify_abs(absolute, dynamic)


def _dynamic_home_parts(path: str) -> frozenset[int]:
    """Positions (after the home) of path parts that are wholly a run-time value: ~/"$f"."""
    if not path.startswith("~"):
        return frozenset()
    parts = path.partition("/")[2].split("/")
    return frozenset(i for i, part in enumerate(parts) if part and not part.strip(DYN + DYN_SET))


# Files whose damage hands the machine to someone else or locks everyone out.
AUTH_FILES: tuple[str, ...] = (
    "/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow", "/etc/master.passwd",
    "/etc/sudoers", "/private/etc/sudoers", "/etc/security/opasswd", "/etc/spwd.db",
)  # fmt: skip
AUTH_PREFIXES: tuple[str, ...] = ("/etc/sudoers.d/", "/etc/pam.d/", "/private/etc/sudoers.d/")

STARTUP_NAMES: frozenset[str] = frozenset(
    {
        ".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile", ".zshrc",
        ".zshenv", ".zprofile", ".zlogin", ".cshrc", ".tcshrc", ".kshrc", ".mkshrc",
        ".xinitrc", ".xprofile", "config.fish",
    }
)  # fmt: skip
STARTUP_SYSTEM: tuple[str, ...] = (
    "/etc/profile", "/etc/bash.bashrc", "/etc/bashrc", "/etc/zshrc", "/etc/zsh/",
    "/etc/profile.d/", "/etc/environment", "/etc/zprofile", "/etc/csh.cshrc",
)  # fmt: skip
HISTORY_NAMES: frozenset[str] = frozenset(
    {".bash_history", ".zsh_history", ".history", ".sh_history", "fish_history",
     ".python_history", ".mysql_history", ".psql_history", ".lesshst", ".zhistory"}
)  # fmt: skip


def normalise(path: str, cwd: str | None = None) -> str:
    """A comparable spelling: absolute where possible, ~ for home, no // or /./."""
    clean = path.replace(DYN_SET, "x").replace(DYN, "x")
    if clean.startswith("~"):
        head, sep, tail = clean.partition("/")
        return "~/" + _collapse("/" + tail)[1:] if sep else "~"
    if clean.startswith("/"):
        return _collapse(clean)
    if cwd is not None:
        return _collapse(cwd.rstrip("/") + "/" + clean)
    return clean


def is_auth_file(path: str, cwd: str | None = None) -> bool:
    norm = normalise(path, cwd)
    return norm in AUTH_FILES or norm.startswith(AUTH_PREFIXES)


def basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def is_startup_file(path: str, cwd: str | None = None) -> bool:
    norm = normalise(path, cwd)
    if norm in STARTUP_SYSTEM or norm.startswith(tuple(p for p in STARTUP_SYSTEM if p[-1] == "/")):
        return True
    name = basename(norm)
    if name not in STARTUP_NAMES:
        return False
    # A start-up file counts in a home (~, /root, /home/x) or fish's config dir.
    return norm.startswith(("~/", "/root/", "/home/", "/Users/")) or name == "config.fish"


def is_history_file(path: str) -> bool:
    return basename(normalise(path)) in HISTORY_NAMES


# ---- credentials ------------------------------------------------------------------------

# Files under ~/.ssh that hold nothing secret: host lists, client settings, public keys.
_SSH_PUBLIC = ("known_hosts", "config", "authorized_keys", "authorized_keys2", "rc")
# Credential files recognised by name alone, wherever they sit.
_SECRET_NAMES = frozenset(
    {
        ".netrc", "_netrc", ".git-credentials", ".pgpass", ".my.cnf", ".npmrc", ".pypirc",
        ".vault-token", ".envrc", "credentials.json", "shadow", "gshadow", "master.passwd",
        "environ", ".boto", ".s3cfg", ".dockercfg", "credentials.tfrc.json", "rclone.conf",
        "wallet.dat", ".htpasswd", "k3s.yaml", "credentials.toml", "debian.cnf",
    }
)  # fmt: skip
# System trees holding credentials: mounted cluster and container secrets, TLS private keys,
# VPN keys, a cluster's admin config.
_SECRET_TREES = (
    "/var/run/secrets/", "/run/secrets/", "/etc/ssl/private", "/etc/pki/tls/private",
    "/etc/wireguard", "/etc/kubernetes/admin.conf", "/etc/kubernetes/pki",
    "/var/lib/kubelet/pki", "/etc/rancher/k3s/k3s.yaml", "/etc/openvpn/",
    "/var/lib/jenkins/secrets", "/etc/letsencrypt/live", "/etc/letsencrypt/archive",
    # Database files: every record, password hashes and tokens included.
    "/var/lib/postgresql", "/var/lib/pgsql", "/var/lib/mysql", "/var/lib/mariadb",
    "/var/lib/mongodb", "/var/lib/redis", "/data/db",
)  # fmt: skip
# Folders under ~/.config where command-line clients keep their login tokens
# (gh's hosts.yml, glab's config.yml, 1Password's op).
_CONFIG_CREDENTIAL_DIRS = frozenset({"gcloud", "gh", "doctl", "hub", "glab-cli", "op"})
# Folders in the home that are credentials as a whole.
_SECRET_HOME_DIRS = frozenset(
    {".aws", ".gnupg", ".password-store", ".azure", ".oci", ".electrum", ".ethereum", ".ovh"}
)
# Suffixes of .env files that are templates, committed on purpose and holding no secrets.
_ENV_TEMPLATES = frozenset({"example", "sample", "template", "dist", "defaults", "tpl"})
_PRIVATE_KEY_SUFFIXES = (".key", ".pem", ".p12", ".pfx", ".jks", ".keystore", ".kdbx", ".ppk")
# A .pem/.key named like this is a certificate or public half, not a private key.
_PUBLIC_PEM = re.compile(
    r"(?:^|[._-])(?:cert|certs|crt|chain|fullchain|ca|bundle|pub|public)(?:$|[._-])"
)
_KEY_NAME = re.compile(r"^id_(?:rsa|dsa|ecdsa|ed25519)(?:[_-][\w-]+)?(?:-sk)?$")
_SECRET_SPLIT = re.compile(r"[@=<\s;,:]+")
# Cheap gate: text without any of these can't name a credential.
_SECRET_HINT = re.compile(
    r"ssh|aws|gnupg|kube|docker|netrc|cred|env|pgpass|cnf|npmrc|pypirc|vault|shadow|passwd|"
    r"id_|key|pem|p12|pfx|jks|kdbx|ppk|secret|gcloud|azure|password|mozilla|firefox|chrom|"
    r"brave|edge|vivaldi|opera|cookie|login data|keyring|keychain|thunderbird|signal|history|"
    r"boto|s3cfg|tfrc|rclone|wallet|htpasswd|k3s|oci|electrum|ethereum|ovh|cargo|gem|"
    r"doctl|hub|\.config/|\.mc/|ssl|pki|wireguard|openvpn|letsencrypt|kubernetes|jenkins|/run/|token|account|"
    r"postgres|pgsql|mysql|mariadb|mongo|redis|/data/db",
    re.I,
)
# Browser and mail profiles: cookies, saved logins and session tokens live in them.
_PROFILE_DIRS: tuple[tuple[str, ...], ...] = (
    (".mozilla", "firefox"), (".mozilla",), (".thunderbird",), (".config", "google-chrome"),
    (".config", "chromium"), (".config", "BraveSoftware"), (".config", "microsoft-edge"),
    (".config", "vivaldi"), (".config", "opera"), (".config", "Signal"),
    (".local", "share", "keyrings"), ("snap", "firefox"), ("snap", "chromium"),
    ("Library", "Keychains"), ("Library", "Cookies"),
    ("Library", "Application Support", "Google", "Chrome"),
    ("Library", "Application Support", "Firefox"), ("Library", "Safari"),
)  # fmt: skip
# Shell and client histories: passwords and tokens typed on a command line end up in them.
_HISTORY_FILES = frozenset(
    {".bash_history", ".zsh_history", ".psql_history", ".mysql_history", ".python_history",
     ".node_repl_history", ".rediscli_history", ".sqlite_history"}
)  # fmt: skip
_PROFILE_FILES = frozenset(
    {"Cookies", "Login Data", "Web Data", "cookies.sqlite", "logins.json", "key4.db", "key3.db",
     "signons.sqlite", "Local State", "login.keychain-db", "places.sqlite"}
)  # fmt: skip
_SECRET_FILES = re.compile(
    r"^secrets?\.(?:ya?ml|json|env|txt|toml)$|"
    # Service-account key files as cloud CLIs write them: key.json, sa-key.json, token.json.
    r"^(?:[\w.-]*[-_.])?(?:key|keys|keyfile|service[-_]?account[\w-]*|creds?|token)\.json$"
)


def _secret_path(path: str) -> bool:
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if not parts:
        return False
    if path.startswith(_SECRET_TREES) or (path + "/").startswith(_SECRET_TREES):
        return True
    name = parts[-1]
    if name.endswith(".pub"):
        return False
    if ".ssh" in parts:
        rest = parts[len(parts) - 1 - parts[::-1].index(".ssh") + 1 :]
        if not rest:
            return True  # the whole directory: private keys included
        first = rest[0]
        return not (first.startswith(_SSH_PUBLIC) or first.endswith(".pub"))
    if name in _PROFILE_FILES or name in _HISTORY_FILES:
        return True
    for i in range(len(parts)):
        if any(tuple(parts[i : i + len(p)]) == p for p in _PROFILE_DIRS):
            return True
    for i, part in enumerate(parts):
        rest = parts[i + 1 :]
        if part in _SECRET_HOME_DIRS:
            return True
        if part == ".cargo" and rest and rest[0].startswith("credentials"):
            return True
        if part == ".gem" and rest and rest[0] == "credentials":
            return True
        if part == ".kube" and (not rest or rest[0] in ("config", "*")):
            return True
        if part == ".docker" and (not rest or rest[0] in ("config.json", "*")):
            return True
        if part == ".config" and rest and rest[0] in _CONFIG_CREDENTIAL_DIRS:
            if rest[-1] == "config.yml" and rest[0] == "gh":
                continue
            return True
        if part == ".config" and rest[:2] == ["containers", "auth.json"]:
            return True  # podman's registry logins
        if part == ".mc" and rest and rest[0] == "config.json":
            return True  # MinIO client: access and secret keys
    if name in _SECRET_NAMES:
        if name in ("shadow", "gshadow", "master.passwd", "environ"):
            # Only the system's password hashes and a process's environment.
            return path.startswith(("/etc/", "/private/etc/", "/proc/"))
        return True
    if name == ".env" or name.endswith(".env") and name != "example.env" and name != "sample.env":
        return True
    if name.startswith(".env."):
        return name.rsplit(".", 1)[-1] not in _ENV_TEMPLATES
    if _KEY_NAME.match(name) or _SECRET_FILES.match(name):
        return True
    if name.startswith("ssh_host_") and name.endswith("_key"):
        return True
    lower = name.lower()
    if lower.endswith(_PRIVATE_KEY_SUFFIXES):
        stem = lower.rsplit(".", 1)[0]
        return not _PUBLIC_PEM.search(stem) or "private" in stem
    return False


@lru_cache(maxsize=4096)
def is_secret(text: str) -> bool:
    """Does this word name a credential: ssh private keys, cloud and cluster credentials,
    .env files (templates aside), password hashes, private keys? Public keys do not count.
    A word may carry the path inside an option value (`file=@~/.aws/credentials`)."""
    if not text or not _SECRET_HINT.search(text):
        return False
    clean = text.replace(DYN_SET, "").replace(DYN, "")
    if " " in clean and "/" in clean and _secret_path(clean):
        return True  # a path with spaces: ~/Library/Application Support/.../Login Data
    return any(_secret_path(piece) for piece in _SECRET_SPLIT.split(clean) if piece)
