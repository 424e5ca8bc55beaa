"""The worker process: ``python -m backends.embedded.worker.server``, started by lifecycle.py.

Three steps, so caro learns quickly that the socket is there and never waits on a daemon:

1. The process caro starts (in its own session, stdin /dev/null, output to the log) binds
   the socket (0600 under a 0700 directory) and listens, forks, and exits 0. caro reaps it:
   from then on connections queue on the socket.
2. The fork is the supervisor. It forks the worker and waits for it. When the worker dies
   by a signal (a crash in llama.cpp, SIGKILL, the out-of-memory killer) it writes an exit
   record naming the signal, logs it and removes the dead socket; caro reads the record to
   tell the user what happened.
3. The worker loads the model on its first request and answers requests one connection at
   a time (clients queue, so answers are never mixed), until ``keep_alive`` seconds pass
   without one (0: after the first). It returns text and figures only; it never runs a
   command. A generation stops at its next token when its client goes away (Ctrl-C,
   timeout) or sends anything.

``--stdio`` (where Unix sockets are missing) answers one request on stdin/stdout instead.
Heavy modules (llama_cpp) are imported only in the worker, after the forks.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backends.embedded.worker import framing
from backends.embedded.worker.paths import EXIT_RECORD_NAME, peer_uid

if TYPE_CHECKING:
    from backends.embedded.inprocess import EmbeddedBackend
    from backends.protocol import GenerationRequest

# How long one connection may stay silent before the worker moves to the next client.
CONNECTION_IDLE_S = 30.0
# With keep_alive 0, how long a new worker waits for the request it was started for.
FIRST_REQUEST_WAIT_S = 30.0


def log(message: str) -> None:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    sys.stderr.write(f"{stamp} caro worker[{os.getpid()}]: {message}\n")
    sys.stderr.flush()


# --- one request -----------------------------------------------------------------------------


@dataclass
class Channel:
    """One client's byte stream: a socket, or stdin/stdout in --stdio mode."""

    read: Callable[[int], bytes]
    write: Callable[[bytes], Any]
    fileno: int

    def send(self, message: dict[str, Any]) -> bool:
        try:
            self.write(framing.encode(message))
            return True
        except OSError:
            return False  # the client left; nothing to tell it


def request_from_dict(data: dict[str, Any]) -> GenerationRequest:
    from backends.protocol import Example, GenerationRequest, PlatformContext

    return GenerationRequest(
        text=str(data["text"]),
        shell=str(data["shell"]),
        context=PlatformContext(**data["context"]),
        examples=tuple(Example(**example) for example in data.get("examples", ())),
        previous_command=data.get("previous_command"),
        revision=data.get("revision"),
    )


def error_dict(exc: BaseException) -> dict[str, Any]:
    from backends.errors import BackendError, NoUsableCommand
    from config.errors import ConfigError

    if isinstance(exc, (BackendError, NoUsableCommand, ConfigError)):
        return {
            "class": type(exc).__name__,
            "message": exc.message,
            "raw": getattr(exc, "raw", None),
        }
    return {"class": "BackendError", "message": f"the embedded worker failed: {exc!r}"}


def generate(channel: Channel, backend: EmbeddedBackend, message: dict[str, Any]) -> None:
    """Run one generation; stop it when the client goes away or speaks; answer if it is there."""
    stop = threading.Event()
    box: dict[str, Any] = {}
    wake_read, wake_write = os.pipe()  # the generation's end wakes the watch at once

    def work() -> None:
        try:
            request = request_from_dict(message["request"])
            timeout = message.get("timeout")
            completion = backend.complete_sync(
                request, stop=stop, timeout=None if timeout is None else float(timeout)
            )
            box["answer"] = {"ok": True, "completion": completion.to_dict()}
        except BaseException as exc:  # every failure goes back to the client as text
            box["answer"] = {"ok": False, "error": error_dict(exc)}
        finally:
            os.write(wake_write, b"x")

    thread = threading.Thread(target=work, name="generate", daemon=True)
    thread.start()
    try:
        readable, _, _ = select.select([channel.fileno, wake_read], [], [])
        if wake_read not in readable:
            stop.set()  # EOF (Ctrl-C, timeout) or a word mid-request: it stops at its next token
    finally:
        thread.join()
        os.close(wake_read)
        os.close(wake_write)
    if stop.is_set():
        log("the client went away; the generation was stopped")
        return
    answer = box["answer"]
    outcome = "a completion" if answer["ok"] else answer["error"]["class"]
    log(f"answering with {outcome}")  # before the send: the log never lags the client
    channel.send(answer)


