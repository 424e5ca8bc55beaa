"""`caro --version` and `caro --help` stay light: no httpx, rich, llama_cpp or tree_sitter.

Timing itself lives in scripts/bench_startup.py (figures, not a timed test).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = (
    "httpx",
    "rich",
    "llama_cpp",
    "tree_sitter",
    "tree_sitter_bash",
    "config.loader",
    "caro_py.knowledge",
    "sqlite3",
)
PROBE = """
import sys
from caro_py.cli import main
sys.argv = ["caro", *{args!r}]
try:
    main()
except SystemExit as exit:
    code = exit.code
print("EXIT", code, file=sys.stderr)
print("LOADED", ",".join(m for m in {heavy!r} if sys.modules.get(m)), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["-h"]])
def test_fast_paths_import_nothing_heavy(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args, heavy=HEAVY)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    lines = dict(line.split(" ", 1) for line in done.stderr.splitlines() if " " in line)
    assert lines.get("EXIT") in ("0", "None"), done.stderr
    assert lines.get("LOADED", "").strip() == "", f"heavy imports: {lines.get('LOADED')}"
    assert done.stdout.strip()


def test_version_output() -> None:
    from caro_py import __version__

    done = subprocess.run(
        [sys.executable, "-m", "caro_py", "--version"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"caro {__version__}"


def test_json_generate_path_loads_neither_rich_nor_httpx_cli(fake_server, tmp_path) -> None:
    """--json prints no rich output, and httpx's own CLI (rich, pygments) stays unloaded."""
    config = tmp_path / "fallback-off.toml"
    config.write_text("fallback = false\n", encoding="utf-8")
    fake_server.answer_command("du -sh .")
    args = ["--config", str(config), "--json", "-n", "--backend", "lmstudio"]
    args += ["--base-url", fake_server.url, "show disk usage"]
    heavy = ("httpx", "rich", "pygments", "httpx._main", "llama_cpp")
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args, heavy=heavy)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    lines = dict(line.split(" ", 1) for line in done.stderr.splitlines() if " " in line)
    assert lines.get("EXIT") in ("0", "None"), done.stderr
    assert '"command": "du -sh ."' in done.stdout
    assert lines.get("LOADED", "").strip() == "httpx"  # the backend needs httpx itself only
