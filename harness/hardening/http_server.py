"""Hardening for servers built on ``http.server`` (the cloud's werkzeug edge, the issuer, the dashboard).

``hardened(HandlerClass, policy)`` returns a subclass that, before any handler code runs:

- gives the client ``header_seconds`` for its request line and headers and ``body_seconds``
  for its body, as deadlines for the whole read, not per ``recv`` (a client dripping one
  byte a second is cut off too); the connection is then closed;
- answers 431 when the headers together exceed ``max_header_bytes``;
- answers 400 to ambiguous framing: ``Transfer-Encoding`` with ``Content-Length`` (RFC 9112
  section 6.1: the combination is how requests are smuggled), any coding but plain
  ``chunked``, or two different ``Content-Length`` values;
- answers 403 to a foreign ``Origin`` or a non-loopback ``Host`` (policy.py).
"""

from __future__ import annotations

import http.client
import io
import json
import socket
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from harness.hardening.limits import Limits
from harness.hardening.policy import LocalAccessPolicy


class _DeadlineSocket(io.RawIOBase):
    """The connection's reading side, failing with TimeoutError once ``deadline`` has passed."""

    def __init__(self, sock: socket.socket, write_seconds: float) -> None:
        self._sock = sock
        self._write_seconds = write_seconds
        self.deadline = time.monotonic()
        self.expired = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.expired = True
            raise TimeoutError("the client did not send its request in time")
        self._sock.settimeout(remaining)
        try:
            return self._sock.recv_into(buffer)
        except TimeoutError:
            self.expired = True
            raise
        finally:
            self._sock.settimeout(self._write_seconds)


class _BudgetedReader(io.BufferedReader):
    """A buffered reader whose ``readline`` stops at a byte budget while headers are read."""

    header_budget: int | None = None

    def readline(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        if self.header_budget is None:
            return super().readline(size)
        cap = self.header_budget + 1 if size is None or size < 0 else min(size, self.header_budget + 1)
        line = super().readline(cap)
        self.header_budget -= len(line)
        if self.header_budget < 0:
            raise http.client.LineTooLong("request headers larger than the limit")
        return line


class HardenedHandlerMixin:
    """Mixed in before a ``BaseHTTPRequestHandler`` subclass; see the module docstring."""

    access_policy: LocalAccessPolicy = LocalAccessPolicy()
    limits: Limits = Limits()
    _deadline_raw: _DeadlineSocket
    rfile: _BudgetedReader
    close_connection: bool

    def setup(self) -> None:
        super().setup()  # type: ignore[misc]
        connection: socket.socket = self.connection  # type: ignore[attr-defined]
        self._deadline_raw = _DeadlineSocket(connection, self.limits.write_seconds)
        self.rfile = _BudgetedReader(self._deadline_raw)

    def handle_one_request(self) -> None:
        self._deadline_raw.deadline = time.monotonic() + self.limits.header_seconds
        super().handle_one_request()  # type: ignore[misc]
        if self._deadline_raw.expired:  # whatever the app made of the timeout, this connection is done
            self.close_connection = True

    def parse_request(self) -> bool:
        handler: Any = self
        self.rfile.header_budget = self.limits.max_header_bytes
        try:
            if not super().parse_request():  # type: ignore[misc]
                return False
        finally:
            self.rfile.header_budget = None
        self._deadline_raw.deadline = time.monotonic() + self.limits.body_seconds
        framing = _framing_error(handler.headers)
        if framing:
            return self._refuse(400, "BadRequest", framing)
        port = int(handler.server.server_address[1])
        why = self.access_policy.refusal(handler.headers, port, handler.command)
        if why:
            return self._refuse(403, "AccessDenied", why)
        return True

    def _refuse(self, status: int, code: str, message: str) -> bool:
        handler: Any = self
        body = json.dumps({"__type": code, "message": message}).encode()
        handler.close_connection = True
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(body)
        return False


def _framing_error(headers: Any) -> str | None:
    encodings = headers.get_all("Transfer-Encoding") or []
    lengths = headers.get_all("Content-Length") or []
    if encodings and lengths:
        return "Transfer-Encoding and Content-Length together are ambiguous framing; send one"
    if encodings and (len(encodings) > 1 or encodings[0].strip().lower() != "chunked"):
        return f"Transfer-Encoding {', '.join(encodings)!r} is not supported; use chunked or Content-Length"
    if len({value.strip() for value in lengths}) > 1:
        return "conflicting Content-Length headers"
    if lengths and not lengths[0].strip().isdigit():
        return f"Content-Length {lengths[0]!r} is not a number"
    return None


def hardened(
    handler: type[BaseHTTPRequestHandler], policy: LocalAccessPolicy | None = None, limits: Limits | None = None
) -> type[BaseHTTPRequestHandler]:
    """A subclass of ``handler`` with the deadlines, limits and access policy applied."""
    attributes = {"access_policy": policy or LocalAccessPolicy.from_env(), "limits": limits or Limits()}
    return type(f"Hardened{handler.__name__}", (HardenedHandlerMixin, handler), attributes)
