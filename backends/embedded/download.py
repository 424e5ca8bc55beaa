"""Fetch a model file: streamed, resumable (HTTP Range), checked against its sha256.

The file appears at its final path only complete and verified (written to ``NAME.part``,
fsynced, then renamed). A cut connection keeps the ``.part`` so the next attempt resumes
from where it stopped; a checksum mismatch deletes it. Every failure is a ModelError
(exit 3) whose message lists what the user can do instead.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import IO, Any

from backends.errors import ModelError

RETRIES = 3  # extra attempts after a connection cut, each resuming with a Range request


def _options() -> str:
    from backends.embedded.models import options_text

    return options_text()


def _fail(message: str) -> ModelError:
    return ModelError(f"{message} {_options()}", backend="embedded")


def _progress(total: int | None, done: int, name: str, enabled: bool) -> Any:
    """A rich progress bar on stderr, or None when disabled."""
    if not enabled:
        return None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    bar.start()
    bar.add_task(f"Downloading {name}", total=total, completed=done)
    return bar


def _hash_existing(path: Path) -> tuple[Any, int]:
    digest = hashlib.sha256()
    size = 0
    if path.exists():
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    return digest, size


def _total_from(response: Any, offset: int) -> int | None:
    content_range = response.headers.get("content-range", "")
    if "/" in content_range and not content_range.endswith("/*"):
        return int(content_range.rsplit("/", 1)[1])
    length = response.headers.get("content-length")
    return int(length) + offset if length is not None else None


def download(
    url: str,
    dest: Path,
    *,
    sha256: str | None,
    size: int | None = None,
    timeout: float = 30.0,
    progress: bool = True,
    headers: dict[str, str] | None = None,
) -> str:
    """Download ``url`` to ``dest`` and return the file's sha256 (hex).

    ``sha256`` None means the caller has no pinned hash: the file is kept, but a warning
    says it could not be verified.
    """
    from backends.remote._httpx import httpx

    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    digest, offset = _hash_existing(part)
    bar = None
    last_error: Exception | None = None
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client:
            for _attempt in range(RETRIES + 1):
                request_headers = dict(headers or {})
                if offset:
                    request_headers["Range"] = f"bytes={offset}-"
                try:
                    with client.stream("GET", url, headers=request_headers) as response:
                        if response.status_code == 416 and offset:
                            break  # the .part already holds the whole file
                        if response.status_code == 404:
                            raise _fail(f"{url} was not found (HTTP 404).")
                        if response.status_code not in (200, 206):
                            raise _fail(f"Downloading {url} failed: HTTP {response.status_code}.")
                        if response.status_code == 200 and offset:
                            # The server ignored the Range request: start over.
                            digest, offset = hashlib.sha256(), 0
                        total = _total_from(response, offset)
                        if size is not None and total is not None and total != size:
                            raise _fail(f"{url} is {total} bytes, but the catalog expects {size}.")
                        if bar is None:
                            bar = _progress(total, offset, dest.name, progress)
                        mode = "ab" if offset else "wb"
                        with part.open(mode) as out:
                            offset = _copy(response, out, digest, offset, bar)
                            out.flush()
                            os.fsync(out.fileno())
                    if total is None or offset >= total:
                        break
                    last_error = httpx.RemoteProtocolError("body shorter than announced")
                except (httpx.TimeoutException, httpx.TransportError) as exc:
                    last_error = exc
                    if isinstance(exc, (httpx.ConnectError, httpx.TimeoutException)):
                        raise _fail(_network_message(url, exc, part)) from exc
                    # A cut mid-body: every chunk written was hashed, so resume from here.
                    offset = part.stat().st_size if part.exists() else 0
            else:
                raise _fail(_network_message(url, last_error, part))
    finally:
        if bar is not None:
            bar.stop()

    actual = digest.hexdigest()
    if size is not None and part.stat().st_size != size:
        part.unlink(missing_ok=True)
        raise _fail(
            f"{dest.name}: got {offset} bytes, expected {size}; the partial file was removed."
        )
    if sha256 is not None and actual != sha256.lower():
        part.unlink(missing_ok=True)
        raise _fail(
            f"{dest.name} failed its checksum (sha256 {actual}, expected {sha256}); "
            "the download was removed."
        )
    if sha256 is None:
        print(
            f"caro: warning: {dest.name} could not be verified: no sha256 is pinned for it "
            f"(downloaded file's sha256 is {actual}).",
            file=sys.stderr,
        )
    os.replace(part, dest)
    return actual


def _copy(response: Any, out: IO[bytes], digest: Any, offset: int, bar: Any) -> int:
    for chunk in response.iter_bytes():  # as received, so a cut loses nothing buffered
        out.write(chunk)
        digest.update(chunk)
        offset += len(chunk)
        if bar is not None:
            bar.update(bar.task_ids[0], completed=offset)
    return offset


def _network_message(url: str, exc: Exception | None, part: Path) -> str:
    kept = (
        f" The partial download ({part.stat().st_size} bytes) is kept in {part}; "
        "the next attempt resumes it."
        if part.exists() and part.stat().st_size
        else ""
    )
    what = type(exc).__name__ if exc is not None else "connection lost"
    return f"Could not download {url} ({what}: {exc}); are you offline?{kept}"
