"""The default set of harness services that run beside moto in the local cloud."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Literal

from harness.cloud.server import CloudComponent

LambdaMode = Literal["process", "inprocess"]


def _optional(module: str, name: str) -> type | None:
    """Import a component class; None only while that component's module is not written yet."""
    try:
        return getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as err:
        if err.name and (module == err.name or module.startswith(err.name + ".")):
            return None
        raise


def default_components(
    *,
    lambda_mode: LambdaMode = "process",
    postgres_dsn: str | None = None,
    data_dir: Path | None = None,
) -> list[CloudComponent]:
    """Lambda execution, the SQS event source mapping poller and the Aurora Data API."""
    components: list[CloudComponent] = []
    runtime_cls = _optional("harness.cloud.awslambda.runtime", "LambdaRuntime")
    if runtime_cls is not None:
        runtime = runtime_cls(mode=lambda_mode)
        components.append(runtime)
        esm_cls = _optional("harness.cloud.esm.service", "EventSourceMappings")
        if esm_cls is not None:
            components.append(esm_cls(runtime))
    data_api_cls = _optional("harness.cloud.rds_data.service", "DataApiService")
    if data_api_cls is not None:
        components.append(data_api_cls(postgres_dsn=postgres_dsn, data_dir=data_dir))
    return components
