"""The Invoke operation at the edge, routed by botocore's lambda model (``POST /2015-03-31/functions/{FunctionName}/invocations``).

Everything else signed for ``lambda`` (the control plane) is declined and reaches moto.
The input members outside the body are read where the model places them (InvocationType,
LogType, ClientContext (base64) from headers, ``Qualifier`` from the query); X-Amz-Function-Error,
X-Amz-Log-Result, X-Amz-Executed-Version go out.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Protocol

from werkzeug.wrappers import Request, Response

from harness.cloud.awslambda.errors import LambdaApiError
from harness.cloud.edge import AwsRequestContext
from harness.cloud.service_model import OperationRouter


@dataclass(frozen=True)
class InvokeResult:
    """What Invoke returns: StatusCode, Payload, FunctionError, LogResult, ExecutedVersion and the request id."""

    status_code: int
    payload: bytes
    function_error: str | None
    log_result: str | None
    executed_version: str
    request_id: str


class Invoker(Protocol):
    """What the Invoke operation needs of the runtime (``LambdaRuntime``), typed here to keep the
    runtime, which registers this handler, free of an import cycle."""

    def invoke(
        self,
        function_name: str,
        payload: bytes,
        *,
        invocation_type: str = "RequestResponse",
        log_type: str = "None",
        qualifier: str | None = None,
        client_context: str | None = None,
        account_id: str = ...,
        region: str = ...,
    ) -> InvokeResult: ...

    def new_request_id(self) -> str: ...


_OPERATIONS = OperationRouter("lambda", ["Invoke"])


class InvokeApi:
    """Edge handler for the Invoke operation, backed by a LambdaRuntime."""

    def __init__(self, runtime: Invoker) -> None:
        self._runtime = runtime

    def __call__(self, request: Request, ctx: AwsRequestContext) -> Response | None:
        called = _OPERATIONS.route(request)
        if called is None:
            return None
        params = called.params
        try:
            result = self._runtime.invoke(
                params["FunctionName"],
                request.get_data(),
                invocation_type=params.get("InvocationType", "RequestResponse"),
                log_type=params.get("LogType", "None"),
                qualifier=params.get("Qualifier"),
                client_context=_client_context(params.get("ClientContext")),
                account_id=ctx.account_id,
                region=ctx.region,
            )
        except LambdaApiError as err:
            response = err.response()
            response.headers["x-amzn-RequestId"] = self._runtime.new_request_id()
            return response
        response = Response(result.payload, status=result.status_code, content_type="application/json")
        response.headers["x-amzn-RequestId"] = result.request_id
        if result.status_code == 200:  # only a synchronous invoke reports the version it ran
            response.headers["X-Amz-Executed-Version"] = result.executed_version
        if result.function_error:
            response.headers["X-Amz-Function-Error"] = result.function_error
        if result.log_result is not None:
            response.headers["X-Amz-Log-Result"] = result.log_result
        return response


def _client_context(header: str | None) -> str | None:
    """The ClientContext header is base64 of a JSON document; the function gets the JSON."""
    if not header:
        return None
    try:
        return base64.b64decode(header, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
