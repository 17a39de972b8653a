"""Lambda service errors (the HTTP error responses of the Invoke API), as one exception type.

Raised by ``LambdaRuntime.invoke`` so in-process callers (the SQS event source mapping
poller) see the same error the HTTP caller does; the edge handler turns them into the
REST-JSON error shape botocore parses into ``ClientError`` codes. Wordings are AWS's,
with the source each was checked against noted at its constructor.
"""

from __future__ import annotations

from typing import Any


class LambdaApiError(Exception):
    """An Invoke API error: HTTP status, AWS error code, message and optional throttle reason."""

    def __init__(self, status: int, error_type: str, message: str, reason: str | None = None) -> None:
        super().__init__(f"{error_type}: {message}")
        self.status = status
        self.error_type = error_type
        self.message = message
        self.reason = reason

    def body_extras(self) -> dict[str, Any]:
        """Members beside ``message`` in the error body (TooManyRequestsException's ``Reason``)."""
        return {"Reason": self.reason} if self.reason else {}


def function_not_found(arn: str) -> LambdaApiError:
    """ResourceNotFoundException; an unqualified ARN gets ``:$LATEST`` as LocalStack's
    AWS-validated Invoke does (localstack lambda_service.py ``invoke``)."""
    return LambdaApiError(404, "ResourceNotFoundException", f"Function not found: {arn}")


def too_many_requests(reason: str) -> LambdaApiError:
    """TooManyRequestsException as AWS returns it: ``{"Reason": ..., "Type": "User",
    "message": "Rate Exceeded."}`` (HTTP 429). ``reason`` is a ThrottleReason from the API
    model: ReservedFunctionConcurrentInvocationLimitExceeded (the function's reserved
    concurrency) or ConcurrentInvocationLimitExceeded (the account's unreserved pool)."""
    return LambdaApiError(429, "TooManyRequestsException", "Rate Exceeded.", reason=reason)


def request_too_large(limit: int) -> LambdaApiError:
    """The Lambda front end's body-size check (``X-Amzn-ErrorType: RequestEntityTooLargeException``,
    413), worded as AWS returns it for any request over 6 MB."""
    return LambdaApiError(
        413, "RequestEntityTooLargeException", f"Request must be smaller than {limit} bytes for the InvokeFunction operation"
    )


def payload_too_large(size: int, invocation_type: str, limit: int) -> LambdaApiError:
    """The per-invocation-type payload check, e.g. ``357330 byte payload is too large for the
    Event invocation type (limit 262144 bytes)`` as AWS words it (413)."""
    return LambdaApiError(
        413,
        "RequestEntityTooLargeException",
        f"{size} byte payload is too large for the {invocation_type} invocation type (limit {limit} bytes)",
    )


def invalid_request_content(detail: str) -> LambdaApiError:
    """InvalidRequestContentException (400) for a payload that is not JSON. AWS's prefix is
    ``Could not parse request body into json: Could not parse payload into json:``; the
    detail after it is the parser's own message (AWS's comes from Jackson, ours from Python)."""
    return LambdaApiError(
        400,
        "InvalidRequestContentException",
        f"Could not parse request body into json: Could not parse payload into json: {detail}",
    )


def invalid_parameter(message: str) -> LambdaApiError:
    """InvalidParameterValueException (400)."""
    return LambdaApiError(400, "InvalidParameterValueException", message)


def invalid_runtime(runtime: str | None) -> LambdaApiError:
    """InvalidRuntimeException (502): the local cloud executes only Python zip functions."""
    return LambdaApiError(
        502,
        "InvalidRuntimeException",
        f"The runtime parameter of {runtime} is not supported by the local cloud (Python zip functions only).",
    )
