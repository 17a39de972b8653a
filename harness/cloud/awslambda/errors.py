"""Lambda service errors (the HTTP error responses of the Lambda API), as one exception type.

Raised by ``LambdaRuntime.invoke`` so in-process callers (the SQS event source mapping
poller) see the same error the HTTP caller does; the edge handlers turn them into the
REST-JSON error shape botocore parses into ``ClientError`` codes, with the HTTP status
botocore's lambda model gives each code. Wordings are AWS's, with the source each was
checked against noted at its constructor.
"""

from __future__ import annotations

from harness.cloud.service_model import ServiceError


class LambdaApiError(ServiceError):
    """A Lambda API error: AWS error code, message and optional throttle reason (the body's ``Reason``)."""

    service = "lambda"
    # Lambda's front end answers an oversized Invoke body with this code, which the model does not declare
    unmodelled = {"RequestEntityTooLargeException": 413}

    def __init__(self, code: str, message: str, reason: str | None = None) -> None:
        super().__init__(code, message, **({"Reason": reason} if reason else {}))
        self.reason = reason


def function_not_found(arn: str) -> LambdaApiError:
    """ResourceNotFoundException; an unqualified ARN gets ``:$LATEST`` as LocalStack's
    AWS-validated Invoke does (localstack lambda_service.py ``invoke``)."""
    return LambdaApiError("ResourceNotFoundException", f"Function not found: {arn}")


def too_many_requests(reason: str) -> LambdaApiError:
    """TooManyRequestsException as AWS returns it: ``{"Reason": ..., "Type": "User",
    "message": "Rate Exceeded."}`` (HTTP 429). ``reason`` is a ThrottleReason from the API
    model: ReservedFunctionConcurrentInvocationLimitExceeded (the function's reserved
    concurrency) or ConcurrentInvocationLimitExceeded (the account's unreserved pool)."""
    return LambdaApiError("TooManyRequestsException", "Rate Exceeded.", reason=reason)


def request_too_large(limit: int) -> LambdaApiError:
    """The Lambda front end's body-size check (``X-Amzn-ErrorType: RequestEntityTooLargeException``,
    413), worded as AWS returns it for any request over 6 MB."""
    return LambdaApiError(
        "RequestEntityTooLargeException", f"Request must be smaller than {limit} bytes for the InvokeFunction operation"
    )


def payload_too_large(size: int, invocation_type: str, limit: int) -> LambdaApiError:
    """The per-invocation-type payload check, e.g. ``357330 byte payload is too large for the
    Event invocation type (limit 262144 bytes)`` as AWS words it (413)."""
    return LambdaApiError(
        "RequestEntityTooLargeException",
        f"{size} byte payload is too large for the {invocation_type} invocation type (limit {limit} bytes)",
    )


def invalid_request_content(detail: str) -> LambdaApiError:
    """InvalidRequestContentException (400) for a payload that is not JSON. AWS's prefix is
    ``Could not parse request body into json: Could not parse payload into json:``; the
    detail after it is the parser's own message (AWS's comes from Jackson, ours from Python)."""
    return LambdaApiError(
        "InvalidRequestContentException",
        f"Could not parse request body into json: Could not parse payload into json: {detail}",
    )


def invalid_parameter(message: str) -> LambdaApiError:
    """InvalidParameterValueException (400)."""
    return LambdaApiError("InvalidParameterValueException", message)


def invalid_runtime(runtime: str | None) -> LambdaApiError:
    """InvalidRuntimeException (502): the local cloud executes only Python zip functions."""
    return LambdaApiError(
        "InvalidRuntimeException",
        f"The runtime parameter of {runtime} is not supported by the local cloud (Python zip functions only).",
    )
