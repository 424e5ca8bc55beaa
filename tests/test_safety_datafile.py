"""The validator's TOML data files are read through a cache that never serves stale data."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from safety.datafile import read_toml


@pytest.fixture
def writes_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def _cache(path: Path) -> Path:
    return path.parent / "__pycache__" / f"{path.name}.marshal"


@pytest.mark.usefixtures("writes_caches")
def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text('[[rule]]\nid = "a"\n', encoding="utf-8")
    assert read_toml(path) == {"rule": [{"id": "a"}]}
    assert _cache(path).is_file()
    path.write_text('[[rule]]\nid = "bb"\n', encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a different modification time, whatever the clock does
    assert read_toml(path) == {"rule": [{"id": "bb"}]}
    assert read_toml(path) == {"rule": [{"id": "bb"}]}  # now from the cache


@pytest.mark.usefixtures("writes_caches")
def test_a_broken_cache_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text("a = 1\n", encoding="utf-8")
    read_toml(path)
    _cache(path).write_bytes(b"\x00garbage")
    assert read_toml(path) == {"a": 1}


@pytest.mark.usefixtures("writes_caches")
def test_an_unwritable_folder_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text("a = 1\n", encoding="utf-8")
    (tmp_path / "__pycache__").write_text("not a folder", encoding="utf-8")
    assert read_toml(path) == {"a": 1}


def test_no_cache_is_written_when_python_is_told_not_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    path = tmp_path / "x.toml"
    path.write_text("a = 1\n", encoding="utf-8")
    assert read_toml(path) == {"a": 1}
    assert not (tmp_path / "__pycache__").exists()
