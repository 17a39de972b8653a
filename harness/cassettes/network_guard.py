"""Refuse every connection that would leave loopback, for the life of a replay.

A replay must be self-contained: a call that is not in the cassette fails there, and
nothing else (a stray SDK call, a cost-map download) may reach the internet. Patching
``socket.socket.connect`` catches every client library, whatever its transport.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from collections.abc import Iterator
from typing import Any

_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex
_lock = threading.Lock()
_depth = 0


class NetworkBlocked(ConnectionRefusedError):
    pass


def _is_loopback(address: Any) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0] if isinstance(address, tuple) and address else ""
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if not _is_loopback(address):
        raise NetworkBlocked(f"replay blocks connections beyond loopback (to {address!r})")
    return _original_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    if not _is_loopback(address):
        raise NetworkBlocked(f"replay blocks connections beyond loopback (to {address!r})")
    return _original_connect_ex(self, address)


@contextlib.contextmanager
def loopback_only() -> Iterator[None]:
    global _depth
    with _lock:
        _depth += 1
        socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]
        socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                socket.socket.connect = _original_connect  # type: ignore[method-assign]
                socket.socket.connect_ex = _original_connect_ex  # type: ignore[method-assign]
