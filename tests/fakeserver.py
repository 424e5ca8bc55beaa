"""A tiny real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions wire format.

CLI tests point `--backend lmstudio --base-url http://127.0.0.1:PORT` at it, so the real
httpx path runs end to end. Each test scripts the answers it needs; requests are recorded.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict -> JSON; str -> sent as is (an HTML error page, say)
    content_type: str = "application/json"
    delay_s: float = 0.0


def tool_call_body(command: str, *, model: str, explanation: str | None = None) -> dict[str, Any]:
    arguments: dict[str, Any] = {"command": command}
    if explanation:
        arguments["explanation"] = explanation
    return chat_body(
        model=model,
        message={
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_0",
                    "type": "function",
                    "function": {"name": "execute_shell", "arguments": json.dumps(arguments)},
                }
            ],
        },
        finish_reason="tool_calls",
    )


def text_body(text: str, *, model: str) -> dict[str, Any]:
    return chat_body(
        model=model, message={"role": "assistant", "content": text}, finish_reason="stop"
    )


def chat_body(*, model: str, message: dict[str, Any], finish_reason: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


@dataclass
class FakeChatServer:
    models: list[str] = field(default_factory=lambda: ["fake-coder-1"])
    requests: list[dict[str, Any]] = field(default_factory=list)
    _queue: deque[Reply] = field(default_factory=deque)
    _standing: Reply | None = None
    _server: ThreadingHTTPServer | None = None

    # -------------------------------------------------------------- scripting

    def answer_command(self, command: str, explanation: str | None = None) -> None:
        """From now on, every chat request gets this command as an execute_shell tool call."""
        self._standing = Reply(
            body=tool_call_body(command, model=self.models[0], explanation=explanation)
        )

    def answer_text(self, text: str) -> None:
        self._standing = Reply(body=text_body(text, model=self.models[0]))

    def answer_status(
        self, status: int, body: Any = None, content_type: str = "application/json"
    ) -> None:
        self._standing = Reply(status=status, body=body, content_type=content_type)

    def queue(self, reply: Reply) -> None:
        """A one-off reply, used before the standing one."""
        self._queue.append(reply)

    def chat_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == "/v1/chat/completions"]

    # -------------------------------------------------------------- serving

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}"

    def start(self) -> FakeChatServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _reply_for(self, method: str, path: str, body: Any) -> Reply:
        self.requests.append({"method": method, "path": path, "body": body})
        if method == "GET" and path == "/v1/models":
            data = [{"id": m, "object": "model", "owned_by": "test"} for m in self.models]
            return Reply(body={"object": "list", "data": data})
        if method == "POST" and path == "/v1/chat/completions":
            if self._queue:
                return self._queue.popleft()
            if self._standing is not None:
                return self._standing
            return Reply(status=500, body={"error": {"message": "no answer scripted"}})
        return Reply(status=404, body={"error": {"message": f"no route {method} {path}"}})


def _handler_for(fake: FakeChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle on, a kept-alive connection
        # waits out the client's delayed ACK (~40 ms) between them. Real servers avoid it.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            return None

        def do_GET(self) -> None:
            self._serve("GET", None)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            self._serve("POST", body)

        def _serve(self, method: str, body: Any) -> None:
            reply = fake._reply_for(method, self.path.split("?")[0], body)
            if reply.delay_s:
                time.sleep(reply.delay_s)
            payload = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
            data = payload.encode("utf-8")
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                pass

    return Handler