# --- the resident worker ---------------------------------------------------------------------


@dataclass
class State:
    identity: dict[str, Any]
    keep_alive: float
    socket_path: Path
    socket_inode: int
    started_at: float = field(default_factory=time.time)
    last_request: float = field(default_factory=time.monotonic)
    served: int = 0

    def idle_left(self) -> float:
        if self.keep_alive <= 0:
            return FIRST_REQUEST_WAIT_S - (time.monotonic() - self.last_request)
        return self.keep_alive - (time.monotonic() - self.last_request)

    def done(self) -> bool:
        return (self.keep_alive <= 0 and self.served > 0) or self.idle_left() <= 0


def hello(state: State, backend: EmbeddedBackend) -> dict[str, Any]:
    loaded = backend.loaded
    model = loaded.model.label if loaded else None
    adapter = loaded.adapter.label if loaded and loaded.adapter else None
    return {
        "ok": True,
        "identity": state.identity,
        "pid": os.getpid(),
        "started_at": state.started_at,
        "keep_alive": state.keep_alive,
        "idle_left": max(0.0, state.idle_left()),
        "served": state.served,
        "model": model,
        "adapter": adapter,
    }


def retire(listener: socket.socket, state: State) -> None:
    """Stop taking clients: remove our socket file (only ours), then close it."""
    try:
        if os.stat(state.socket_path).st_ino == state.socket_inode:
            os.unlink(state.socket_path)
    except OSError:
        pass
    listener.close()


def serve_connection(conn: socket.socket, backend: EmbeddedBackend, state: State) -> bool:
    """Answer one client until it closes; True when it asked the worker to exit."""
    uid = peer_uid(conn)
    if uid is not None and uid != os.getuid():
        log(f"refused a connection from uid {uid}")
        return False
    conn.settimeout(CONNECTION_IDLE_S)
    channel = Channel(read=conn.recv, write=conn.sendall, fileno=conn.fileno())
    while True:
        try:
            message = framing.read_frame(conn.recv)
        except (OSError, framing.FrameError) as exc:
            log(f"dropped a client: {exc}")
            return False
        if message is None:
            return False
        op = message.get("op")
        if op == "hello":
            channel.send(hello(state, backend))
        elif op == "generate":
            keep_alive = message.get("keep_alive")
            if isinstance(keep_alive, (int, float)) and keep_alive >= 0:
                state.keep_alive = float(keep_alive)
            generate(channel, backend, message)
            state.served += 1
            state.last_request = time.monotonic()
            if state.keep_alive <= 0:
                return False
        elif op == "exit":
            return True
        else:
            channel.send(
                {"ok": False, "error": {"class": "BackendError", "message": f"unknown op {op!r}"}}
            )


def run_worker(listener: socket.socket, state: State, settings_data: dict[str, Any]) -> int:
    import faulthandler

    faulthandler.enable()  # a crash's Python stack goes to the log before the signal ends us
    from backends.embedded.inprocess import EmbeddedBackend
    from backends.embedded.worker.identity import settings_from_dict

    backend = EmbeddedBackend(settings_from_dict(settings_data), verbose=True, progress=False)
    log(f"serving {state.socket_path} (keep_alive {state.keep_alive:g} s)")
    reason = "idle"
    while not state.done():
        listener.settimeout(max(0.01, state.idle_left()))
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            continue  # done() decides
        with conn:
            if serve_connection(conn, backend, state):
                reason = "asked to exit"
                retire(listener, state)
                with contextlib.suppress(OSError):
                    conn.sendall(framing.encode({"ok": True, "pid": os.getpid()}))
                break
    else:
        retire(listener, state)
        if state.keep_alive <= 0 and state.served:
            reason = "served its one request (keep_alive 0)"
    log(f"exiting: {reason}; {state.served} request(s) served")
    return 0


