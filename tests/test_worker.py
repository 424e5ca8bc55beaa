"""The worker's parts that need no model: framing, paths and ownership, identity, answers.

The real worker process, with the real model, is tested in tests/test_worker_process.py.
"""

from __future__ import annotations

import asyncio
import os
import socket
import stat
from pathlib import Path

import pytest

from backends.embedded.answer import Completion, to_command
from backends.embedded.worker import framing, paths
from backends.embedded.worker.client import WorkerBackend, death_error, describe_worker, read_answer
from backends.embedded.worker.identity import identity, settings_dict, settings_from_dict
from caro_py.errors import (
    BackendError,
    BackendTimeout,
    ConfigError,
    ModelError,
    NoUsableCommand,
    exit_code_of,
)
from config.loader import load_settings
from config.model import EmbeddedSettings, Settings
from config.template import render_template

OTHER_UID = 65534  # nobody


# --- framing ---------------------------------------------------------------------------------


def reader_of(data: bytes):  # type: ignore[no-untyped-def]
    view = memoryview(data)
    pos = 0

    def read(n: int) -> bytes:
        nonlocal pos
        chunk = bytes(view[pos : pos + min(n, 3)])  # short reads, as sockets give them
        pos += len(chunk)
        return chunk

    return read


def test_frames_round_trip_through_short_reads() -> None:
    messages = [{"op": "hello"}, {"op": "generate", "request": {"text": "ünïcode ✓"}}]
    read = reader_of(b"".join(framing.encode(m) for m in messages))
    assert [framing.read_frame(read), framing.read_frame(read)] == messages
    assert framing.read_frame(read) is None  # a clean EOF between frames


def test_a_broken_or_oversized_frame_is_an_error_not_a_hang() -> None:
    whole = framing.encode({"op": "hello"})
    with pytest.raises(framing.FrameError, match="mid-frame"):
        framing.read_frame(reader_of(whole[:-2]))
    with pytest.raises(framing.FrameError, match="limit"):
        framing.read_frame(reader_of(framing.HEADER.pack(framing.MAX_FRAME + 1)))
    with pytest.raises(framing.FrameError, match="JSON object"):
        framing.read_frame(reader_of(framing.HEADER.pack(2) + b"[]"))


def test_async_frames_read_what_sync_frames_wrote() -> None:
    async def go() -> dict:
        reader = asyncio.StreamReader()
        reader.feed_data(framing.encode({"ok": True, "n": 3}))
        reader.feed_eof()
        return await framing.read_frame_async(reader)

    assert asyncio.run(go()) == {"ok": True, "n": 3}


# --- paths and ownership ---------------------------------------------------------------------


def test_the_ownership_check_refuses_another_users_directory_or_socket(tmp_path: Path) -> None:
    info = tmp_path.stat()
    paths.check_owner(info, "directory", tmp_path, uid=info.st_uid)  # ours: fine
    with pytest.raises(paths.UnsafePath, match=f"belongs to uid {info.st_uid}, not to you"):
        paths.check_owner(info, "directory", tmp_path, uid=info.st_uid + 1)


def test_the_runtime_directory_is_made_private_and_tightened(tmp_path: Path) -> None:
    fresh = paths.private_dir(tmp_path / "a" / "caro")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    os.chmod(loose, 0o755)
    paths.private_dir(loose)
    assert stat.S_IMODE(loose.stat().st_mode) == 0o700


