"""The single edge endpoint, like LocalStack's: route each signed request to a service.

boto3 signs every call with SigV4, and the credential scope names the service
(``Credential=AKID/20250101/us-east-1/lambda/aws4_request``). The edge reads it and
hands the request to a harness service handler registered for that signing name; a
handler that returns ``None`` (an operation it leaves alone) and every service
without a handler fall through to moto, which stays the default for everything it
emulates well.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

from harness import DEFAULT_ACCOUNT_ID, DEFAULT_REGION
from harness.cloud.routes import PREFIX as CONTROL_PREFIX
from harness.cloud.routes import ControlRoutes, Route, json_response
from harness.hardening.limits import MAX_JSON_DEPTH, too_deep

_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class AwsRequestContext:
    """Who is calling which service where, read from the SigV4 credential scope."""

    service: str
    region: str
    access_key: str
    account_id: str


ServiceHandler = Callable[[Request, AwsRequestContext], "Response | None"]


def account_for(access_key: str) -> str:
    """Mirror moto: a 12-digit access key names the account, anything else is the default."""
    return access_key if re.fullmatch(r"\d{12}", access_key) else DEFAULT_ACCOUNT_ID


def request_context(environ: dict[str, Any]) -> AwsRequestContext | None:
    """The service, region and account of a SigV4-signed request, or None if unsigned."""
    match = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if not match:
        return None
    access_key, region, service = match.groups()
    return AwsRequestContext(
        service=service,
        region=region or DEFAULT_REGION,
        access_key=access_key,
        account_id=account_for(access_key),
    )


def aws_json_error(status: int, error_type: str, message: str, **extra: Any) -> Response:
    """An error in the REST-JSON shape botocore parses (``x-amzn-ErrorType`` + body)."""
    body = {"Type": "User" if status < 500 else "Service", "message": message, **extra}
    return json_response(body, status, headers={"x-amzn-ErrorType": error_type})


MOTO_API_PREFIX = "/moto-api"


def moto_api_off() -> Response:
    """What ``/moto-api/`` answers while it is off: it can wipe every resource with one POST."""
    return aws_json_error(
        404,
        "NotFound",
        "moto's control API (/moto-api/) is off; start the cloud with "
        "HARNESS_MOTO_API=1 (or LocalCloud(moto_api=True)) to use it",
    )


class EdgeApp:
    """WSGI app in front of moto's dispatcher that lets harness services take their calls."""

    def __init__(self, fallback: Callable[..., Iterable[bytes]], *, moto_api: bool = False) -> None:
        self._fallback = fallback
        self._moto_api = moto_api
        self._handlers: dict[str, list[ServiceHandler]] = {}
        self.control = ControlRoutes()
        self._observers: list[Callable[[str, str], None]] = []

    def register(self, service: str, handler: ServiceHandler) -> None:
        """Give ``handler`` first refusal on every request signed for ``service``."""
        self._handlers.setdefault(service, []).append(handler)

    def add_routes(self, routes: Iterable[Route]) -> None:
        """Serve ``routes`` under ``/_harness/`` (the harness's own control API, not AWS's), unsigned."""
        self.control.add(routes)

    def observe(self, observer: Callable[[str, str], None]) -> None:
        """Tell ``observer(method, path)`` of every request (state persistence marks itself dirty)."""
        self._observers.append(observer)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            return self._route(environ, _cors_for(environ, start_response))
        finally:  # after the work is done (a long poll may change state late), not before
            for observer in self._observers:
                observer(environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""))

    def _route(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if _json_too_deep(environ):
            return aws_json_error(400, "SerializationException", f"JSON nested deeper than {MAX_JSON_DEPTH} levels is refused")(
                environ, start_response
            )
        path = environ.get("PATH_INFO", "")
        if not self._moto_api and path.startswith(MOTO_API_PREFIX):
            return moto_api_off()(environ, start_response)
        if path.startswith(CONTROL_PREFIX):
            return self.control(Request(environ))(environ, start_response)
        ctx = request_context(environ)
        handlers = self._handlers.get(ctx.service, []) if ctx else []
        if handlers and ctx is not None:
            body = _buffer_body(environ)
            request = Request(environ)
            for handler in handlers:
                response = handler(request, ctx)
                if response is not None:
                    return response(environ, start_response)
                _rewind(environ, body)
        return self._fallback(environ, start_response)


def _cors_for(environ: dict[str, Any], start_response: Callable[..., Any]) -> Callable[..., Any]:
    """``start_response`` with moto's ``Access-Control-Allow-Origin: *`` narrowed to the caller's origin.

    The hardened server has already refused every foreign ``Origin``, so an origin still here is
    allowed and is echoed; without one no browser reads the answer cross-origin, so none is sent.
    """
    origin = environ.get("HTTP_ORIGIN")

    def narrowed(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        headers = [(k, v) for k, v in headers if k.lower() != "access-control-allow-origin"]
        if origin:
            headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

    return narrowed


def _json_too_deep(environ: dict[str, Any]) -> bool:
    """A JSON body nested past the limit, which moto's and the harness's parsers would meet with
    RecursionError (a 500 that SDKs retry); AWS answers such a body with a 400."""
    if "json" not in environ.get("CONTENT_TYPE", "") or not (environ.get("CONTENT_LENGTH") or _chunked(environ)):
        return False
    return too_deep(_buffer_body(environ))


def _chunked(environ: dict[str, Any]) -> bool:
    """A ``Transfer-Encoding: chunked`` body: no length, the server's input ends at the last chunk."""
    return bool(environ.get("wsgi.input_terminated")) and not environ.get("CONTENT_LENGTH")


def _buffer_body(environ: dict[str, Any]) -> bytes:
    """Read the body once so a declining handler can pass it on to moto intact (a chunked one to its
    end: the hardened server's body deadline bounds how long that may take)."""
    if _chunked(environ):
        body = environ["wsgi.input"].read()
    else:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
    _rewind(environ, body)
    return body


def _rewind(environ: dict[str, Any], body: bytes) -> None:
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
