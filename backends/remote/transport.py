"""HTTP plumbing shared by the remote backends: one client, capped bodies, typed failures.

Every httpx failure leaves here as a backends.errors.BackendError subclass with a message a
person can act on; the backends never see raw httpx exceptions.
"""

from __future__ import annotations

import asyncio
import concurrent.futures.thread  # noqa: F401  (preloaded: see below)
import json
import re
from dataclasses import dataclass
from typing import Any

# httpx loads its connection machinery (httpcore, h11, anyio's socket layer) lazily, on the
# first request; importing it with this module keeps that cost out of the first probe round,
# whose budget is network time (nothing listening: <= 50 ms). The cost moves, it does not
# vanish: scripts/bench_detect.py reports the import separately.
import anyio.lowlevel  # noqa: F401
import anyio.streams.memory  # noqa: F401
import anyio.streams.stapled  # noqa: F401
import anyio.streams.tls  # noqa: F401
import httpcore  # noqa: F401

from backends.errors import BackendError, BackendProtocolError, BackendTimeout, BackendUnavailable
from backends.remote._httpx import httpx

#: The most of a response body caro reads; a bigger body is a broken or hostile server.
MAX_BODY_BYTES = 1_000_000


class BackendHTTPError(BackendProtocolError):
    """The server answered with an HTTP error status; `status` says which."""

    def __init__(self, message: str, *, status: int, backend: str | None = None) -> None:
        super().__init__(message, backend=backend)
        self.status = status


class BackendServerError(BackendHTTPError):
    """A 5xx answer: the server is up but failing."""

    type_name = "backend_server"


@dataclass
class JSONResponse:
    status: int
    body: Any  # the decoded JSON, or None for an empty body
    elapsed_ms: float


def normalize_base_url(url: str) -> str:
    """'http://host:1234/v1/' -> 'http://host:1234': paths are added per endpoint."""
    url = url.strip().rstrip("/")
    if url.endswith("/v1"):
        url = url[: -len("/v1")]
    if url and "://" not in url:
        url = "http://" + url
    return url


def make_client(base_url: str, *, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    """A client for one server.

    Plain-http servers skip certificate loading (it costs tens of ms and is unused); proxies from
    the environment apply only to https servers, so a local server is always reached directly.
    """
    secure = base_url.startswith("https://")
    return httpx.AsyncClient(
        base_url=base_url,
        # No brotli/zstd: sizes are counted after decoding, chunk by chunk.
        headers={"accept-encoding": "gzip, deflate", **(headers or {})},
        verify=secure,
        trust_env=secure,
        follow_redirects=False,
    )


async def request_json(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    backend: str,
    timeout: float,
    payload: Any = None,
    max_bytes: int = MAX_BODY_BYTES,
) -> JSONResponse:
    """Send one request and decode its JSON body, within `timeout` seconds wall-clock in all.

    Raises BackendUnavailable (refused), BackendTimeout, BackendServerError (5xx),
    BackendHTTPError (other 4xx), BackendProtocolError (HTML, bad JSON, body too big).
    """
    url = f"{client.base_url}".rstrip("/") + path
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        # httpx's timeout bounds each network step; wait_for bounds the whole exchange so a
        # server dripping bytes slowly cannot hold caro past its timeout.
        status, headers, data = await asyncio.wait_for(
            _exchange(client, method, path, payload, timeout, max_bytes, backend, url),
            timeout=timeout,
        )
    except asyncio.TimeoutError:
        raise BackendTimeout(
            f"{backend}: no complete answer from {url} within {timeout:g} s", backend=backend
        ) from None
    except httpx.TimeoutException:
        raise BackendTimeout(
            f"{backend}: no answer from {url} within {timeout:g} s", backend=backend
        ) from None
    except httpx.ConnectError as exc:
        raise BackendUnavailable(
            f"{backend}: cannot connect to {url} ({_reason(exc)})", backend=backend
        ) from None
    except httpx.RemoteProtocolError as exc:
        raise BackendProtocolError(
            f"{backend}: {url} broke the HTTP exchange ({_reason(exc)})", backend=backend
        ) from None
    except httpx.HTTPError as exc:
        raise BackendError(
            f"{backend}: request to {url} failed ({_reason(exc)})", backend=backend
        ) from None
    elapsed_ms = (loop.time() - started) * 1000
    body = _decode(data, headers, status, backend=backend, url=url)
    if status >= 400:
        message = error_message(body) or f"HTTP {status}"
        cls = BackendServerError if status >= 500 else BackendHTTPError
        raise cls(f"{backend}: {url} answered {status}: {message}", status=status, backend=backend)
    return JSONResponse(status=status, body=body, elapsed_ms=elapsed_ms)


async def _exchange(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    payload: Any,
    timeout: float,
    max_bytes: int,
    backend: str,
    url: str,
) -> tuple[int, httpx.Headers, bytes]:
    kwargs: dict[str, Any] = {"timeout": httpx.Timeout(timeout)}
    if payload is not None:
        kwargs["json"] = payload
    async with client.stream(method, path, **kwargs) as response:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise _too_big(backend, url, max_bytes, response.status_code)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                # Stop here: leaving the block closes the stream with the rest unread.
                raise _too_big(backend, url, max_bytes, response.status_code)
            chunks.append(chunk)
        return response.status_code, response.headers, b"".join(chunks)


def _too_big(backend: str, url: str, max_bytes: int, status: int) -> BackendProtocolError:
    return BackendProtocolError(
        f"{backend}: {url} sent a body over {max_bytes // 1_000_000 or 1} MB "
        f"(status {status}); stopped reading",
        backend=backend,
    )


def _decode(data: bytes, headers: httpx.Headers, status: int, *, backend: str, url: str) -> Any:
    if not data.strip():
        return None
    kind = headers.get("content-type", "").lower()
    text = data.decode("utf-8", errors="replace")
    looks_html = "html" in kind or text.lstrip()[:15].lower().startswith(("<!doctype", "<html"))
    if looks_html:
        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.S | re.I)
        what = f" ({title.group(1).strip()[:120]})" if title else ""
        raise BackendHTTPError(
            f"{backend}: {url} returned an HTML page{what} with status {status}, not JSON; "
            "is this the right server and port?",
            status=status,
            backend=backend,
        )
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        if status >= 400:
            return {"error": text.strip()[:300]}
        raise BackendProtocolError(
            f"{backend}: {url} returned malformed JSON (status {status}): {text.strip()[:120]!r}",
            backend=backend,
        ) from None


def error_message(body: Any) -> str | None:
    """The human part of an error body: OpenAI's {"error": {"message"}}, Ollama's {"error"}."""
    if not isinstance(body, dict):
        return None
    error = body.get("error", body.get("detail", body.get("message")))
    if isinstance(error, dict):
        error = error.get("message") or json.dumps(error)[:300]
    if isinstance(error, list):
        error = json.dumps(error)[:300]
    return str(error)[:300] if error else None


def _reason(exc: BaseException) -> str:
    """The root cause in a few words: 'connection refused', 'name not known', ..."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        text = str(seen).lower()
        if "refused" in text or "errno 111" in text:
            return "connection refused"
        if "name or service not known" in text or "nodename nor servname" in text:
            return "host name not found"
        seen = seen.__cause__ or seen.__context__
    text = str(exc).strip()
    if text == "All connection attempts failed":
        return "nothing is listening there"
    return text[:200] or type(exc).__name__
