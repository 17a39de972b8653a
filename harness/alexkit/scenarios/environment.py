"""The stack scenarios run on: one local cloud, Alex's stack with test clocks, the issuer and the API.

Built once for a whole replay. Each scenario then gets fresh state (:meth:`fresh`): the
database emptied, both queues purged, the scripted model's faults and call log, Lambda
faults and cassette selection cleared, the planner's concurrency restored. Execution
environments stay warm between scenarios, as they would in a long-lived account, so a
suite pays each function's cold start once.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from harness.alexkit import ALEX_MODEL_SCRIPT
from harness.alexkit.api_server import ApiServer, settings_for_issuer
from harness.auth import LocalIssuer
from harness.bedrock import ScriptedBedrock
from harness.cassettes.control import CassetteControl
from harness.cloud import LocalCloud
from harness.cloud.awslambda.runtime import LambdaRuntime
from harness.cloud.components import default_components
from harness.cloud.rds_data.service import DataApiService
from harness.alexkit.stack.fast import fast_alex_stack
from harness.alexkit.stack.deployment import AlexDeployment, deploy_alex

TABLES = "trace_spans, audit_records, jobs, positions, accounts, users, instruments"


class ScenarioStack:
    def __init__(self, cloud: LocalCloud, stack: AlexDeployment, issuer: LocalIssuer, api: ApiServer) -> None:
        self.cloud, self.stack, self.issuer, self.api = cloud, stack, issuer, api
        self.db = stack.database(cloud.client)
        self.sqs = cloud.client("sqs")
        self.lam = cloud.client("lambda")
        self.bedrock: ScriptedBedrock = cloud.component(ScriptedBedrock)
        self.cassettes: CassetteControl = cloud.component(CassetteControl)
        self.runtime: LambdaRuntime = cloud.component(LambdaRuntime)
        self.data_api: DataApiService = cloud.component(DataApiService)

    def client(self, user: str) -> httpx.Client:
        return httpx.Client(base_url=self.api.url, timeout=30,
                            headers={"Authorization": f"Bearer {self.issuer.mint(user)}"})

    def function_name(self, agent: str) -> str:
        return self.stack.spec.function(agent).name

    def drain(self, url: str) -> int:
        """Delete every visible message (PurgeQueue is allowed once a minute, as on AWS)."""
        drained = 0
        while True:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30,
                                           WaitTimeSeconds=0).get("Messages", [])  # the queue long-polls 10 s by default
            if not got:
                return drained
            self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])
            drained += len(got)

    def fresh(self) -> None:
        """Fresh data and faults for the next scenario (see the module's docstring)."""
        self.cassettes.select(None)
        self.bedrock.clear()
        self.runtime.faults.clear()
        self.db.client.execute(f"TRUNCATE {TABLES} CASCADE")
        for url in (self.stack.jobs_queue_url, self.stack.dlq_url):
            self.drain(url)
        planner = self.stack.spec.function("planner")
        if planner.reserved_concurrency is not None:
            self.lam.put_function_concurrency(FunctionName=planner.name,
                                              ReservedConcurrentExecutions=planner.reserved_concurrency)


@contextlib.contextmanager
def scenario_stack(cloud: LocalCloud | None = None, data_dir: Path | None = None) -> Iterator[ScenarioStack]:
    """Start (or reuse ``cloud``), provision and migrate, serve the API; stop what was started."""
    with contextlib.ExitStack() as stack:
        if cloud is None:
            data_dir = data_dir or Path(tempfile.mkdtemp(prefix="alex-scenarios-"))
            cloud = stack.enter_context(LocalCloud(components=default_components(data_dir=data_dir, bedrock_scripts=[ALEX_MODEL_SCRIPT])))
        else:
            cloud.reset()
        provisioned = deploy_alex(fast_alex_stack(), cloud.client)
        provisioned.migrate(cloud.client)
        issuer = stack.enter_context(LocalIssuer(Path(tempfile.mkdtemp(prefix="alex-scenario-issuer-"))))
        env: dict[str, Any] = cloud.client_env() | provisioned.runtime_environment()
        api = ApiServer(settings_for_issuer(issuer), env).start()
        stack.callback(api.stop)
        yield ScenarioStack(cloud, provisioned, issuer, api)
