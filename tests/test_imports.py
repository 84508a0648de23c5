"""The package's shape: no import circles between its modules (counting imports inside functions),
and importing it binds nothing in the libraries it uses."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            found |= {t for t in targets if t in modules and t != name}
        graph[name] = found - {n for n in found if name.startswith(n + ".")}  # a package's __init__
    return graph


def test_no_import_circles():
    graph = imports()
    circles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                circles.append(" → ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not circles, circles


def test_the_checker_does_not_import_the_typesetter():
    graph = imports()
    typesetter = ("pipeline.pdf.lines", "pipeline.pdf.grid", "pipeline.pdf.prepare", "pipeline.pdf.render")
    checker = [m for m in graph if m.startswith("pipeline.conformance")]
    assert checker and not {d for m in checker for d in graph[m] if d in typesetter}


def test_importing_the_pipeline_binds_nothing_in_weasyprint():
    code = """
import weasyprint.layout.inline as inline, weasyprint.layout.block as block, weasyprint.pdf.fonts as fonts, os
before = (inline.split_first_line, inline.justify_line, block.block_level_layout, fonts.Font.__dict__.get("type"))
import pipeline.cli, pipeline.pdf.render, pipeline.orchestrate.convert, pipeline.orchestrate.flows
import pipeline.conformance.check, pipeline.portal.web
after = (inline.split_first_line, inline.justify_line, block.block_level_layout, fonts.Font.__dict__.get("type"))
assert before == after, "importing the pipeline rebound WeasyPrint's functions"
assert "SOURCE_DATE_EPOCH" not in os.environ, "importing the pipeline set SOURCE_DATE_EPOCH"
"""
    env = {k: v for k, v in __import__("os").environ.items() if k != "SOURCE_DATE_EPOCH"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr


def test_every_package_is_shipped():
    """pyproject.toml lists every package folder, so a built wheel holds all of them."""
    import tomllib

    listed = set(
        tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    )
    folders = {module_name(p.parent / "__init__.py") for p in PACKAGE.rglob("__init__.py")}
    assert folders <= listed, folders - listed
