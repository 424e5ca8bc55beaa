"""A small OpenAI-compatible server for the overhead benchmarks: real HTTP on 127.0.0.1.

It answers at once, so what a benchmark times is caro's side: GET /v1/models lists one model;
every POST to /v1/chat/completions gets an execute_shell tool call whose command ``command_for``
picks from the request. Requests are recorded (method, path, JSON body). Run it in a thread
(``start``) or, to keep it off the measured process's GIL, in a process of its own (``serve``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "bench-model"

#: What the server answers a chat request with: (command, explanation or None).
Answer = Callable[[dict[str, Any]], tuple[str, str | None]]


def tool_call_body(
    request: dict[str, Any], command: str, explanation: str | None
) -> dict[str, Any]:
    """A chat completion whose one choice calls execute_shell with ``command``."""
    arguments: dict[str, Any] = {"command": command}
    if explanation:
        arguments["explanation"] = explanation
    call = {
        "id": "call_0",
        "type": "function",
        "function": {"name": "execute_shell", "arguments": json.dumps(arguments)},
    }
    return {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "model": request.get("model", MODEL),
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {"role": "assistant", "content": None, "tool_calls": [call]},
            }
        ],
    }


class ChatServer:
    def __init__(self, answer: Answer, port: int = 0) -> None:
        self.answer = answer
        self.requests: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ChatServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def serve(self) -> None:
        """Serve in this thread until the process ends."""
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reply(self, method: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
        self.requests.append({"method": method, "path": path, "body": body})
        if method == "GET" and path == "/v1/models":
            return 200, {"object": "list", "data": [{"id": MODEL, "object": "model"}]}
        if method == "POST" and path == "/v1/chat/completions" and isinstance(body, dict):
            return 200, tool_call_body(body, *self.answer(body))
        return 404, {"error": {"message": f"no route {method} {path}"}}


def _handler_for(server: ChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like real servers
        # Headers and body in one write: no Nagle / delayed-ACK stall of ~40 ms between them.
        wbufsize = 1 << 16

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            self._send(*server.reply("GET", self.path.split("?")[0], None))

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            self._send(*server.reply("POST", self.path.split("?")[0], body))

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
