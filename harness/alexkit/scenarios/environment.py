"""The stack scenarios run on: one local cloud, Alex's stack with test clocks, the issuer and the API.

Built once for a whole replay. Each scenario then gets fresh state (:meth:`fresh`): the
database emptied, both queues drained (and purged when a previous attempt's message is still in
flight), the scripted model's faults and call log, Lambda
faults and cassette selection cleared, the planner's concurrency restored. Execution
environments stay warm between scenarios, as they would in a long-lived account, so a
suite pays each function's cold start once.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from botocore.exceptions import ClientError

from harness.alexkit.local_alex import LocalAlex, start_local_alex
from harness.alexkit.stack.fast import fast_alex_stack
from harness.bedrock import ScriptedBedrock
from harness.cassettes.control import CassetteControl
from harness.cloud import LocalCloud
from harness.cloud.awslambda.runtime import LambdaRuntime
from harness.cloud.rds_data.service import DataApiService

TABLES = "trace_spans, audit_records, jobs, positions, accounts, users, instruments"


class ScenarioStack:
    def __init__(self, alex: LocalAlex) -> None:
        self.alex = alex
        cloud = alex.cloud
        self.cloud, self.stack, self.issuer, self.api = cloud, alex.stack, alex.issuer, alex.api
        self.db = alex.database()
        self.sqs = cloud.client("sqs")
        self.lam = cloud.client("lambda")
        self.bedrock: ScriptedBedrock = cloud.component(ScriptedBedrock)
        self.cassettes: CassetteControl = cloud.component(CassetteControl)
        self.runtime: LambdaRuntime = cloud.component(LambdaRuntime)
        self.data_api: DataApiService = cloud.component(DataApiService)

    def client(self, user: str) -> httpx.Client:
        return self.alex.client(user)

    def function_name(self, agent: str) -> str:
        return self.stack.spec.function(agent).name

    def drain(self, url: str) -> int:
        """Delete every visible message (PurgeQueue is allowed once a minute, as on AWS)."""
        drained = 0
        while True:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30, WaitTimeSeconds=0).get(
                "Messages", []
            )  # the queue long-polls 10 s by default
            if not got:
                return drained
            self.sqs.delete_message_batch(
                QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)]
            )
            drained += len(got)

    def purge_in_flight(self, url: str, wait: float = 65.0) -> None:
        """Purge a queue that still holds in-flight messages (a previous scenario's attempt that outlasted
        it): drained, they would come back mid-scenario and end in its DLQ. PurgeQueue deletes in-flight
        messages too; AWS and moto allow one a minute, so a refusal is waited out."""
        deadline = time.monotonic() + wait
        while True:
            attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
            if int(attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"]) == 0:
                return
            try:
                self.sqs.purge_queue(QueueUrl=url)
                return
            except ClientError as err:
                if "PurgeQueueInProgress" not in err.response["Error"]["Code"] or time.monotonic() > deadline:
                    raise
                time.sleep(2.0)

    def fresh(self) -> None:
        """Fresh data and faults for the next scenario (see the module's docstring)."""
        self.cassettes.select(None)
        self.bedrock.clear()
        self.runtime.faults.clear()
        self.db.client.execute(f"TRUNCATE {TABLES} CASCADE")
        for url in (self.stack.jobs_queue_url, self.stack.dlq_url):
            self.drain(url)
            self.purge_in_flight(url)
        planner = self.stack.spec.function("planner")
        if planner.reserved_concurrency is not None:
            self.lam.put_function_concurrency(
                FunctionName=planner.name, ReservedConcurrentExecutions=planner.reserved_concurrency
            )


@contextlib.contextmanager
def scenario_stack(
    cloud: LocalCloud | None = None, data_dir: Path | None = None, localstack_url: str | None = None
) -> Iterator[ScenarioStack]:
    """Start (or reuse ``cloud``), provision and migrate, serve the API; stop what was started and
    delete what was created for it (PostgreSQL's data unless ``data_dir`` was named, the issuer's keys).

    With ``localstack_url`` the cloud started is the hybrid: the queues (and their redrive to the
    DLQ) and the secret are that LocalStack's, the rest the harness's."""
    if cloud is not None:
        cloud.reset()
    with contextlib.ExitStack() as started:
        if cloud is None and localstack_url is not None:
            from harness.alexkit.local_alex import alex_components
            from harness.cloud.watchdog import remove_scratch_dir, scratch_dir
            from harness.localstack.hybrid import HybridCloud

            if data_dir is None:
                data_dir = scratch_dir("alex-cloud-")
                started.callback(remove_scratch_dir, data_dir)
            cloud = HybridCloud(localstack_url, components=alex_components(data_dir)).start()
            started.callback(cloud.stop)
        with start_local_alex(cloud=cloud, data_dir=data_dir, spec=fast_alex_stack()) as alex:
            yield ScenarioStack(alex)
