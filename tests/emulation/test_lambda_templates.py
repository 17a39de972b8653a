"""SnapStart-like templates: init once per code version, each new environment forked from it."""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Iterator

import pytest

from tests.lambda_code import cold_starts, create_function, invoke_json, zip_source

pytestmark = pytest.mark.emulation

STATEFUL = """
import os, time
INIT_PID = os.getpid()  # the process that ran the init phase
SEEN = []

def handler(event, context):
    SEEN.append(context.aws_request_id)
    time.sleep(event.get("sleep", 0))
    return {
        "pid": os.getpid(),
        "init_pid": INIT_PID,
        "seen": len(SEEN),
        "stream": os.environ["AWS_LAMBDA_LOG_STREAM_NAME"],
        "context_stream": context.log_stream_name,
        "init_type": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"],
        "version": VERSION,
    }

VERSION = 1
"""


@pytest.fixture
def full_cold_starts(cloud) -> Iterator[None]:
    """The harness option that turns templates off: every new environment runs its whole init."""
    with cold_starts(cloud, "full"):
        yield


def _report(response: dict) -> str:
    lines = base64.b64decode(response["LogResult"]).decode().splitlines()
    return lines[-1]


def test_warm_invokes_of_a_restored_environment_keep_module_state(lam, lambda_role, runtime):
    """As on Lambda with SnapStart: a restored environment stays warm and keeps its module state;
    it runs with AWS_LAMBDA_INITIALIZATION_TYPE=snap-start and its own log stream."""
    create_function(lam, lambda_role, "tpl-warm", STATEFUL)
    _, first = invoke_json(lam, "tpl-warm")
    _, second = invoke_json(lam, "tpl-warm")
    assert second["pid"] == first["pid"]
    assert (first["seen"], second["seen"]) == (1, 2)
    assert first["init_pid"] != first["pid"] and first["init_pid"] in runtime.templates()
    assert first["init_type"] == "snap-start"
    streams = [env.log_stream for env in runtime.environments("tpl-warm")]
    assert first["stream"] == first["context_stream"] and streams == [first["stream"]]


def test_report_line_of_a_restore(lam, lambda_role, runtime):
    """The REPORT line of a restored environment says Restore Duration and Billed Restore Duration
    (SnapStart's fields); Init Duration appears only where the init phase ran for it."""
    create_function(lam, lambda_role, "tpl-report", STATEFUL)
    assert runtime.prepare("tpl-report") is True  # the init runs now, as when a version is published
    response, _ = invoke_json(lam, "tpl-report", LogType="Tail")
    report = _report(response)
    assert re.search(r"\tRestore Duration: [\d.]+ ms\tBilled Restore Duration: \d+ ms\t$", report), report
    assert "Init Duration" not in report
    records = runtime.invocations("tpl-report")
    assert records[-1].cold_start is True and records[-1].init_duration_ms is None


