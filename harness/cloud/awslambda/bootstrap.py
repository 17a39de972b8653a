"""The Lambda Python runtime's side of an invocation, without the Runtime API.

Mirrors awslambdaric, the runtime interface client AWS runs for python3.x
(github.com/aws/aws-lambda-python-runtime-interface-client: ``bootstrap.py``,
``lambda_runtime_marshaller.py``, ``lambda_context.py``), so handlers see the same
``context`` and callers the same error documents: how ``module.function`` is resolved
and the ``Runtime.*`` fault types, ``{"errorMessage", "errorType", "requestId",
"stackTrace"}``, ``Unable to marshal response: ...``, the ``[ERROR]`` log event and the
logging format.

Standard library only: worker processes load this file by path, so an execution
environment never imports the harness (or boto3) unless the handler does.
"""

from __future__ import annotations

import decimal
import importlib
import io
import json
import logging
import math
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
MARSHAL_ERROR = "Runtime.MarshalError"
UNMARSHAL_ERROR = "Runtime.UnmarshalError"
CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

_RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))
_NBSP = "\u00a0"


class FaultError(Exception):
    """A runtime fault (awslambdaric's FaultException): reported with its ``Runtime.*`` type."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


def load_handler(handler: str, import_module: Callable[[str], Any] = importlib.import_module) -> Callable[..., Any]:
    """The handler function named ``module.function``, with awslambdaric's faults and wordings.

    Any other exception raised while importing the module propagates, as in
    awslambdaric, and is reported by ``error_from_exception``.
    """
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as err:
        raise FaultError(MALFORMED_HANDLER_NAME, f"Bad handler '{handler}': {err}") from None
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise FaultError(BUILT_IN_MODULE_CONFLICT, f"Cannot use built-in module {module_name} as a handler module")
    try:
        module = import_module(module_name.replace("/", "."))
    except ImportError as err:
        raise FaultError(IMPORT_MODULE_ERROR, f"Unable to import module '{module_name}': {err}") from None
    except SyntaxError as err:
        trace = [f'  File "{err.filename}" Line {err.lineno}\n    {err.text}']
        raise FaultError(USER_CODE_SYNTAX_ERROR, f"Syntax error in module '{module_name}': {err}", trace) from None
    try:
        return getattr(module, function_name)  # type: ignore[no-any-return]
    except AttributeError:
        raise FaultError(HANDLER_NOT_FOUND, f"Handler '{function_name}' missing on module '{module_name}'") from None


def make_error(
    message: str | None, error_type: str | None, stack_trace: list[str] | None, request_id: str | None
) -> dict[str, Any]:
    """The error document Lambda returns as the payload of a failed invocation."""
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id or "",
        "stackTrace": stack_trace or [],
    }


def error_from_exception(exc: BaseException, request_id: str | None) -> dict[str, Any]:
    """The error document of an exception from user code, its traceback without the runtime's frames."""
    if isinstance(exc, FaultError):
        return make_error(exc.message, exc.error_type, exc.trace, request_id)
    frames = traceback.extract_tb(exc.__traceback__)
    while frames and (
        os.path.dirname(os.path.abspath(frames[0].filename)) == _RUNTIME_DIR
        or os.path.abspath(frames[0].filename) in _WRAPPER_FILES
    ):
        frames.pop(0)
    return make_error(str(exc), type(exc).__name__, traceback.format_list(frames), request_id)


def error_log_message(error: dict[str, Any]) -> str:
    """The ``[ERROR] Type: message`` log event awslambdaric writes for a failed invocation."""
    description = "[ERROR]"
    if error.get("errorType"):
        description += " " + error["errorType"]
    if error.get("errorMessage"):
        description += (":" if error.get("errorType") else "") + " " + error["errorMessage"]
    lines = [description]
    stack = error.get("stackTrace")
    if stack is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack:
            for line in element.splitlines() or [""]:
                stripped = line.lstrip(" ")
                lines.append(_NBSP * (len(line) - len(stripped)) + stripped)
    return "\n".join(lines)


class _Encoder(json.JSONEncoder):
    """awslambdaric's encoder: Decimal allowed, non-ASCII kept as is on python3.12.

    awslambdaric writes a Decimal's exact digits through simplejson's RawJSON; the
    standard library cannot, so an integral Decimal becomes an int and any other a float.
    """

    def default(self, o: Any) -> Any:
        if isinstance(o, decimal.Decimal):
            if o.is_nan():
                return math.nan
            return int(o) if o == o.to_integral_value() else float(o)
        return super().default(o)


def unmarshal_event(payload: bytes) -> Any:
    """The event the handler receives (the payload is JSON; the API already checked it)."""
    try:
        return json.loads(payload or b"{}")
    except Exception as err:  # noqa: BLE001 - awslambdaric reports any decoding failure this way
        raise FaultError(UNMARSHAL_ERROR, f"Unable to unmarshal input: {err}") from None


