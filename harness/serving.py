"""What every server the harness starts has in common: it listens on loopback only, and the
threaded ones (the local cloud's edge, the issuer, the dashboard) serve from a daemon thread."""

from __future__ import annotations

import signal
import socketserver
import threading

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def require_loopback(host: str, what: str) -> str:
    """``host`` when it is a loopback address; a ValueError naming ``what`` otherwise."""
    if host not in LOOPBACK_HOSTS and not host.startswith("127."):
        raise ValueError(f"{what} serves loopback only, not {host!r}")
    return host


class ServingThread:
    """``server.serve_forever()`` on a daemon thread, one daemon thread per request; ``stop``
    shuts it down, closes its socket and waits for the thread."""

    def __init__(self, server: socketserver.BaseServer, name: str) -> None:
        server.daemon_threads = True  # type: ignore[attr-defined]
        self.server = server
        self._thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])  # type: ignore[index]

    def stop(self, timeout: float = 5.0) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=timeout)


def wait_for_interrupt() -> None:
    """Block until Ctrl-C or SIGTERM: how a command that serves something runs until stopped."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
