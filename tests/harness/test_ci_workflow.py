"""The scenario-replay CI a user copies: the GitHub workflow and the documented GitLab job are valid and do
what the README says (install with pip's cache and the constraints, replay, publish junit.xml and report.html)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "scenario-replay.yml"
GITLAB_DOC = ROOT / "docs" / "scenario-replay-ci.md"
INSTALL = 'python -m pip install -c constraints.txt -e ".[dev]"'


def _schema_check(path: Path, schema: str) -> subprocess.CompletedProcess[str]:
    """check-jsonschema with the schema it vendors from SchemaStore (no download)."""
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _gitlab_job(tmp_path: Path) -> Path:
    block = re.search(r"```yaml\n(.*?)```", GITLAB_DOC.read_text(), re.DOTALL)
    assert block, "no yaml block in docs/scenario-replay-ci.md"
    path = tmp_path / ".gitlab-ci.yml"
    path.write_text(block.group(1))
    return path


def test_workflow_is_valid_for_github() -> None:
    """The workflow validates against GitHub's workflow schema (SchemaStore's, vendored by check-jsonschema)."""
    result = _schema_check(WORKFLOW, "vendor.github-workflows")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The same check fails on a workflow GitHub would reject (a misspelt runs-on, a non-numeric timeout)."""
    broken = tmp_path / "broken.yml"
    text = WORKFLOW.read_text().replace("runs-on:", "runs_on:")
    broken.write_text(text.replace("timeout-minutes: 30", "timeout-minutes: soon"))
    result = _schema_check(broken, "vendor.github-workflows")
    assert result.returncode == 1
    assert "'runs-on' is a required property" in result.stdout


@pytest.mark.skipif(
    shutil.which("actionlint") is None,
    reason="actionlint is not installed (its PyPI wrapper downloads a binary from GitHub); the schema check above still runs",
)
def test_workflow_passes_actionlint() -> None:
    """actionlint, when on PATH, also checks expressions, action inputs and shell scripts."""
    result = subprocess.run(["actionlint", str(WORKFLOW)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_installs_with_cache_replays_and_publishes() -> None:
    """pip cache keyed on the pins, the README's install, `alex-harness replay`, both files uploaded even on failure."""
    workflow = yaml.safe_load(WORKFLOW.read_text())
    steps = workflow["jobs"]["replay"]["steps"]
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["cache"] == "pip" and "constraints.txt" in python["with"]["cache-dependency-path"]
    runs = [s.get("run", "") for s in steps]
    assert INSTALL in runs and any(r.startswith("alex-harness replay") for r in runs)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["if"] == "${{ !cancelled() }}"
    assert {"scenario-results/junit.xml", "scenario-results/report.html"} <= set(upload["with"]["path"].split())


def test_documented_gitlab_job_is_valid_and_publishes(tmp_path: Path) -> None:
    """The GitLab job in docs/ validates against GitLab's CI schema and publishes both files and a junit report."""
    path = _gitlab_job(tmp_path)
    result = _schema_check(path, "vendor.gitlab-ci")
    assert result.returncode == 0, result.stdout + result.stderr
    job = yaml.safe_load(path.read_text())["scenario-replay"]
    assert INSTALL in job["script"] and any(s.startswith("alex-harness replay") for s in job["script"])
    assert job["artifacts"]["when"] == "always" and job["artifacts"]["reports"]["junit"] == "scenario-results/junit.xml"
    assert {"scenario-results/junit.xml", "scenario-results/report.html"} <= set(job["artifacts"]["paths"])
    assert job["cache"]["paths"] == [".cache/pip"]
