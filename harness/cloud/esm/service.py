"""EventSourceMappings: the SQS -> Lambda trigger as a local-cloud component."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from harness.cloud.awslambda.errors import LambdaApiError
from harness.cloud.awslambda.functions import resolve_function
from harness.cloud.esm.api import EventSourceMappingApi
from harness.cloud.esm.models import EventSourceMapping
from harness.cloud.esm.poller import DEFAULT_CONCURRENCY, Invoker, MappingPoller
from harness.cloud.moto_adapter import sqs as moto_sqs

if TYPE_CHECKING:
    from harness.cloud.host import CloudHost


def moto_function(name_or_arn: str, account_id: str, region: str) -> dict[str, Any] | None:
    """The function's ARN, name and timeout from moto's Lambda control plane, or None if it does not exist."""
    try:
        function = resolve_function(name_or_arn, None, account_id, region)
    except LambdaApiError as err:
        if err.status == 404:
            return None
        raise
    return {"arn": function.arn, "name": function.name, "timeout": int(function.timeout)}


def moto_queue_attributes(queue_arn: str) -> dict[str, str] | None:
    """A queue's attributes from moto's SQS backend, or None when it does not exist."""
    _, _, _, region, account, name = queue_arn.split(":", 5)
    timeout = moto_sqs.visibility_timeout(account, region, name)
    return None if timeout is None else {"VisibilityTimeout": str(timeout)}


def _concurrency(mapping: EventSourceMapping) -> int:
    return mapping.maximum_concurrency or DEFAULT_CONCURRENCY


class EventSourceMappings:
    """Owns the mappings (answering their API at the edge) and runs a poller per mapping."""

    def __init__(self, invoker: Invoker) -> None:
        self._invoker = invoker
        self.mappings: dict[str, EventSourceMapping] = {}
        self._pollers: dict[str, MappingPoller] = {}
        self._lock = threading.Lock()
        self._cloud: CloudHost | None = None
        self._running = False
        # Where the queues live: moto's SQS by default; another SQS (LocalStack's) when a component re-points these.
        self.queue_lookup: Callable[[str], dict[str, str] | None] = moto_queue_attributes
        self.sqs_client_for: Callable[[str], Any] | None = None  # region -> SQS client; None: the cloud's own

    # CloudComponent ---------------------------------------------------------
    def attach(self, cloud: CloudHost) -> None:
        self._cloud = cloud
        assert cloud.edge is not None
        cloud.edge.register(
            "lambda", EventSourceMappingApi(self.mappings, moto_function, lambda arn: self.queue_lookup(arn), self.reconcile)
        )

    def start(self) -> None:
        self._running = True
        self.reconcile()

    def stop(self) -> None:
        self._running = False
        self._stop_all()

    def reset(self) -> None:
        self.mappings.clear()
        self._stop_all()

    def persist_state(self) -> dict[str, EventSourceMapping]:
        """The mappings, kept across restarts by :class:`harness.cloud.persistence.CloudState`."""
        return dict(self.mappings)

    def restore_state(self, state: dict[str, EventSourceMapping]) -> None:
        self.mappings.clear()
        self.mappings.update(state)
        self.reconcile()

    def drain(self, deadline: float) -> None:
        """Stop receiving new messages and wait (until ``deadline``, monotonic) for batches in flight."""
        self._running = False
        with self._lock:
            pollers, self._pollers = list(self._pollers.values()), {}
        for poller in pollers:
            poller.stop(wait=max(0.0, deadline - time.monotonic()))

    # pollers ----------------------------------------------------------------
    def _is_active(self, mapping: EventSourceMapping) -> bool:
        return self._running and mapping.enabled and self.mappings.get(mapping.uuid) is mapping

    def reconcile(self) -> None:
        """Start pollers for enabled mappings and retire those of changed or removed ones."""
        if not self._running or self._cloud is None:
            return
        with self._lock:
            for mapping_id, poller in list(self._pollers.items()):
                mapping = self.mappings.get(mapping_id)
                if not (mapping and self._is_active(mapping)) or poller.concurrency != _concurrency(mapping):
                    poller.stop(wait=0)
                    del self._pollers[mapping_id]
            for mapping_id, mapping in self.mappings.items():
                if mapping_id not in self._pollers and self._is_active(mapping):
                    if self.sqs_client_for is not None:
                        sqs = self.sqs_client_for(mapping.queue_region)
                    else:
                        sqs = self._cloud.client("sqs", region_name=mapping.queue_region)
                    poller = MappingPoller(mapping, self._invoker, sqs, self._is_active)
                    self._pollers[mapping_id] = poller
                    poller.start()

    def _stop_all(self) -> None:
        with self._lock:
            pollers, self._pollers = list(self._pollers.values()), {}
        for poller in pollers:
            poller.stop()
