"""Templates primed with what first invocations import lazily (harness/cloud/awslambda/import_profile.py).

Not an AWS behaviour but the harness's stand-in for SnapStart priming: what a function's
invocations return must not change, only where its lazy imports run.
"""

from __future__ import annotations

import json
import logging
import uuid

import pytest

from harness.cloud.awslambda.import_profile import ImportProfiles
from tests.lambda_code import invoke_json, zip_source

pytestmark = pytest.mark.emulation

HANDLER = """
import os, sys

def handler(event, context):
    name = event["module"]
    already = name in sys.modules
    module = __import__(name)
    return {"preloaded": already, "pid": os.getpid(), "value": module.VALUE, "init_type": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"]}
"""
LAZY = """
import os
VALUE = "lazy " + os.environ.get("MARK", "?")
"""
THREADED = """
import threading, time
threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
VALUE = "threaded"
"""


def _create(lam, role: str, name: str, **kwargs) -> None:
    # A unique comment gives each test its own code (and so its own import profile).
    source = HANDLER + f"# {uuid.uuid4().hex}\n"
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": zip_source(source, **{"lazy_mod.py": LAZY, "threaded_mod.py": THREADED})},
        Timeout=10,
        Environment={"Variables": {"MARK": "set"}},
        **kwargs,
    )


def test_a_lazily_imported_module_is_in_the_next_environment_from_the_start(lam, lambda_role, runtime):
    """The first environment imports lazy_mod in its first invocation; an environment opened
    later from the same template already has it, with the same value (the function's
    variables are the template's), and the invocation's result is otherwise unchanged."""
    _create(lam, lambda_role, "pre-lazy")
    _, first = invoke_json(lam, "pre-lazy", {"module": "lazy_mod"})
    assert first["preloaded"] is False and first["value"] == "lazy set"
    runtime.reset()  # every environment retired; the template stays (as SnapStart's snapshot does)
    _, second = invoke_json(lam, "pre-lazy", {"module": "lazy_mod"})
    assert second["pid"] != first["pid"] and second["init_type"] == "snap-start"
    assert second["preloaded"] is True and second["value"] == "lazy set"


def test_the_profile_is_kept_for_the_next_template_of_the_same_code(lam, lambda_role, runtime, tmp_path):
    """What was learned is written under the cache dir per code version; a new template of that
    code (a restarted harness, another test's stack) imports it during its init."""
    profiles = ImportProfiles(tmp_path / "profiles")
    profiles.learn("k", ["json.decoder", "lazy_mod", "__main__", "bad-name"])
    again = ImportProfiles(tmp_path / "profiles")
    assert again.modules("k") == ["json.decoder", "lazy_mod"]
    _create(lam, lambda_role, "pre-kept")
    invoke_json(lam, "pre-kept", {"module": "lazy_mod"})
    assert "lazy_mod" in runtime.import_profile("pre-kept")["modules"]


def test_a_module_that_starts_a_thread_is_never_preloaded(lam, lambda_role, runtime):
    """A fork copies only the forking thread, so a template must hold none: a learned module
    whose import starts one retires that template, and the next one leaves it out."""
    _create(lam, lambda_role, "pre-thread")
    _, first = invoke_json(lam, "pre-thread", {"module": "threaded_mod"})
    assert first["preloaded"] is False
    runtime.reset()
    for _ in range(3):  # the tainted template is replaced on the next open
        _, later = invoke_json(lam, "pre-thread", {"module": "threaded_mod"})
        runtime.reset()
    assert later["preloaded"] is False and later["value"] == "threaded"
    profile = runtime.import_profile("pre-thread")
    assert "threaded_mod" in profile["unsafe"] and "threaded_mod" not in profile["modules"]


def test_a_function_tagged_preload_off_is_not_primed(lam, lambda_role, runtime):
    """The opt-out: with the tag harness:preload=off a template imports only what the init imports."""
    _create(lam, lambda_role, "pre-off", Tags={"harness:preload": "off"})
    invoke_json(lam, "pre-off", {"module": "lazy_mod"})
    runtime.reset()
    _, second = invoke_json(lam, "pre-off", {"module": "lazy_mod"})
    assert second["preloaded"] is False


def test_a_damaged_profile_costs_speed_not_a_start(tmp_path, monkeypatch):
    """An unreadable profile file is ignored with a warning, and replaced on the next save."""
    # A handler of its own: another test's logging configuration may have disabled the logger
    # or left caplog's root handler out of its path (seen in a full run).
    logger = logging.getLogger("harness.cloud.awslambda.import_profile")
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append  # type: ignore[method-assign]
    monkeypatch.setattr(logger, "disabled", False)
    level = logger.level
    logger.setLevel(logging.WARNING)
    logger.addHandler(handler)
    try:
        root = tmp_path / "profiles"
        root.mkdir()
        (root / "k.json").write_text("{not json")
        profiles = ImportProfiles(root)
        assert profiles.modules("k") == []
        assert any("unreadable import profile" in r.getMessage() for r in records)
        profiles.learn("k", ["lazy_mod"])
        assert json.loads((root / "k.json").read_text())["modules"] == ["lazy_mod"]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
