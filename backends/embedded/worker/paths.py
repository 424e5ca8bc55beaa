"""Where the worker lives, and the checks that keep another user out of it.

The socket, the start lock and the exit records sit in the user's runtime directory
(platformdirs' ``user_runtime_dir``: ``$XDG_RUNTIME_DIR/caro`` on Linux); without
``XDG_RUNTIME_DIR``, ``<tmp>/caro-<uid>``. The directory must be the user's own and
private (0700): caro creates it so, tightens its mode when it is the user's own, and
refuses one another user owns, since whoever owns it could swap the socket. The log lives
in caro's cache directory (``worker.log``, the previous worker's as ``worker.log.1``).
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

from backends.errors import BackendError

SOCKET_NAME = "embedded.sock"
LOCK_NAME = "embedded.lock"
EXIT_RECORD_NAME = "embedded.exit"
LOG_NAME = "worker.log"
# sun_path holds 108 bytes on Linux and 104 on macOS, the terminating NUL included.
MAX_SOCKET_PATH = 103


class UnsafePath(BackendError):
    """The runtime directory or socket is not the user's own and private one."""


def runtime_dir() -> Path:
    """The directory for the socket and lock (not created here)."""
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if sys.platform.startswith("linux") and not xdg:
        return Path(tempfile.gettempdir()) / f"caro-{os.getuid()}"
    if xdg and not sys.platform.startswith("linux"):
        return Path(xdg) / "caro"  # platformdirs reads it on Linux only; honour it everywhere
    import warnings

    import platformdirs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about its own fallback
        try:
            return Path(platformdirs.user_runtime_dir("caro"))
        except PermissionError as exc:  # its fallback directory is another user's
            raise UnsafePath(
                f"no safe runtime directory for the embedded worker: {exc}", backend="embedded"
            ) from None


def socket_path(directory: Path) -> Path:
    path = directory / SOCKET_NAME
    if len(os.fsencode(path)) > MAX_SOCKET_PATH:
        raise UnsafePath(
            f"the worker socket path {path} is longer than Unix sockets allow "
            f"({MAX_SOCKET_PATH} bytes); set XDG_RUNTIME_DIR to a shorter directory",
            backend="embedded",
        )
    return path


def log_path() -> Path:
    from backends.embedded.models import cache_root

    return cache_root() / LOG_NAME


def check_owner(info: os.stat_result, what: str, path: Path, uid: int | None = None) -> None:
    """Refuse ``path`` (described as ``what``) unless ``uid`` (default: ours) owns it."""
    uid = os.getuid() if uid is None else uid
    if info.st_uid != uid:
        raise UnsafePath(
            f"refusing the embedded worker's {what} {path}: it belongs to uid {info.st_uid}, "
            f"not to you (uid {uid}); remove it or set XDG_RUNTIME_DIR to a directory of yours",
            backend="embedded",
        )


def private_dir(directory: Path) -> Path:
    """Create ``directory`` 0700, or check the one there is ours; return it."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = directory.lstat()
    except OSError as exc:
        raise UnsafePath(
            f"cannot create the embedded worker's directory {directory}: {exc.strerror or exc}",
            backend="embedded",
        ) from None
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafePath(
            f"refusing the embedded worker's directory {directory}: not a directory "
            "(a symbolic link or a file)",
            backend="embedded",
        )
    check_owner(info, "directory", directory)
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(directory, 0o700)  # ours but open to others: close it
    return directory


def check_socket(path: Path) -> bool:
    """Whether a socket file is at ``path``; refuse one that is not ours or not a socket."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return False
    check_owner(info, "socket", path)
    if not stat.S_ISSOCK(info.st_mode):
        raise UnsafePath(
            f"refusing {path}: it is not a socket; remove it to let caro start its worker",
            backend="embedded",
        )
    return True


def peer_uid(sock: object) -> int | None:
    """The uid of the process at the other end of a Unix socket; None where the OS cannot say."""
    import socket
    import struct

    option = getattr(socket, "SO_PEERCRED", None)
    if option is None or not isinstance(sock, socket.socket):
        return None
    creds = sock.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return int(uid)