# --- start-up: bind, detach, supervise -------------------------------------------------------


def bind(path: Path) -> socket.socket:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)  # the socket is born 0600: no window where others may connect
    try:
        listener.bind(str(path))
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    listener.listen(64)
    return listener


def write_exit_record(runtime: Path, record: dict[str, Any]) -> None:
    target = runtime / EXIT_RECORD_NAME
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.replace(tmp, target)
    except OSError as exc:
        log(f"could not write the exit record: {exc}")


def supervise(child: int, state: State, runtime: Path) -> None:
    """Wait for the worker; when it dies abnormally, record how and remove its socket."""
    signal.signal(signal.SIGTERM, lambda *_: os.kill(child, signal.SIGTERM))
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except InterruptedError:
            continue
        except ChildProcessError:
            return
    record: dict[str, Any] = {"pid": child, "time": time.time()}
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            record["signal"] = signal.Signals(number).name
        except ValueError:
            record["signal"] = f"signal {number}"
    elif os.WEXITSTATUS(status) != 0:
        record["exit_code"] = os.WEXITSTATUS(status)
    else:
        return  # a normal exit: the worker removed its socket itself
    how = record.get("signal") or f"exit code {record.get('exit_code')}"
    log(f"the worker pid {child} died: {how}")
    write_exit_record(runtime, record)
    try:
        if os.stat(state.socket_path).st_ino == state.socket_inode:
            os.unlink(state.socket_path)
    except OSError:
        pass


def serve_socket(args: argparse.Namespace) -> int:
    path = Path(args.socket)
    try:
        listener = bind(path)
    except OSError as exc:
        log(f"cannot listen on {path}: {exc}")
        return 1
    state = State(
        identity=json.loads(args.identity),
        keep_alive=args.keep_alive,
        socket_path=path,
        socket_inode=os.stat(path).st_ino,
    )
    sys.stdout.flush()
    sys.stderr.flush()
    if os.fork() != 0:
        os._exit(0)  # caro reaps this process: the socket is listening
    child = os.fork()
    if child == 0:
        code = 1
        try:
            code = run_worker(listener, state, json.loads(args.settings))
        except BaseException as exc:
            log(f"failed: {exc!r}")
        finally:
            sys.stderr.flush()
            os._exit(code)  # no interpreter teardown under llama.cpp's threads
    listener.close()  # only the worker holds it: a dead worker refuses connections
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    supervise(child, state, Path(args.runtime))
    return 0


def serve_stdio(args: argparse.Namespace) -> int:
    """One request over stdin/stdout (no Unix sockets here): crash isolation without warm state."""
    import faulthandler

    faulthandler.enable()
    frames_out = os.dup(1)
    os.dup2(2, 1)  # stray prints (and llama.cpp's) go to the log, never into the frames
    from backends.embedded.inprocess import EmbeddedBackend
    from backends.embedded.worker.identity import settings_from_dict

    channel = Channel(
        read=lambda n: os.read(0, n), write=lambda data: os.write(frames_out, data), fileno=0
    )
    backend = EmbeddedBackend(
        settings_from_dict(json.loads(args.settings)), verbose=True, progress=False
    )
    message = framing.read_frame(channel.read)
    if message is not None and message.get("op") == "generate":
        generate(channel, backend, message)
    sys.stderr.flush()
    os._exit(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backends.embedded.worker.server")
    parser.add_argument("--settings", required=True, help="the embedded settings, as JSON")
    parser.add_argument("--identity", default="{}", help="what this worker serves, as JSON")
    parser.add_argument("--socket", help="the socket to listen on")
    parser.add_argument("--runtime", help="the runtime directory (exit records)")
    parser.add_argument("--keep-alive", type=float, default=300.0)
    parser.add_argument("--stdio", action="store_true", help="answer one request on stdin/stdout")
    args = parser.parse_args(argv)
    if args.stdio:
        return serve_stdio(args)
    return serve_socket(args)


if __name__ == "__main__":
    sys.exit(main())
