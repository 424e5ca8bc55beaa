"""scripts/bench_router.py: which OS an everyday request is routed for."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from bench_router import os_of_tool  # noqa: E402


def test_a_tool_with_pages_only_for_macos_is_routed_for_macos(tmp_path: Path) -> None:
    for platform, name in [("osx", "diskutil"), ("osx", "ls"), ("common", "ls"), ("linux", "ip")]:
        (tmp_path / platform).mkdir(exist_ok=True)
        (tmp_path / platform / f"{name}.md").write_text(f"# {name}\n")
    assert os_of_tool("diskutil", tmp_path) == "darwin"
    assert os_of_tool("ls", tmp_path) == "linux"  # a common page too
    assert os_of_tool("ip", tmp_path) == "linux"
    assert os_of_tool("no-such-tool", tmp_path) == "linux"
