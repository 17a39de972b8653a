"""Hardening for ASGI servers (Alex's local API under uvicorn), the same rules as http_server.py.

Two layers, because the limits act at two levels:

- ``hardened_h11(limits)``: a uvicorn HTTP protocol that bounds the request head before any
  ASGI code runs: ``header_seconds`` to send it (408, then the connection is closed) and
  ``max_header_bytes`` for it (431). uvicorn alone waits for a slow head for ever and lets
  headers grow without a total bound.
- ``LocalEdgeGuard``: ASGI middleware for what needs the parsed request: ambiguous framing
  (400), the origin/Host allow-list (403), ``body_seconds`` for the body (408), and JSON
  nested deeper than ``max_json_depth`` (400, where Python's parser would raise
  RecursionError and the app would answer 500).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from harness.hardening.limits import DEPTH_SCAN_BYTES, Limits, too_deep
from harness.hardening.policy import LocalAccessPolicy

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_HEAD_END = b"\r\n\r\n"


def _raw_response(status: int, reason: str, message: str) -> bytes:
    body = json.dumps({"message": message}).encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\nconnection: close\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    ).encode() + body


class _HardenedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline and a byte budget for each request head."""

    limits: Limits = Limits()

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head()

    def _start_head(self) -> None:
        self._head_bytes = 0
        self._tail = b""
        timer = getattr(self, "_head_timer", None)
        if timer is not None:
            timer.cancel()
        self._head_timer: asyncio.TimerHandle | None = self.loop.call_later(self.limits.header_seconds, self._head_timeout)

    def _awaiting_head(self) -> bool:
        return self.conn.their_state is h11.IDLE and (self.cycle is None or self.cycle.response_complete)

    def _head_done(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _refuse_raw(self, status: int, reason: str, message: str) -> None:
        self._head_done()
        if not self.transport.is_closing():
            self.transport.write(_raw_response(status, reason, message))
            self.transport.close()

    def _head_timeout(self) -> None:
        self._head_timer = None
        if self._awaiting_head():
            self._refuse_raw(408, "Request Timeout", "the request head did not arrive in time")

    def data_received(self, data: bytes) -> None:
        if self._awaiting_head() and self._head_timer is not None:
            window = self._tail + data
            end = window.find(_HEAD_END)
            self._head_bytes += len(data) if end == -1 else max(0, end + len(_HEAD_END) - len(self._tail))
            self._tail = window[-3:]
            if self._head_bytes > self.limits.max_header_bytes:
                self._refuse_raw(
                    431, "Request Header Fields Too Large", f"request headers larger than {self.limits.max_header_bytes} bytes"
                )
                return
        super().data_received(data)
        if not self._awaiting_head():
            self._head_done()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self._awaiting_head():
            self._start_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_done()
        super().connection_lost(exc)


def hardened_h11(limits: Limits | None = None) -> type[H11Protocol]:
    """A uvicorn ``http=`` protocol class applying ``limits`` to each request head."""
    return type("HardenedH11Protocol", (_HardenedH11Protocol,), {"limits": limits or Limits()})


class _Headers(dict[str, str]):
    """Lower-cased request headers; ``counts`` says how often each name came."""

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        super().__init__()
        self.counts: dict[str, int] = {}
        for name, value in raw:
            key = name.decode("latin-1").lower()
            self[key] = value.decode("latin-1")
            self.counts[key] = self.counts.get(key, 0) + 1


class LocalEdgeGuard:
    """ASGI middleware: framing, origin/Host allow-list, body deadline and JSON nesting (module docstring)."""

    def __init__(self, app: ASGIApp, policy: LocalAccessPolicy | None = None, limits: Limits | None = None) -> None:
        self.app = app
        self.policy = policy or LocalAccessPolicy.from_env()
        self.limits = limits or Limits()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _Headers(scope.get("headers", []))
        if scope["type"] == "http":
            framing = _framing_error(headers)
            if framing:
                await _answer(send, 400, framing)
                return
        server = scope.get("server") or ("", 0)
        why = self.policy.refusal(headers, int(server[1] or 0), scope.get("method", "GET"))
        if why:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await _answer(send, 403, why)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        await self._with_body_checks(scope, receive, send)

    async def _with_body_checks(self, scope: Scope, receive: Receive, send: Send) -> None:
        deadline = time.monotonic() + self.limits.body_seconds
        complete = False

        async def timed_receive() -> Message:
            nonlocal complete
            if complete:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                raise _BodyTimeout() from None
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        buffered: list[Message] = []
        size = 0
        try:
            while not complete and size <= DEPTH_SCAN_BYTES:
                message = await timed_receive()
                buffered.append(message)
                size += len(message.get("body", b""))
        except _BodyTimeout:
            await _answer(send, 408, f"the request body did not arrive within {self.limits.body_seconds:g} s")
            return
        if too_deep(b"".join(m.get("body", b"") for m in buffered), self.limits.max_json_depth):
            await _answer(send, 400, f"JSON nested deeper than {self.limits.max_json_depth} levels is refused")
            return

        started = False

        async def replay() -> Message:
            if buffered:
                return buffered.pop(0)
            return await timed_receive()

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, replay, tracking_send)
        except _BodyTimeout:
            if not started:
                await _answer(send, 408, f"the request body did not arrive within {self.limits.body_seconds:g} s")


class _BodyTimeout(Exception):
    """The body's deadline passed while the app waited for more of it."""


def _framing_error(headers: _Headers) -> str | None:
    if "transfer-encoding" in headers and "content-length" in headers:
        return "Transfer-Encoding and Content-Length together are ambiguous framing; send one"
    if headers.counts.get("content-length", 0) > 1:
        return "more than one Content-Length header"
    return None


async def _answer(send: Send, status: int, message: str) -> None:
    body = json.dumps({"message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
