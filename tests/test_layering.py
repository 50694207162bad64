"""Layers point one way: no import circles in gpkit (lazy imports inside functions included), and no library
module downloads or installs packages (make data and make browser do)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import gpkit

ROOT = Path(gpkit.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in paths}
    for mod, path in paths.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            else:
                continue
            graph[mod] |= {t for t in targets if t in paths and t != mod}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_there_are_no_import_circles():
    graph = _import_graph()
    assert graph["gpkit.data.fetch"], "the graph sees imports"
    assert _cycles(graph) == []
    # a circle is found when there is one
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]


def test_only_the_data_sources_run_package_managers():
    pattern = re.compile(r"""["'](apt-get|apt|npm|pip|dpkg-deb)["']""")
    for path in sorted(ROOT.rglob("*.py")):
        if path.name == "sources.py" and path.parent.name == "data":
            continue
        assert not pattern.search(path.read_text()), f"{path.relative_to(ROOT)} runs a package manager"


def test_reading_never_fetches():
    for name in ("images.py", "text.py", "layout.py"):
        text = (ROOT / "data" / name).read_text()
        assert "gpkit.data.sources" not in text.replace(":mod:`gpkit.data.sources`", "").replace(
            ":func:`gpkit.data.sources.prepare_fortunes`", ""), name
