"""Event source mapping records, shaped as the Lambda API returns them."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class EventSourceMapping:
    """One SQS -> Lambda mapping; ``to_api`` is the EventSourceMappingConfiguration shape."""

    event_source_arn: str
    function_arn: str
    batch_size: int = 10
    maximum_batching_window: int = 0
    enabled: bool = True
    function_response_types: list[str] = field(default_factory=list)
    maximum_concurrency: int | None = None
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    last_modified: float = field(default_factory=time.time)
    last_processing_result: str = "No records processed"
    state_transition_reason: str = "USER_INITIATED"
    deleting: bool = False

    @property
    def reports_batch_item_failures(self) -> bool:
        return "ReportBatchItemFailures" in self.function_response_types

    @property
    def state(self) -> str:
        if self.deleting:
            return "Deleting"
        return "Enabled" if self.enabled else "Disabled"

    @property
    def queue_region(self) -> str:
        return self.event_source_arn.split(":")[3]

    @property
    def queue_account(self) -> str:
        return self.event_source_arn.split(":")[4]

    @property
    def queue_name(self) -> str:
        return self.event_source_arn.split(":")[5]

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "UUID": self.uuid,
            "BatchSize": self.batch_size,
            "MaximumBatchingWindowInSeconds": self.maximum_batching_window,
            "EventSourceArn": self.event_source_arn,
            "FunctionArn": self.function_arn,
            "LastModified": self.last_modified,
            "LastProcessingResult": self.last_processing_result,
            "State": self.state,
            "StateTransitionReason": self.state_transition_reason,
            "FunctionResponseTypes": list(self.function_response_types),
        }
        if self.maximum_concurrency is not None:
            body["ScalingConfig"] = {"MaximumConcurrency": self.maximum_concurrency}
        return body
