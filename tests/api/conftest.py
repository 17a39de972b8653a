"""Fixtures for the API tests: ``api`` is ``alex_api`` with the planner's SQS trigger switched off.

Why switch it off: the stack maps the jobs queue to the planner Lambda, whose code may not
exist yet. Left on, the poller would take every ``{"job_id": ...}`` the API sends, fail to
invoke the planner and leave the message invisible for the queue's 910 s visibility
timeout, so a test could not read it. ``lambda.update_event_source_mapping(Enabled=False)``
stops the poller, but a long poll already in flight (up to 1 s) may still take a message
and hide it for 910 s, so ``jobs_queue``, which reads the queue, first waits until the
mapping's poller threads (``esm-<uuid>-<n>`` in this process, where the test cloud runs)
have ended.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.cloud import LocalCloud
from harness.alexkit.pytest_plugin import AlexApi
from harness.alexkit.stack.deployment import AlexDeployment
from harness.stack.trigger import disable_planner_trigger


@pytest.fixture
def planner_trigger_off(cloud: LocalCloud, alex_deployed: AlexDeployment) -> None:
    disable_planner_trigger(cloud.client("lambda"), alex_deployed)


@pytest.fixture
def api(planner_trigger_off: None, alex_api: AlexApi) -> AlexApi:
    return alex_api


@pytest.fixture
def jobs_queue(planner_trigger_off: None, cloud: LocalCloud, alex_deployed: AlexDeployment) -> Any:
    """Reads what the API sent to the jobs queue: ``jobs_queue()`` -> list of message bodies (parsed)."""
    sqs = cloud.client("sqs")

    def read(expected: int = 1, wait: int = 2) -> list[dict[str, Any]]:
        bodies: list[dict[str, Any]] = []
        seen: set[str] = set()
        for _ in range(5):
            response = sqs.receive_message(
                QueueUrl=alex_deployed.jobs_queue_url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=wait,
                MessageAttributeNames=["All"],
            )
            for message in response.get("Messages", []):
                if message["MessageId"] not in seen:
                    seen.add(message["MessageId"])
                    bodies.append(json.loads(message["Body"]))
            if len(bodies) >= expected:
                break
        return bodies

    return read
