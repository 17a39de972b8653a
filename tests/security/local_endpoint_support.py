"""Raw-socket helpers for the local-endpoint hardening tests: what a hostile or slow client does
cannot be said with an HTTP library, which frames every request correctly."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

READ_BOUND_SECONDS = 8.0  # no helper waits longer than this for an answer


@dataclass
class RawAnswer:
    status: int | None  # None: closed without an answer
    head: str
    body: bytes
    closed_after: float  # seconds from the last byte sent to the close (or the bound)


def raw_request(port: int, data: bytes, *, bound: float = READ_BOUND_SECONDS) -> RawAnswer:
    """Send ``data`` as is, read until the server closes (at most ``bound`` seconds)."""
    with socket.create_connection(("127.0.0.1", port), timeout=bound) as sock:
        sock.sendall(data)
        sent = time.monotonic()
        chunks: list[bytes] = []
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except (TimeoutError, ConnectionResetError):
            pass
        closed_after = time.monotonic() - sent
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else None
    return RawAnswer(status, head.decode("latin-1"), body, closed_after)


def request_bytes(
    method: str,
    path: str,
    *,
    host: str = "127.0.0.1",
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    content_length: bool = True,
) -> bytes:
    """A request with ``Connection: close`` (so the server closes after answering)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if content_length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def held_connections_closed(port: int, count: int, payload: bytes, bound: float) -> int:
    """Open ``count`` connections that send ``payload`` and then nothing; how many the server closed within ``bound``."""
    socks = [socket.create_connection(("127.0.0.1", port), timeout=bound) for _ in range(count)]
    try:
        for sock in socks:
            sock.sendall(payload)
        deadline = time.monotonic() + bound
        closed = 0
        for sock in socks:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                while sock.recv(65536):
                    pass
                closed += 1
            except ConnectionResetError:
                closed += 1
            except TimeoutError:
                pass
        return closed
    finally:
        for sock in socks:
            sock.close()