def test_two_environments_forked_from_one_template_share_no_mutable_state(lam, lambda_role, runtime):
    """Concurrent invokes get separate environments; after the fork each has its own memory, so
    module state changed in one is not seen by the other, while the init ran only once."""
    create_function(lam, lambda_role, "tpl-pair", STATEFUL)
    invoke_json(lam, "tpl-pair")  # the template and one warm environment
    results: list[dict] = []
    threads = [threading.Thread(target=lambda: results.append(invoke_json(lam, "tpl-pair", {"sleep": 1.5})[1])) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    by_pid = {result["pid"]: result for result in results}
    assert len(by_pid) == 2
    assert sorted(result["seen"] for result in results) == [1, 2]  # the warm one had seen 1 before
    assert len({result["init_pid"] for result in results}) == 1
    assert len({result["stream"] for result in results}) == 2


def test_changed_code_gets_a_new_template(lam, lambda_role, runtime):
    """UpdateFunctionCode: the next invoke runs the new code's init in a new template (a new
    snapshot); the old template of that version is retired."""
    create_function(lam, lambda_role, "tpl-code", STATEFUL)
    _, before = invoke_json(lam, "tpl-code")
    lam.update_function_code(FunctionName="tpl-code", ZipFile=zip_source(STATEFUL.replace("VERSION = 1", "VERSION = 2")))
    _, after = invoke_json(lam, "tpl-code")
    assert (before["version"], after["version"]) == (1, 2)
    assert after["init_pid"] != before["init_pid"]
    assert after["init_pid"] in runtime.templates() and before["init_pid"] not in runtime.templates()


def test_an_environment_forked_from_a_template_reports_how_it_exited(lam, lambda_role):
    """A runtime process that exits mid-invocation: Runtime.ExitError with its exit status."""
    source = """
    import os
    def handler(event, context):
        os._exit(3)
    """
    create_function(lam, lambda_role, "tpl-exit", source)
    response, body = invoke_json(lam, "tpl-exit")
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ExitError"
    assert body["errorMessage"].endswith("Runtime exited with error: exit status 3")


def test_a_function_tagged_full_runs_its_whole_init(lam, lambda_role, runtime):
    """Per-function opt-out (the counterpart of SnapStart ApplyOn=None): tag harness:cold-starts=full."""
    create_function(lam, lambda_role, "tpl-optout", STATEFUL, Tags={"harness:cold-starts": "full"})
    response, body = invoke_json(lam, "tpl-optout", LogType="Tail")
    assert body["init_pid"] == body["pid"] and body["init_type"] == "on-demand"
    report = _report(response)
    assert "\tInit Duration: " in report and "Restore Duration" not in report


def test_full_cold_start_mode_runs_init_in_every_environment(lam, lambda_role, runtime, full_cold_starts):
    """With templates off, each environment runs the init itself: Init Duration on its first REPORT."""
    create_function(lam, lambda_role, "tpl-full", STATEFUL)
    response, body = invoke_json(lam, "tpl-full", LogType="Tail")
    assert body["init_pid"] == body["pid"]
    assert re.search(r"\tInit Duration: [\d.]+ ms\t$", _report(response))
    assert runtime.invocations("tpl-full")[-1].init_duration_ms is not None


@pytest.mark.parametrize("mode", ["template", "full"])
def test_import_error_in_either_mode(lam, lambda_role, cloud, mode):
    """A handler module that fails to import: Runtime.ImportModuleError, with or without templates,
    and the next invoke tries the init again."""
    with cold_starts(cloud, mode):
        name = f"tpl-broken-{mode}"
        create_function(lam, lambda_role, name, "import no_such_module_anywhere\n")
        for _ in range(2):
            response, body = invoke_json(lam, name)
            assert response["FunctionError"] == "Unhandled"
            assert body["errorType"] == "Runtime.ImportModuleError"
            assert body["errorMessage"].startswith("Unable to import module 'handler': No module named")


SLOW_INIT = """
import time
time.sleep(10.5)  # the init phase overruns Lambda's 10 s

def handler(event, context):
    return context.get_remaining_time_in_millis()
"""


@pytest.mark.slow
def test_full_cold_start_mode_keeps_the_10_second_init_rule(lam, lambda_role, full_cold_starts):
    """An on-demand init past 10 s is re-run within the first invocation, under its timeout: the
    init's time comes out of the invocation's budget (a 20 s function has under 10 s left)."""
    create_function(lam, lambda_role, "tpl-slow-init", SLOW_INIT, timeout=20)
    response, remaining_ms = invoke_json(lam, "tpl-slow-init", LogType="Tail")
    assert "FunctionError" not in response, remaining_ms
    assert remaining_ms < 20_000 - 10_000
    assert re.search(r"\tInit Duration: 1\d{4}\.\d\d ms\t", _report(response))


def test_provisioned_concurrency_keeps_environments_ready(lam, lambda_role, runtime):
    """PutProvisionedConcurrencyConfig on a published version: IN_PROGRESS, then READY with N
    environments initialised before any invoke, which then runs warm; $LATEST is refused.
    ListProvisionedConcurrencyConfigs (Get's path with ``?List=ALL``) lists it with its FunctionArn."""
    import time

    from botocore.exceptions import ClientError

    create_function(lam, lambda_role, "tpl-provisioned", STATEFUL)
    version = lam.publish_version(FunctionName="tpl-provisioned")["Version"]
    with pytest.raises(ClientError) as err:
        lam.put_provisioned_concurrency_config(
            FunctionName="tpl-provisioned", Qualifier="$LATEST", ProvisionedConcurrentExecutions=1
        )
    assert err.value.response["Error"]["Code"] == "InvalidParameterValueException"
    answer = lam.put_provisioned_concurrency_config(
        FunctionName="tpl-provisioned", Qualifier=version, ProvisionedConcurrentExecutions=2
    )
    assert answer["RequestedProvisionedConcurrentExecutions"] == 2 and answer["Status"] == "IN_PROGRESS"
    deadline = time.monotonic() + 60
    while (config := lam.get_provisioned_concurrency_config(FunctionName="tpl-provisioned", Qualifier=version))[
        "Status"
    ] == "IN_PROGRESS":
        assert time.monotonic() < deadline, config
        time.sleep(0.2)
    assert config["Status"] == "READY" and config["AvailableProvisionedConcurrentExecutions"] == 2
    assert len(runtime.environments("tpl-provisioned")) == 2
    listed = lam.list_provisioned_concurrency_configs(FunctionName="tpl-provisioned")["ProvisionedConcurrencyConfigs"]
    assert [(c["FunctionArn"].rsplit(":", 2)[1:], c["Status"]) for c in listed] == [(["tpl-provisioned", version], "READY")]
    invoke_json(lam, "tpl-provisioned", Qualifier=version)
    assert [r.cold_start for r in runtime.invocations("tpl-provisioned")] == [False]
    lam.delete_provisioned_concurrency_config(FunctionName="tpl-provisioned", Qualifier=version)
    with pytest.raises(ClientError) as err:
        lam.get_provisioned_concurrency_config(FunctionName="tpl-provisioned", Qualifier=version)
    assert err.value.response["Error"]["Code"] == "ProvisionedConcurrencyConfigNotFoundException"
    assert lam.list_provisioned_concurrency_configs(FunctionName="tpl-provisioned")["ProvisionedConcurrencyConfigs"] == []


def test_an_environment_retired_for_idleness_comes_back_as_a_fork(lam, lambda_role, runtime):
    """Lambda retires idle environments; the next invoke is a cold start again, but here (as with
    SnapStart) it restores from the template: no second init, the same init process's state."""
    import time

    create_function(lam, lambda_role, "tpl-idle", STATEFUL)
    _, first = invoke_json(lam, "tpl-idle")
    before = runtime.idle_timeout
    runtime.idle_timeout = 0.2
    try:
        deadline = time.monotonic() + 10
        while runtime.environments("tpl-idle"):
            assert time.monotonic() < deadline, "the idle environment was not retired"
            time.sleep(0.1)
    finally:
        runtime.idle_timeout = before
    _, second = invoke_json(lam, "tpl-idle")
    assert second["pid"] != first["pid"] and second["init_pid"] == first["init_pid"] and second["seen"] == 1
    records = runtime.invocations("tpl-idle")
    assert [r.cold_start for r in records] == [True, True]
    assert records[-1].init_duration_ms is None


def _wait_ready(lam, name: str, qualifier: str) -> dict:
    import time

    deadline = time.monotonic() + 120
    while (config := lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=qualifier))["Status"] == "IN_PROGRESS":
        assert time.monotonic() < deadline, config  # a bound on waiting, not a speed check
        time.sleep(0.2)
    return config


