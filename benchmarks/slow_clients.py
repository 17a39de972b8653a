"""How long slow clients hold connections on the local endpoints (issue 18: 1,000 held after 90 s).

Opens ``--connections`` connections to the cloud's edge and to the local API, each sending a
request head that promises a 1,000-byte body and then only one byte of it, and counts how many
the servers have closed ``--wait`` seconds later (default: the 30 s body deadline plus 5 s).
Also prints the median latency of ``GET /_harness/health`` through the hardened edge.

    python benchmarks/slow_clients.py [--connections 300] [--wait 35]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.alexkit.api_server import ApiServer
from harness.cloud import LocalCloud
from harness.hardening.limits import BODY_SECONDS

HEAD = b"POST /%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"


async def _tiny_app(scope, receive, send):  # type: ignore[no-untyped-def]
    while True:
        message = await receive()
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def _hold(port: int, path: bytes, count: int) -> list[socket.socket]:
    socks = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(HEAD.replace(b"%s", path))
        sock.setblocking(False)
        socks.append(sock)
    return socks


def _still_open(socks: list[socket.socket]) -> int:
    open_count = 0
    for sock in socks:
        try:
            while True:
                if not sock.recv(65536):
                    break
        except BlockingIOError:
            open_count += 1  # nothing to read and not closed: still held
        except ConnectionResetError:
            pass
    return open_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=300)
    parser.add_argument("--wait", type=float, default=BODY_SECONDS + 5)
    args = parser.parse_args()
    with LocalCloud() as cloud, ApiServer(app=_tiny_app) as api:
        with httpx.Client(base_url=cloud.url) as client:
            client.get("/_harness/health")
            times = []
            for _ in range(500):
                began = time.perf_counter()
                client.get("/_harness/health")
                times.append(time.perf_counter() - began)
        print(f"GET /_harness/health through the hardened edge: median {statistics.median(times) * 1000:.2f} ms (500 calls)")
        held = {"cloud edge": _hold(cloud.port, b"", args.connections), "local API": _hold(api.port, b"echo", args.connections)}
        began = time.monotonic()
        time.sleep(args.wait)
        for name, socks in held.items():
            print(
                f"{name}: {_still_open(socks)} of {len(socks)} slow connections still held after {time.monotonic() - began:.0f} s"
            )
            for sock in socks:
                sock.close()


if __name__ == "__main__":
    main()
