"""The model download against a real local HTTP server (pytest-httpserver)."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from backends.embedded.download import download
from caro_py.errors import EXIT_BACKEND, ModelError, exit_code_of

BODY = os.urandom(300_000)
SHA = hashlib.sha256(BODY).hexdigest()


def _ranged(request: Request) -> Response:
    """Serve BODY, honouring a `Range: bytes=N-` header like Hugging Face's CDN does."""
    header = request.headers.get("Range")
    if header:
        start = int(header.removeprefix("bytes=").rstrip("-"))
        part = BODY[start:]
        return Response(
            part,
            status=206,
            headers={"Content-Range": f"bytes {start}-{len(BODY) - 1}/{len(BODY)}"},
        )
    return Response(BODY, status=200)


def test_download_success_verifies_and_leaves_no_part(httpserver: HTTPServer, tmp_path: Path):
    httpserver.expect_request("/m.gguf").respond_with_data(BODY)
    dest = tmp_path / "models" / "m.gguf"

    sha = download(httpserver.url_for("/m.gguf"), dest, sha256=SHA, progress=False)

    assert sha == SHA
    assert dest.read_bytes() == BODY
    assert not (dest.parent / "m.gguf.part").exists()


def test_download_resumes_a_partial_file_with_range(httpserver: HTTPServer, tmp_path: Path):
    dest = tmp_path / "m.gguf"
    (tmp_path / "m.gguf.part").write_bytes(BODY[:120_000])  # a previous run was cut here
    seen: list[str | None] = []

    def handler(request: Request) -> Response:
        seen.append(request.headers.get("Range"))
        return _ranged(request)

    httpserver.expect_request("/m.gguf").respond_with_handler(handler)

    assert download(httpserver.url_for("/m.gguf"), dest, sha256=SHA, progress=False) == SHA
    assert seen == ["bytes=120000-"]
    assert dest.read_bytes() == BODY


def test_download_resumes_after_a_cut_mid_body(httpserver: HTTPServer, tmp_path: Path):
    """The server drops the connection after 100 kB; the retry asks for the rest."""
    calls: list[str | None] = []

    def handler(request: Request) -> Response:
        calls.append(request.headers.get("Range"))
        if len(calls) == 1:
            # Announce the whole length, send a third of it, then close the connection.
            return Response(
                iter([BODY[:100_000]]),
                status=200,
                headers={"Content-Length": str(len(BODY))},
                direct_passthrough=True,
            )
        return _ranged(request)

    httpserver.expect_request("/m.gguf").respond_with_handler(handler)
    dest = tmp_path / "m.gguf"

    assert download(httpserver.url_for("/m.gguf"), dest, sha256=SHA, progress=False) == SHA
    assert calls[0] is None and calls[1] == "bytes=100000-"
    assert dest.read_bytes() == BODY


def test_checksum_mismatch_removes_the_file(httpserver: HTTPServer, tmp_path: Path):
    httpserver.expect_request("/m.gguf").respond_with_data(BODY)
    dest = tmp_path / "m.gguf"

    with pytest.raises(ModelError) as info:
        download(httpserver.url_for("/m.gguf"), dest, sha256="0" * 64, progress=False)

    assert "checksum" in info.value.message and "removed" in info.value.message
    assert exit_code_of(info.value) == EXIT_BACKEND
    assert not dest.exists()
    assert not (tmp_path / "m.gguf.part").exists()


def test_404_is_a_model_error_listing_the_options(httpserver: HTTPServer, tmp_path: Path):
    httpserver.expect_request("/missing.gguf").respond_with_data("no", status=404)
    dest = tmp_path / "models" / "missing.gguf"

    with pytest.raises(ModelError) as info:
        download(httpserver.url_for("/missing.gguf"), dest, sha256=SHA, progress=False)

    message = info.value.message
    assert "404" in message
    assert "embedded.model_path" in message and "--backend" in message
    assert exit_code_of(info.value) == EXIT_BACKEND
    assert not dest.parent.exists() or list(dest.parent.iterdir()) == []  # no partial file


def test_timeout_is_a_model_error(httpserver: HTTPServer, tmp_path: Path):
    def slow(request: Request) -> Response:
        time.sleep(1.5)
        return Response(BODY)

    httpserver.expect_request("/slow.gguf").respond_with_handler(slow)
    dest = tmp_path / "slow.gguf"
    started = time.monotonic()

    with pytest.raises(ModelError) as info:
        download(httpserver.url_for("/slow.gguf"), dest, sha256=SHA, timeout=0.3, progress=False)

    assert time.monotonic() - started < 1.4
    assert "offline" in info.value.message and "Timeout" in info.value.message
    assert not dest.exists()


def test_refused_connection_is_a_model_error(tmp_path: Path):
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ModelError) as info:
        download(f"http://127.0.0.1:{port}/m.gguf", tmp_path / "m.gguf", sha256=SHA, progress=False)
    assert "ConnectError" in info.value.message


def test_unpinned_hash_warns_that_it_cannot_verify(
    httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    httpserver.expect_request("/m.gguf").respond_with_data(BODY)
    dest = tmp_path / "m.gguf"

    assert download(httpserver.url_for("/m.gguf"), dest, sha256=None, progress=False) == SHA

    err = capsys.readouterr().err
    assert "could not be verified" in err and SHA in err
    assert dest.read_bytes() == BODY


def test_wrong_size_is_refused(httpserver: HTTPServer, tmp_path: Path):
    httpserver.expect_request("/m.gguf").respond_with_data(BODY)
    with pytest.raises(ModelError) as info:
        download(
            httpserver.url_for("/m.gguf"),
            tmp_path / "m.gguf",
            sha256=None,
            size=len(BODY) + 1,
            progress=False,
        )
    assert "expects" in info.value.message
    assert not (tmp_path / "m.gguf").exists()


def test_progress_bar_goes_to_stderr(
    httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    httpserver.expect_request("/m.gguf").respond_with_data(BODY)
    download(httpserver.url_for("/m.gguf"), tmp_path / "m.gguf", sha256=SHA, progress=True)
    out = capsys.readouterr()
    assert out.out == ""