def test_a_symlink_or_a_file_is_not_taken_for_the_runtime_directory(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(paths.UnsafePath, match="not a directory"):
        paths.private_dir(tmp_path / "link")
    (tmp_path / "sock").write_text("not a socket")
    with pytest.raises(paths.UnsafePath, match="not a socket"):
        paths.check_socket(tmp_path / "sock")
    assert paths.check_socket(tmp_path / "absent") is False


@pytest.mark.skipif(os.geteuid() != 0, reason="making a directory another user owns needs root")
def test_a_directory_or_socket_another_user_owns_is_refused(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    os.chown(theirs, OTHER_UID, OTHER_UID)
    with pytest.raises(paths.UnsafePath, match=f"uid {OTHER_UID}"):
        paths.private_dir(theirs)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock = tmp_path / "s.sock"
    listener.bind(str(sock))
    listener.close()
    os.chown(sock, OTHER_UID, OTHER_UID)
    with pytest.raises(paths.UnsafePath, match="socket"):
        paths.check_socket(sock)


def test_a_socket_path_too_long_for_unix_sockets_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(paths.UnsafePath, match="longer than Unix sockets allow"):
        paths.socket_path(tmp_path / ("d" * 120))


def test_the_runtime_directory_follows_xdg_runtime_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert paths.runtime_dir() == runtime / "caro"
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert paths.runtime_dir().name == f"caro-{os.getuid()}"


def test_the_peer_uid_of_a_unix_socket_is_ours() -> None:
    left, right = socket.socketpair(socket.AF_UNIX)
    with left, right:
        uid = paths.peer_uid(left)
    assert uid in (None, os.getuid())  # None where the OS does not tell (no SO_PEERCRED)


# --- identity and settings -------------------------------------------------------------------


def test_identity_changes_with_the_model_but_not_with_keep_alive(tmp_path: Path) -> None:
    base = identity(EmbeddedSettings(), tmp_path)
    assert identity(EmbeddedSettings(keep_alive=5), tmp_path) == base
    assert identity(EmbeddedSettings(max_tokens=12), tmp_path) != base
    assert identity(EmbeddedSettings(adapter_path="/x.gguf"), tmp_path) != base
    assert identity(EmbeddedSettings(), tmp_path / "other-cache") != base
    settings = EmbeddedSettings(model_path="/m.gguf", n_threads=3)
    assert settings_from_dict(settings_dict(settings)) == EmbeddedSettings(
        model_path="/m.gguf", n_threads=3, keep_alive=EmbeddedSettings().keep_alive
    )


def test_keep_alive_is_a_setting_with_a_default_of_300(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[embedded]\nkeep_alive = 0\n")
    settings, warnings = load_settings(path=config, env={})
    assert settings.embedded.keep_alive == 0 and not warnings
    assert EmbeddedSettings().keep_alive == 300
    assert "keep_alive = 300" in render_template()
    config.write_text("[embedded]\nkeep_alive = -1\n")
    with pytest.raises(ConfigError, match="keep_alive"):
        load_settings(path=config, env={})


def test_relative_model_and_adapter_paths_are_made_absolute_for_the_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(model="models/mine.gguf")
    settings.embedded.adapter_path = "~/lora.gguf"
    backend = WorkerBackend(settings, use_overrides=True)
    assert backend.settings.model_path == str(tmp_path / "models" / "mine.gguf")
    assert backend.settings.adapter_path == "~/lora.gguf"  # expanded the same in the worker


# --- answers from the worker -----------------------------------------------------------------


def completion(text: str, finish: str = "stop") -> Completion:
    return Completion(
        text=text,
        profile="functiongemma",
        model_label="gemma3-270m + shell-lora",
        stats={"finish_reason": finish, "completion_tokens": 3},
        timings_ms={"total": 12.0},
    )


def test_the_worker_returns_text_and_the_client_parses_it() -> None:
    answer = {"ok": True, "completion": completion("docker ps").to_dict()}
    command = to_command(read_answer(answer), max_tokens=96)
    assert (command.command, command.backend, command.model) == (
        "docker ps",
        "embedded",
        "gemma3-270m + shell-lora",
    )
    with pytest.raises(NoUsableCommand, match="did not end"):
        to_command(completion("docker p", finish="length"), max_tokens=96)


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("BackendTimeout", BackendTimeout),
        ("ModelError", ModelError),
        ("NoUsableCommand", NoUsableCommand),
        ("ConfigError", ConfigError),
        ("SomethingElse", BackendError),
    ],
)
def test_worker_errors_come_back_as_caros_own(name: str, cls: type[Exception]) -> None:
    with pytest.raises(cls, match="why"):
        read_answer({"ok": False, "error": {"class": name, "message": "why"}})


def test_a_dead_worker_is_named_with_its_signal_and_log() -> None:
    error = death_error(42, {"pid": 42, "signal": "SIGSEGV"})
    assert "pid 42" in error.message and "SIGSEGV" in error.message
    assert "worker.log" in error.message and "nothing was run" in error.message
    assert exit_code_of(error) == 3 and error.type_name == "backend"
    assert "out-of-memory" in death_error(42, {"pid": 42, "signal": "SIGKILL"}).message
    assert "connection closed" in death_error(42, None).message


def test_the_worker_line_for_caro_backends() -> None:
    assert "not running" in describe_worker(None)
    line = describe_worker(
        {"pid": 7, "started_at": 0, "idle_left": 120, "model": "m", "adapter": "a"}
    )
    assert line.startswith("worker pid 7, m + a, up ") and "120 s more idle" in line
