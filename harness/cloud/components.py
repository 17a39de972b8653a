"""The default set of harness services that run beside moto in the local cloud."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from harness.bedrock import ScriptedBedrock
from harness.cassettes.control import CassetteControl
from harness.cloud.awslambda.runtime import LambdaMode, LambdaRuntime
from harness.cloud.esm.service import EventSourceMappings
from harness.cloud.events.clock import Clock
from harness.cloud.events.schedules import Schedules
from harness.cloud.persistence import CloudState
from harness.cloud.rds_data.service import DataApiService
from harness.cloud.host import CloudComponent
from harness.monitoring import monitoring_components


def default_components(
    *,
    lambda_mode: LambdaMode = "process",
    postgres_dsn: str | None = None,
    data_dir: Path | None = None,
    bedrock_scripts: Sequence[str] = (),
    persist: bool = False,
    clock: Clock | None = None,
) -> list[CloudComponent]:
    """Lambda execution, the SQS event source mapping poller, the Aurora Data API, the scripted Bedrock
    model with its cassettes, EventBridge schedules, and monitoring. ``bedrock_scripts``: the scripted
    model's scripts (module paths or files, see ``harness.bedrock.scripts``), besides
    ``HARNESS_BEDROCK_SCRIPTS``. ``persist``: keep the cloud's state under ``data_dir`` across
    restarts (``harness.cloud.persistence``). ``clock``: what schedules run by (a test clock in tests)."""
    runtime = LambdaRuntime(mode=lambda_mode)
    kept: list[CloudComponent] = [CloudState(data_dir)] if persist and data_dir is not None else []
    return [
        *kept,
        runtime,
        Schedules(runtime, clock=clock),
        EventSourceMappings(runtime),
        DataApiService(postgres_dsn=postgres_dsn, data_dir=data_dir),
        ScriptedBedrock(scripts=bedrock_scripts),
        CassetteControl(),
        *monitoring_components(runtime),  # AWS/Lambda + AWS/SQS metrics, alarm evaluation, SNS records
    ]
