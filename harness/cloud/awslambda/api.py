"""The Invoke operation at the edge: ``POST /2015-03-31/functions/{FunctionName}/invocations``.

Everything else signed for ``lambda`` (the control plane) is declined and reaches moto.
Request and response headers are the Invoke API reference's: X-Amz-Invocation-Type,
X-Amz-Log-Type, X-Amz-Client-Context (base64) and ``Qualifier`` in; X-Amz-Function-Error,
X-Amz-Log-Result, X-Amz-Executed-Version out.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Protocol

from werkzeug.wrappers import Request, Response

from harness.cloud.edge import AwsRequestContext, aws_json_error
from harness.cloud.awslambda.errors import LambdaApiError


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


_INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>.+)/invocations/?$")


class InvokeApi:
    """Edge handler for the Invoke operation, backed by a LambdaRuntime."""

    def __init__(self, runtime: Invoker) -> None:
        self._runtime = runtime

    def __call__(self, request: Request, ctx: AwsRequestContext) -> Response | None:
        match = _INVOKE_PATH.match(request.path)
        if request.method != "POST" or not match:
            return None
        headers = request.headers
        try:
            result = self._runtime.invoke(
                match["name"],
                request.get_data(),
                invocation_type=headers.get("X-Amz-Invocation-Type", "RequestResponse"),
                log_type=headers.get("X-Amz-Log-Type", "None"),
                qualifier=request.args.get("Qualifier") or None,
                client_context=_client_context(headers.get("X-Amz-Client-Context")),
                account_id=ctx.account_id,
                region=ctx.region,
            )
        except LambdaApiError as err:
            response = aws_json_error(err.status, err.error_type, err.message, **err.body_extras())
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
