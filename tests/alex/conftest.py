"""One deployed Alex stack per module for the analysis tests.

Each function's init takes several seconds (importing LiteLLM and the Agents SDK): the
fixture runs it once per function in its template (SnapStart-like), so environments are
forked in milliseconds, and the analysis tests share one stack and its warm environments; each test uses its own user, and the scripted model's faults and call log
are cleared between tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from alex.db import Database

from harness.bedrock import ScriptedBedrock
from harness.cloud import LocalCloud
from harness.cloud.awslambda import LambdaRuntime
from harness.alexkit.stack.fast import fast_alex_stack
from harness.alexkit.stack.deployment import AlexDeployment, deploy_alex


@dataclass
class AnalysisStack:
    cloud: LocalCloud
    stack: AlexDeployment
    db: Database
    bedrock: ScriptedBedrock
    sqs: Any


@pytest.fixture(scope="module")
def analysis(local_cloud: LocalCloud) -> Iterator[AnalysisStack]:
    local_cloud.reset()
    stack = deploy_alex(fast_alex_stack(), local_cloud.client)
    stack.migrate(local_cloud.client)
    runtime = local_cloud.component(LambdaRuntime)
    for arn in stack.function_arns.values():  # each init once, one at a time, before any test's clock starts
        runtime.prepare(arn)  # templates outlive resets: the next module with the same code only forks
    db = stack.database(local_cloud.client)
    yield AnalysisStack(local_cloud, stack, db, local_cloud.component(ScriptedBedrock), local_cloud.client("sqs"))
    local_cloud.reset()


@pytest.fixture
def fresh_model(analysis: AnalysisStack) -> Iterator[ScriptedBedrock]:
    analysis.bedrock.clear()
    yield analysis.bedrock
    analysis.bedrock.clear()
