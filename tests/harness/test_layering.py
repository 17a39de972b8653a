"""The layers of the harness, enforced: the generic kit never imports Alex, only the moto adapter imports moto, no cycles.

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
    children = {
        f"harness.{p.stem}"
        for p in (ROOT / "harness").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    assert children - {"harness.alexkit"} == set(_generic_contract()["source_modules"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("violation", "refusal"),
    [
        ("import alex.schemas", "harness.serving is not allowed to import alex"),
        ("import moto.sqs.models", "Illegal imports of protected package moto"),
    ],
    ids=["kit-imports-alex", "moto-outside-its-adapter"],
)
def test_the_contract_fails_on_a_deliberate_violation(tmp_path: Path, violation: str, refusal: str) -> None:
    """A copy of the tree where a generic module imports Alex, or moto past its adapter: lint-imports must refuse it."""
    shutil.copytree(ROOT / "harness", tmp_path / "harness", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "agents" / "alex", tmp_path / "agents" / "alex", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(CONFIG, tmp_path / "pyproject.toml")
    serving = tmp_path / "harness" / "serving.py"
    serving.write_text(serving.read_text() + f"\n{violation}  # the deliberate violation\n")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            'import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command(["--no-cache"]))',
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": f"{tmp_path}:{tmp_path / 'agents'}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert refusal in done.stdout, done.stdout


def test_moto_is_imported_only_by_its_adapter() -> None:
    """What the protected contract says, read off the import graph: every importer of moto is in the adapter."""
    graph = grimp.build_graph("harness", include_external_packages=True, cache_dir=None)
    importers = graph.find_modules_that_directly_import("moto")
    assert importers, "no module imports moto: the check is stale"
    assert {m for m in importers if not m.startswith("harness.cloud.moto_adapter.")} == set()


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
