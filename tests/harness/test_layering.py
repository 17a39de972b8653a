"""The two layers of the harness, enforced: the generic kit never imports Alex, and no module cycles.

The contracts live in pyproject.toml ([tool.importlinter]) and are checked with import-linter
here, so ``python3 -m pytest`` (what CI runs) fails the build when the kit imports Alex.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "pyproject.toml"


def _generic_contract() -> dict[str, object]:
    contracts = tomllib.loads(CONFIG.read_text())["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if "harness.alexkit" in c["forbidden_modules"])


def test_import_contracts_hold() -> None:
    assert lint_imports(config_filename=str(CONFIG), no_cache=True) == 0


def test_every_generic_package_is_under_the_contract() -> None:
    """A new child of ``harness`` is generic unless it is ``alexkit``: it must be in the contract."""
    children = {f"harness.{p.stem}" for p in (ROOT / "harness").iterdir()
                if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()}
    assert children - {"harness.alexkit"} == set(_generic_contract()["source_modules"])  # type: ignore[arg-type]


def test_the_contract_fails_on_a_deliberate_violation(tmp_path: Path) -> None:
    """A copy of the tree where a generic module imports Alex: lint-imports must refuse it."""
    shutil.copytree(ROOT / "harness", tmp_path / "harness", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "agents" / "alex", tmp_path / "agents" / "alex", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(CONFIG, tmp_path / "pyproject.toml")
    serving = tmp_path / "harness" / "serving.py"
    serving.write_text(serving.read_text() + "\nimport alex.schemas  # the deliberate violation\n")
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command([\"--no-cache\"]))"],
        cwd=tmp_path, env={"PYTHONPATH": f"{tmp_path}:{tmp_path / 'agents'}", "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode != 0
    assert "harness.serving is not allowed to import alex" in done.stdout


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


@pytest.mark.parametrize("package", ["harness", "alex"])
def test_no_import_cycles(package: str) -> None:
    """Type-checking imports count too: a component types against a host interface, not the server."""
    assert _cycles(grimp.build_graph(package, cache_dir=None)) == []