def test_a_provisioned_environment_says_provisioned_concurrency(lam, lambda_role, runtime):
    """AWS sets AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency in environments opened for
    a provisioned concurrency config (on-demand, provisioned-concurrency or snap-start, per the
    "Defined runtime environment variables" table), even on a version SnapStart would restore;
    an on-demand environment of the same function still says snap-start here."""
    create_function(lam, lambda_role, "tpl-pc-type", STATEFUL)
    version = lam.publish_version(FunctionName="tpl-pc-type")["Version"]
    lam.put_provisioned_concurrency_config(FunctionName="tpl-pc-type", Qualifier=version, ProvisionedConcurrentExecutions=1)
    assert _wait_ready(lam, "tpl-pc-type", version)["Status"] == "READY"
    _, provisioned = invoke_json(lam, "tpl-pc-type", Qualifier=version)
    assert [r.cold_start for r in runtime.invocations("tpl-pc-type")] == [False]  # it ran in the provisioned one
    assert provisioned["init_type"] == "provisioned-concurrency"
    _, on_demand = invoke_json(lam, "tpl-pc-type")  # $LATEST: no provisioned environment
    assert on_demand["init_type"] == "snap-start"


MEMORY_AT_INIT = """
import os
INIT_PID = os.getpid()
MEMORY = os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]  # read once, in the init phase

def handler(event, context):
    return {"init_pid": INIT_PID, "memory_at_init": MEMORY, "memory_limit": context.memory_limit_in_mb}
"""


def test_changed_memory_size_gets_a_new_template(lam, lambda_role, runtime):
    """UpdateFunctionConfiguration(MemorySize=...) on AWS retires the environments and the next
    one runs its init with the new AWS_LAMBDA_FUNCTION_MEMORY_SIZE (with SnapStart, the next
    published version gets a new snapshot): a template initialised with the old size must not
    be forked for the new configuration."""
    create_function(lam, lambda_role, "tpl-memory", MEMORY_AT_INIT, MemorySize=256)
    _, before = invoke_json(lam, "tpl-memory")
    assert before["memory_at_init"] == "256"
    lam.update_function_configuration(FunctionName="tpl-memory", MemorySize=512)
    _, after = invoke_json(lam, "tpl-memory")
    assert (after["memory_at_init"], str(after["memory_limit"])) == ("512", "512")
    assert after["init_pid"] != before["init_pid"]
    assert after["init_pid"] in runtime.templates() and before["init_pid"] not in runtime.templates()