def marshal_response(response: Any, runtime: str) -> bytes:
    """The invocation's response payload; ``bytes`` pass through untouched, as in awslambdaric."""
    if isinstance(response, bytes):
        return response
    try:
        return _Encoder(ensure_ascii=runtime != "python3.12").encode(response).encode("utf-8")
    except Exception as err:  # noqa: BLE001
        raise FaultError(MARSHAL_ERROR, f"Unable to marshal response: {err}") from None


def parse_client_context(client_context: str | None) -> dict[str, Any] | None:
    """The ClientContext JSON (already base64-decoded), as awslambdaric's parse_json_header."""
    if not client_context:
        return None
    try:
        parsed = json.loads(client_context)
    except Exception as err:  # noqa: BLE001
        raise FaultError(CONTEXT_UNMARSHAL_ERROR, f"Unable to parse Client Context JSON: {err}") from None
    return parsed if isinstance(parsed, dict) else None


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


class Client:
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]


class ClientContext:
    __slots__ = ["custom", "env", "client"]


def _from_dict(cls: type, values: dict[str, Any] | None) -> Any:
    if values is None:
        return None
    obj = cls()
    for name in cls.__slots__:  # type: ignore[attr-defined]
        setattr(obj, name, values.get(name))
    return obj


class LambdaContext:
    """The ``context`` argument, with awslambdaric's attributes (``memory_limit_in_mb`` is a str there too)."""

    def __init__(
        self,
        *,
        aws_request_id: str,
        function_name: str,
        function_version: str,
        invoked_function_arn: str,
        memory_limit_in_mb: str,
        log_group_name: str,
        log_stream_name: str,
        deadline_ms: int,
        client_context: dict[str, Any] | None = None,
        identity: dict[str, Any] | None = None,
    ) -> None:
        self.aws_request_id = aws_request_id
        self.function_name = function_name
        self.function_version = function_version
        self.invoked_function_arn = invoked_function_arn
        self.memory_limit_in_mb = memory_limit_in_mb
        self.log_group_name = log_group_name
        self.log_stream_name = log_stream_name
        self.tenant_id = None
        self.client_context = _from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _from_dict(Client, self.client_context.client)
        self.identity = _from_dict(CognitoIdentity, {})
        if identity:
            self.identity.cognito_identity_id = identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, msg: Any) -> None:
        sys.stdout.write(str(msg))

    def __repr__(self) -> str:
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},client_context={self.client_context},"
            f"identity={self.identity},tenant_id={self.tenant_id}])"
        )


class LineWriter(io.TextIOBase):
    """Stands in for stdout/stderr: every complete line written becomes one log event."""

    encoding = "utf-8"
    errors = "strict"

    def __init__(self, emit: Callable[[str], None]) -> None:
        super().__init__()
        self._emit = emit
        self._partial = ""

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        for line in lines:
            self._emit(line)
        return len(text)

    def flush(self) -> None:
        """A flush does not end a line; ``drain`` does, at the end of an invocation."""

    def drain(self) -> None:
        if self._partial:
            line, self._partial = self._partial, ""
            self._emit(line)


class LambdaLogHandler(logging.Handler):
    """The root logging handler awslambdaric installs, in its text format; one record, one event."""

    def __init__(self, emit: Callable[[str], None], request_id: Callable[[], str]) -> None:
        super().__init__()
        self._emit = emit
        self._request_id = request_id
        formatter = logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"
        )
        formatter.converter = time.gmtime
        self.setFormatter(formatter)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            record.aws_request_id = self._request_id()
            self._emit(self.format(record).rstrip("\n"))
        except Exception:  # noqa: BLE001 - logging must never break the handler
            self.handleError(record)


WRAPPER_VARIABLE = "HARNESS_HANDLER_WRAPPER"
_WRAPPER_FILES: set[str] = set()


def wrap_handler(handler: Callable[..., Any], environ: Any = os.environ) -> Callable[..., Any]:
    """Apply the harness extension named by ``HARNESS_HANDLER_WRAPPER`` (``module:function``).

    Like ``AWS_LAMBDA_EXEC_WRAPPER`` on AWS, it lets the harness run code around every
    invocation without touching the function (here: replaying Bedrock cassettes). The
    wrapper module is imported only when the variable is set.
    """
    spec = environ.get(WRAPPER_VARIABLE)
    if not spec:
        return handler
    module_name, _, attribute = spec.partition(":")
    module = importlib.import_module(module_name)
    _WRAPPER_FILES.add(os.path.abspath(module.__file__ or ""))  # its frames are the runtime's, not the user's
    return getattr(module, attribute or "wrap")(handler)  # type: ignore[no-any-return]
