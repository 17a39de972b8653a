"""Answer what the local cloud cannot serve with a clear, final error instead of a retried 500.

When moto has no backend for a service, or an operation it has not implemented, it answers
``500 Internal Server Error`` (an HTML page). SDKs treat a 500 as transient and retry: the AWS
SDK for Go under Terraform retries for minutes, then reports a cancelled request. An emulation gap
is not transient, so this wrapper turns it into ``501 NotImplemented`` (which no SDK retries)
naming the service and operation; Terraform then prints it under the resource that needed it.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from harness.cloud.edge import request_context

log = logging.getLogger(__name__)


def operation_name(environ: dict[str, Any]) -> str:
    """The operation as the request names it: X-Amz-Target, an Action parameter, or method and path."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1]
    action = parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    if action:
        return action[0]
    body = environ.get("harness.form_body")
    if body:
        action = parse_qs(body).get("Action")
        if action:
            return action[0]
    return f"{environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO', '/')}"


def not_implemented(environ: dict[str, Any], start_response: Callable[..., Any], detail: str) -> Iterable[bytes]:
    """A 501 in the shape the caller's protocol parses (JSON for x-amz-json/REST-JSON, XML otherwise)."""
    ctx = request_context(environ)
    service = ctx.service if ctx else "an unsigned request"
    message = (
        f"the local cloud does not emulate {service} operation {operation_name(environ)} ({detail}); "
        "deploy this resource on real AWS or leave it out locally"
    )
    wants_json = "json" in environ.get("CONTENT_TYPE", "") or "HTTP_X_AMZ_TARGET" in environ
    if wants_json:
        body = json.dumps({"__type": "NotImplemented", "message": message}).encode()
        headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", "NotImplemented")]
    else:
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>NotImplemented</Code>"
            f"<Message>{_xml_escape(message)}</Message></Error><RequestId>local</RequestId></ErrorResponse>"
        ).encode()
        headers = [("Content-Type", "text/xml"), ("x-amzn-ErrorType", "NotImplemented")]
    start_response("501 Not Implemented", headers + [("Content-Length", str(len(body)))])
    return [body]


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class NotServed:
    """WSGI wrapper around moto's dispatcher: an unhandled failure becomes a 501 naming what is missing."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self._app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        captured: dict[str, Any] = {}
        if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(form)  # query-protocol bodies are small; moto reads them again
            environ["harness.form_body"] = form.decode("utf-8", "replace")

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., Any]:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None  # moto's Flask apps return their body; they never call write()

        try:
            body = list(self._app(environ, capture))
        except NotImplementedError as err:
            return not_implemented(environ, start_response, str(err) or "not implemented by moto")
        except Exception as err:  # moto has no backend for the service, or failed on its input
            log.warning("moto failed on %s: %r", operation_name(environ), err)
            return not_implemented(environ, start_response, f"{type(err).__name__}: {err}")
        status, headers = captured["status"], captured["headers"]
        content_type = dict((k.lower(), v) for k, v in headers).get("content-type", "")
        if status.startswith("500") and content_type.startswith("text/html"):  # Flask's page for an uncaught error
            return not_implemented(environ, start_response, "moto raised an internal error")
        start_response(status, headers)
        return body
