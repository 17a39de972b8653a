"""The Lambda event-source-mapping operations, taken from moto at the edge.

moto would invoke the function inside ``SendMessage`` (and needs Docker to do it);
AWS runs a separate poller. So the harness owns the mappings: the five
EventSourceMapping operations are answered here and the poller consumes them.
Error codes and wordings follow the Lambda API reference.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Request, Response

from harness.cloud.awslambda.errors import LambdaApiError
from harness.cloud.edge import AwsRequestContext
from harness.cloud.esm.models import EventSourceMapping
from harness.cloud.routes import json_response
from harness.cloud.service_model import OperationRouter

_HANDLERS = {  # operation -> the method answering it; paths and methods are botocore's model's
    "CreateEventSourceMapping": "create",
    "ListEventSourceMappings": "list",
    "GetEventSourceMapping": "get",
    "UpdateEventSourceMapping": "update",
    "DeleteEventSourceMapping": "delete",
}
_OPERATIONS = OperationRouter("lambda", _HANDLERS)

SQS_MAX_BATCH = 10_000
SQS_MAX_UNBATCHED = 10


def not_found() -> LambdaApiError:
    return LambdaApiError("ResourceNotFoundException", "The resource you requested does not exist.")


def invalid(message: str) -> LambdaApiError:
    return LambdaApiError("InvalidParameterValueException", message)


class EventSourceMappingApi:
    """Route handler for the mapping operations; other Lambda calls fall through to moto."""

    def __init__(
        self,
        mappings: dict[str, EventSourceMapping],
        function_lookup: Callable[[str, str, str], dict[str, Any] | None],
        queue_lookup: Callable[[str], dict[str, str] | None],
        on_change: Callable[[], None],
    ) -> None:
        self._mappings = mappings
        self._function_lookup = function_lookup
        self._queue_lookup = queue_lookup
        self._on_change = on_change

    def __call__(self, request: Request, ctx: AwsRequestContext) -> Response | None:
        called = _OPERATIONS.route(request)
        if called is None:
            return None
        endpoint = _HANDLERS[called.name]
        args = {"mapping_id": called.params["UUID"]} if "UUID" in called.params else {}
        try:
            body = json.loads(request.get_data() or b"{}") if request.method in {"POST", "PUT"} else {}
            if not isinstance(body, dict):
                raise invalid("Request body must be a JSON object.")
            result, status = getattr(self, f"_{endpoint}")(ctx, body, request.args, **args)
        except LambdaApiError as err:
            return err.response()
        except json.JSONDecodeError:
            return LambdaApiError("InvalidRequestContentException", "Could not parse request body into json").response()
        return json_response(result, status)

    # operations ------------------------------------------------------------
    def _create(self, ctx: AwsRequestContext, body: dict[str, Any], _args: Any) -> tuple[dict[str, Any], int]:
        source_arn = body.get("EventSourceArn")
        function_name = body.get("FunctionName")
        if not source_arn or not function_name:
            raise invalid("EventSourceArn and FunctionName are required.")
        function = self._function_lookup(function_name, ctx.account_id, ctx.region)
        if function is None:
            raise LambdaApiError("ResourceNotFoundException", f"Function not found: {function_name}")
        if not str(source_arn).startswith("arn:aws:sqs:"):
            raise invalid(f"Unsupported event source for the local cloud: {source_arn}. Only SQS queues are mapped.")
        queue = self._queue_lookup(source_arn)
        if queue is None:
            raise invalid(
                "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. "
                "SQS Error Message: The specified queue does not exist."
            )
        visibility = int(queue.get("VisibilityTimeout", "30"))
        if visibility < function["timeout"]:
            raise invalid(
                f"Queue visibility timeout: {visibility} seconds is less than Function timeout: {function['timeout']} seconds"
            )
        for existing in self._mappings.values():
            if existing.event_source_arn == source_arn and existing.function_arn == function["arn"]:
                raise LambdaApiError(
                    "ResourceConflictException",
                    f'An event source mapping with SQS arn (" {source_arn} ") and function (" {function["name"]} ") '
                    f"already exists. Please update or delete the existing mapping with UUID {existing.uuid}",
                )
        mapping = EventSourceMapping(event_source_arn=source_arn, function_arn=function["arn"])
        self._apply(mapping, body, fifo=source_arn.endswith(".fifo"))
        self._mappings[mapping.uuid] = mapping
        self._on_change()
        return mapping.to_api(), 202

    def _list(self, ctx: AwsRequestContext, _body: Any, args: Any) -> tuple[dict[str, Any], int]:
        source_arn = args.get("EventSourceArn")
        function_name = args.get("FunctionName")
        function_arn = None
        if function_name:
            function = self._function_lookup(function_name, ctx.account_id, ctx.region)
            function_arn = function["arn"] if function else function_name
        found = [
            m.to_api()
            for m in self._mappings.values()
            if (not source_arn or m.event_source_arn == source_arn) and (not function_arn or m.function_arn == function_arn)
        ]
        return {"EventSourceMappings": found}, 200

    def _get(self, _ctx: AwsRequestContext, _body: Any, _args: Any, mapping_id: str) -> tuple[dict[str, Any], int]:
        mapping = self._mappings.get(mapping_id)
        if mapping is None:
            raise not_found()
        return mapping.to_api(), 200

    def _update(self, ctx: AwsRequestContext, body: dict[str, Any], _args: Any, mapping_id: str) -> tuple[dict[str, Any], int]:
        mapping = self._mappings.get(mapping_id)
        if mapping is None:
            raise not_found()
        if body.get("FunctionName"):
            function = self._function_lookup(body["FunctionName"], ctx.account_id, ctx.region)
            if function is None:
                raise LambdaApiError("ResourceNotFoundException", f"Function not found: {body['FunctionName']}")
            mapping.function_arn = function["arn"]
        self._apply(mapping, body, fifo=mapping.event_source_arn.endswith(".fifo"))
        mapping.last_modified = time.time()
        self._on_change()
        return mapping.to_api(), 202

    def _delete(self, _ctx: AwsRequestContext, _body: Any, _args: Any, mapping_id: str) -> tuple[dict[str, Any], int]:
        mapping = self._mappings.pop(mapping_id, None)
        if mapping is None:
            raise not_found()
        mapping.deleting = True
        self._on_change()
        return mapping.to_api(), 202

    # validation ------------------------------------------------------------
    @staticmethod
    def _apply(mapping: EventSourceMapping, body: dict[str, Any], *, fifo: bool) -> None:
        """Validate and apply the settable fields, with the limits AWS enforces for SQS."""
        batch_size = int(body.get("BatchSize", mapping.batch_size))
        window = int(body.get("MaximumBatchingWindowInSeconds", mapping.maximum_batching_window))
        max_batch = SQS_MAX_UNBATCHED if fifo else SQS_MAX_BATCH
        if not 1 <= batch_size <= max_batch:
            raise invalid(f"BatchSize must be between 1 and {max_batch} for this event source.")
        if batch_size > SQS_MAX_UNBATCHED and window < 1:
            raise invalid("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
        if not 0 <= window <= 300:
            raise invalid("MaximumBatchingWindowInSeconds must be between 0 and 300.")
        response_types = body.get("FunctionResponseTypes", mapping.function_response_types)
        if any(t != "ReportBatchItemFailures" for t in response_types):
            raise invalid(f"Unsupported FunctionResponseTypes: {response_types}")
        scaling = body.get("ScalingConfig")
        if scaling is not None:
            concurrency = scaling.get("MaximumConcurrency")
            if concurrency is not None and not 2 <= int(concurrency) <= 1000:
                raise invalid("ScalingConfig.MaximumConcurrency must be between 2 and 1000.")
            mapping.maximum_concurrency = int(concurrency) if concurrency is not None else None
        mapping.batch_size = batch_size
        mapping.maximum_batching_window = window
        mapping.function_response_types = list(response_types)
        if "Enabled" in body:
            mapping.enabled = bool(body["Enabled"])
