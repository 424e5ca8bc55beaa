"""Dependencies point one way: caro_py (the app) on top; backends, config and safety below.

Read from the source with ``ast``, so an import placed inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APP = "caro_py"
LOWER = ("backends", "config", "safety")
PACKAGES = (APP, *LOWER)


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(PACKAGES)


def package_graph() -> dict[str, dict[str, list[str]]]:
    """package -> imported package -> the files that import it."""
    graph: dict[str, dict[str, list[str]]] = {name: {} for name in PACKAGES}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            for other in imported_packages(path) - {package}:
                graph[package].setdefault(other, []).append(str(path.relative_to(REPO)))
    return graph


def test_nothing_below_the_app_imports_it() -> None:
    graph = package_graph()
    offenders = {pkg: graph[pkg][APP] for pkg in LOWER if APP in graph[pkg]}
    assert offenders == {}


def test_no_two_packages_import_each_other() -> None:
    graph = package_graph()
    cycles = sorted((a, b) for a in PACKAGES for b in graph[a] if a < b and a in graph.get(b, {}))
    assert cycles == [], {
        pair: (graph[pair[0]][pair[1]], graph[pair[1]][pair[0]]) for pair in cycles
    }


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from caro_py.errors import UsageError\n    import safety\n")
    assert imported_packages(module) == {"caro_py", "safety"}
