"""boto3 clients for one account and region of the local cloud, and a buffered metric publisher.

The monitoring components act through the AWS APIs (PutMetricData, DescribeAlarms,
SetAlarmState, Publish) as AWS's own services would, so what they do is visible to any
boto3 program. A client for another account signs with that account's id as its access
key, which the edge (like moto) reads as the account.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from harness import DEFAULT_ACCOUNT_ID, FAKE_ACCESS_KEY, FAKE_SECRET_KEY

if TYPE_CHECKING:
    from harness.cloud.host import CloudHost

log = logging.getLogger(__name__)

MAX_DATA_PER_CALL = 1000  # PutMetricData accepts up to 1000 data points per call


class CloudClients:
    """Cached boto3 clients of one LocalCloud, per (service, account, region)."""

    def __init__(self) -> None:
        self.cloud: CloudHost | None = None
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()

    def attach(self, cloud: CloudHost) -> None:
        self.cloud = cloud
        self._clients.clear()

    def get(self, service: str, account_id: str, region: str) -> Any:
        if self.cloud is None:
            raise RuntimeError("not attached to a local cloud")
        key = (service, account_id, region)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = boto3.client(
                    service,
                    endpoint_url=self.cloud.url,
                    region_name=region,
                    aws_access_key_id=FAKE_ACCESS_KEY if account_id == DEFAULT_ACCOUNT_ID else account_id,
                    aws_secret_access_key=FAKE_SECRET_KEY,
                    config=Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30),
                )
                self._clients[key] = client
            return client


class MetricBuffer:
    """Data points queued per (account, region, namespace) and sent by :meth:`flush`.

    ``add`` only appends under a lock, so the code producing data points (an invocation
    finishing) is never slowed by CloudWatch; a failed send is logged and dropped.
    """

    def __init__(self, client_for: Callable[[str, str], Any], what: str) -> None:
        self._client_for = client_for
        self._what = what
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._pending: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)

    def add(self, account_id: str, region: str, namespace: str, points: list[dict[str, Any]]) -> None:
        if points:
            with self._lock:
                self._pending[(account_id, region, namespace)].extend(points)

    def discard(self) -> None:
        with self._lock:
            self._pending.clear()

    def pending(self) -> int:
        with self._lock:
            return sum(len(points) for points in self._pending.values())

    def flush(self) -> int:
        """Send every queued point now (in the caller's thread); the number sent."""
        sent = 0
        with self._send_lock:
            with self._lock:
                pending, self._pending = self._pending, defaultdict(list)
            for (account_id, region, namespace), points in pending.items():
                for start in range(0, len(points), MAX_DATA_PER_CALL):
                    chunk = points[start : start + MAX_DATA_PER_CALL]
                    try:
                        self._client_for(account_id, region).put_metric_data(Namespace=namespace, MetricData=chunk)
                        sent += len(chunk)
                    except Exception:  # noqa: BLE001 - metrics are best effort
                        log.warning("could not publish %d %s metric points", len(chunk), self._what, exc_info=True)
        return sent


class Ticker:
    """A daemon thread calling ``work()`` every ``interval()`` seconds until stopped."""

    def __init__(self, name: str, work: Callable[[], object], interval: Callable[[], float]) -> None:
        self._name = name
        self._work = work
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No tick while inside, so a test that calls ``work()`` itself is not raced by the thread."""
        was_running = self.running
        self.stop()  # joins: a tick in progress ends before the block starts
        try:
            yield
        finally:
            if was_running:
                self.start()

    def _run(self) -> None:
        while not self._stop.wait(max(0.05, self._interval())):
            try:
                self._work()
            except Exception:  # noqa: BLE001 - one bad tick must not end the thread
                log.exception("%s: tick failed", self._name)


class TickingComponent:
    """A CloudComponent whose work runs on a :class:`Ticker` with the cloud's boto3 clients.

    Subclasses set ``self._clients`` (:class:`CloudClients`) and ``self._ticker`` and add
    their own ``reset``.
    """

    _clients: CloudClients
    _ticker: Ticker

    def attach(self, cloud: CloudHost) -> None:
        self._clients.attach(cloud)

    def start(self) -> None:
        self._ticker.start()

    def stop(self) -> None:
        self._ticker.stop()

    def paused(self) -> AbstractContextManager[None]:
        """The scheduled work held off inside the block (see :meth:`Ticker.paused`)."""
        return self._ticker.paused()
