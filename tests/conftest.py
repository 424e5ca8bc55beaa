"""Shared fixtures: keep every test away from the user's config and caches; a fake server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from tests.fakeserver import FakeChatServer

REPO = Path(__file__).resolve().parent.parent
CARO_ENV_VARS = ("CARO_BACKEND", "CARO_MODEL", "CARO_SAFETY", "CARO_SHELL", "CARO_CONFIG")


@pytest.fixture(scope="session")
def worker_runtime_dir() -> Iterator[Path]:
    """The runtime directory of this test session's embedded workers (the user's stay apart).

    Short and in the temp directory (a socket path has about 100 bytes); every worker started
    there is told to exit at the end of the session.
    """
    path = Path(tempfile.mkdtemp(prefix="caro-rt-"))
    yield path
    stop_workers(path)
    shutil.rmtree(path, ignore_errors=True)


def stop_workers(runtime: Path) -> None:
    """Tell the worker whose socket is under ``runtime`` (if any) to exit."""
    if (runtime / "caro" / "embedded.sock").exists():
        subprocess.run(
            [sys.executable, "-m", "caro_py", "--stop-worker"],
            env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
            capture_output=True,
            timeout=60,
            cwd=REPO,
        )


@pytest.fixture(autouse=True)
def _isolate_caro(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, worker_runtime_dir: Path
) -> None:
    """No test reads or writes ~/.caro or the user's cache; no CARO_* leaks in from outside.

    The embedded model store (CARO_CACHE_DIR) stays where it is unless a test moves it,
    so the packaged model is not rebuilt for every test.
    """
    if not os.environ.get("CARO_CACHE_DIR"):
        try:
            from backends.embedded.models import cache_root
        except ImportError:  # no model store (yet): nothing to keep in place
            pass
        else:
            monkeypatch.setenv("CARO_CACHE_DIR", str(cache_root()))
    for name in CARO_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    # An empty file that exists: a missing CARO_CONFIG file earns a warning on stderr.
    config = tmp_path / "caro-home" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.touch()
    monkeypatch.setenv("CARO_CONFIG", str(config))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    # The request history (caro_py/history.py) lands in the test's own data directory.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("CARO_HISTORY_FILE", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(worker_runtime_dir))


@pytest.fixture
def fake_server() -> Iterator[FakeChatServer]:
    server = FakeChatServer().start()
    try:
        yield server
    finally:
        server.stop()


def run_caro(
    args: Sequence[str],
    *,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 30,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """caro as a real process (stdin/stdout are pipes, so not a terminal)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "caro_py", *args],
        input=input if input is not None else "",
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=cwd or REPO,
    )


# ------------------------------------------------------------------ the --json contract

JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "null": (type(None),),
    "array": (list,),
    "boolean": (bool,),
    "object": (dict,),
}
RISKS = ("safe", "moderate", "high", "critical")
DECISIONS = ("allow", "confirm", "block")


def json_type_ok(value: object, name: str) -> bool:
    if name == "integer":  # bool is an int in Python, never in JSON
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, JSON_TYPES[name])


def assert_result_schema(obj: dict) -> None:
    """Every field of caro's --json object, with its type (caro_py.jsonout.SCHEMA)."""
    from caro_py.jsonout import FINDING_FIELDS, SCHEMA, TIMING_FIELDS

    assert isinstance(obj, dict)
    assert set(obj) == set(SCHEMA), f"fields differ: {sorted(set(obj) ^ set(SCHEMA))}"
    for key, types in SCHEMA.items():
        assert any(json_type_ok(obj[key], t) for t in types), f"{key}={obj[key]!r} not {types}"
    assert all(isinstance(name, str) for name in obj["fallback_from"])
    assert obj["risk"] in (None, *RISKS)
    assert obj["decision"] in (None, *DECISIONS)
    assert set(obj["timings_ms"]) == set(TIMING_FIELDS)
    for key, value in obj["timings_ms"].items():
        assert value is None or (isinstance(value, (int, float)) and value >= 0), key
    assert isinstance(obj["timings_ms"]["total"], (int, float))
    for finding in obj["findings"]:
        assert set(finding) == set(FINDING_FIELDS)
        assert isinstance(finding["rule_id"], str) and isinstance(finding["message"], str)
        assert isinstance(finding["category"], str)
        start, end = finding["span"]
        assert isinstance(start, int) and isinstance(end, int) and 0 <= start <= end
        assert finding["risk"] in RISKS
    if obj["error"] is not None:
        assert set(obj["error"]) == {"type", "message"}
        assert isinstance(obj["error"]["type"], str) and obj["error"]["message"]
