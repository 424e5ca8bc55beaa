"""What the model needs to know about this machine: OS, distribution, arch, shell, userland.

Cheap by design: files and os.uname() only, plus at most one short `SHELL --version`
subprocess (with a timeout) for the shell's version.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from backends.protocol import PlatformContext, Userland
from caro_py.errors import UsageError

# Shells whose `--version` prints a version without side effects.
VERSIONED_SHELLS = ("bash", "zsh", "fish")
SHELL_VERSION_TIMEOUT_S = 0.5


def resolve_shell(choice: str | None, env: Mapping[str, str]) -> str:
    """The shell executable to write for and run with: --shell/config, else $SHELL, else sh.

    `choice` may be a name ("zsh") or a path. Raises UsageError when it cannot be found.
    """
    login = env.get("SHELL") or ""
    if choice:
        if "/" in choice:
            if os.path.isfile(choice) and os.access(choice, os.X_OK):
                return choice
            raise UsageError(f"shell not found or not executable: {choice}")
        if login and os.path.basename(login) == choice and os.access(login, os.X_OK):
            return login
        found = shutil.which(choice, path=env.get("PATH"))
        if found:
            return found
        raise UsageError(f"shell not found on PATH: {choice}")
    if login and os.access(login, os.X_OK):
        return login
    return shutil.which("sh", path=env.get("PATH")) or "/bin/sh"


def shell_name(path: str) -> str:
    return os.path.basename(path).lstrip("-") or "sh"


def detect_context(
    shell_path: str, *, env: Mapping[str, str] | None = None, cwd: str | None = None
) -> PlatformContext:
    env = os.environ if env is None else env
    system = os_name()
    return PlatformContext(
        os=system,
        distribution=distribution(system),
        arch=os.uname().machine,
        shell=shell_name(shell_path),
        shell_version=shell_version(shell_path),
        userland=userland(system, env),
        cwd=cwd if cwd is not None else current_dir(env),
    )


def os_name() -> str:
    """'linux', 'darwin', 'freebsd', ... (sys.platform without the version digits)."""
    return re.sub(r"\d+$", "", sys.platform)


def distribution(system: str) -> str | None:
    if system == "darwin":
        import platform  # only here: reads a plist, no subprocess

        release = platform.mac_ver()[0]
        return f"macOS {release}" if release else "macOS"
    if system == "linux":
        for candidate in ("/etc/os-release", "/usr/lib/os-release"):
            name = os_release_name(Path(candidate))
            if name:
                return name
        return None
    uname = os.uname()
    return f"{uname.sysname} {uname.release}"


def os_release_name(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            fields[key.strip()] = value.strip().strip("\"'")
    return fields.get("PRETTY_NAME") or fields.get("NAME") or None


def userland(system: str, env: Mapping[str, str]) -> Userland:
    """GNU, BSD or BusyBox tools; decided from the OS and where `ls` really lives."""
    if system == "darwin" or system.endswith("bsd") or system == "dragonfly":
        return "bsd"
    if system != "linux":
        return "unknown"
    ls = shutil.which("ls", path=env.get("PATH"))
    if ls and os.path.basename(os.path.realpath(ls)) == "busybox":
        return "busybox"
    return "gnu"


def shell_version(shell_path: str) -> str | None:
    """'5.2.15' from `bash --version`; None for shells without a safe --version, or on error."""
    if shell_name(shell_path) not in VERSIONED_SHELLS:
        return None
    import subprocess  # only on this path: it is not free to import

    try:
        done = subprocess.run(
            [shell_path, "--version"],
            capture_output=True,
            text=True,
            timeout=SHELL_VERSION_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return parse_version(done.stdout)


def parse_version(text: str) -> str | None:
    first = text.strip().splitlines()[0] if text.strip() else ""
    found = re.search(r"(\d+\.\d+(?:\.\d+)?)", first)
    return found.group(1) if found else None


def current_dir(env: Mapping[str, str]) -> str:
    try:
        return os.getcwd()
    except OSError:  # the directory was removed under us
        return env.get("PWD", "?")
