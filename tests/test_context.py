"""caro_py.context: what the model is told about this machine, and the shell choice."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from caro_py.context import (
    detect_context,
    os_release_name,
    parse_version,
    resolve_shell,
    shell_name,
    userland,
)
from caro_py.errors import UsageError

BASH = shutil.which("bash")


@pytest.mark.skipif(BASH is None, reason="needs bash")
def test_detects_this_machine(tmp_path: Path) -> None:
    assert BASH is not None
    context = detect_context(BASH, env=os.environ, cwd=str(tmp_path))
    assert context.os == sys.platform.rstrip("0123456789")
    assert context.arch == os.uname().machine
    assert context.shell == "bash"
    assert context.shell_version and context.shell_version[0].isdigit()
    assert context.cwd == str(tmp_path)
    if sys.platform.startswith("linux"):
        assert context.userland in ("gnu", "busybox")
        if Path("/etc/os-release").exists():
            assert context.distribution
    # The one-line description the prompts use names the shell and its version.
    assert f"bash {context.shell_version}" in context.describe()


def test_cwd_defaults_to_the_process_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    context = detect_context("/bin/sh", env={})
    assert context.cwd == str(tmp_path)
    assert context.shell == "sh" and context.shell_version is None  # sh has no safe --version


def test_os_release_pretty_name(tmp_path: Path) -> None:
    path = tmp_path / "os-release"
    path.write_text('NAME="Alpine Linux"\nPRETTY_NAME="Alpine Linux v3.20"\nID=alpine\n')
    assert os_release_name(path) == "Alpine Linux v3.20"
    path.write_text("NAME=Arch\n")
    assert os_release_name(path) == "Arch"
    assert os_release_name(tmp_path / "missing") is None


def test_userland_by_os_and_busybox_ls(tmp_path: Path) -> None:
    assert userland("darwin", {}) == "bsd"
    assert userland("freebsd", {}) == "bsd"
    assert userland("sunos", {}) == "unknown"
    # A PATH whose `ls` is a link to busybox means BusyBox tools.
    busybox = tmp_path / "busybox"
    busybox.write_text("#!/bin/sh\n")
    busybox.chmod(0o755)
    (tmp_path / "ls").symlink_to(busybox)
    assert userland("linux", {"PATH": str(tmp_path)}) == "busybox"
    assert userland("linux", {"PATH": "/usr/bin:/bin"}) == "gnu"


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("GNU bash, version 5.2.15(1)-release (x86_64-pc-linux-gnu)\nCopyright", "5.2.15"),
        ("zsh 5.9 (x86_64-apple-darwin23.0)", "5.9"),
        ("fish, version 3.7.1", "3.7.1"),
        ("", None),
        ("no digits here", None),
    ],
)
def test_parse_version(text: str, version: str | None) -> None:
    assert parse_version(text) == version


def test_resolve_shell_order(tmp_path: Path) -> None:
    env = {"SHELL": "/bin/sh", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    assert resolve_shell(None, env) == "/bin/sh"
    assert shell_name(resolve_shell("sh", env)) == "sh"
    assert resolve_shell("/bin/sh", {}) == "/bin/sh"
    assert shell_name(resolve_shell(None, {"PATH": env["PATH"]})) == "sh"  # no $SHELL
    with pytest.raises(UsageError, match="not found on PATH"):
        resolve_shell("no-such-shell-xyz", env)
    with pytest.raises(UsageError, match="not executable"):
        resolve_shell(str(tmp_path / "nope"), env)


def test_shell_name() -> None:
    assert shell_name("/usr/bin/zsh") == "zsh"
    assert shell_name("-bash") == "bash"
