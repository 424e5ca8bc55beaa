"""The wire format between caro and its worker: a 4-byte big-endian length, then UTF-8 JSON.

One JSON object per frame. Requests carry ``op`` (hello, generate, exit); answers carry
``ok`` and either the result or ``error`` ({"type", "message"}).
"""

from __future__ import annotations

import json
import struct
from typing import Any, Protocol

HEADER = struct.Struct("!I")
MAX_FRAME = 1 << 20  # far above any request or answer; a bigger one is a broken peer


class FrameError(Exception):
    """The peer sent something that is not a frame."""


class StreamReader(Protocol):
    async def readexactly(self, n: int) -> bytes: ...


def encode(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return HEADER.pack(len(body)) + body


def decode(body: bytes) -> dict[str, Any]:
    try:
        message = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FrameError(f"not a JSON frame: {exc}") from None
    if not isinstance(message, dict):
        raise FrameError("a frame must hold a JSON object")
    return message


def length(header: bytes) -> int:
    (size,) = HEADER.unpack(header)
    if size > MAX_FRAME:
        raise FrameError(f"frame of {size} bytes is over the {MAX_FRAME}-byte limit")
    return int(size)


def read_exact(read: Any, n: int) -> bytes | None:
    """``n`` bytes from a blocking ``read(k)`` (socket.recv or a file's read); None at EOF."""
    chunks: list[bytes] = []
    got = 0
    while got < n:
        chunk = read(n - got)
        if not chunk:
            if got:
                raise FrameError("the peer closed the connection mid-frame")
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(read: Any) -> dict[str, Any] | None:
    """One frame from a blocking reader; None when the peer closed before a new frame."""
    header = read_exact(read, HEADER.size)
    if header is None:
        return None
    body = read_exact(read, length(header))
    if body is None:
        raise FrameError("the peer closed the connection mid-frame")
    return decode(body)


async def read_frame_async(reader: StreamReader) -> dict[str, Any]:
    """One frame from an asyncio stream; IncompleteReadError when the peer closed."""
    header = await reader.readexactly(HEADER.size)
    return decode(await reader.readexactly(length(header)))
