"""Pooled PostgreSQL connections per (database, role), and transactions that hold one.

Autocommit statements borrow a pooled connection for one call, so the Data API adds
little over a direct connection. A transaction keeps its connection until commit,
rollback, or the idle timeout after which Aurora rolls it back (3 minutes on AWS).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg
from psycopg.types.string import TextLoader

from harness.cloud.rds_data.errors import DataApiError

POOL_SIZE = 8
DEFAULT_IDLE_TIMEOUT = 180.0


def _configure(conn: psycopg.Connection) -> None:
    """JSON comes back as the text PostgreSQL wrote, times in UTC, as the Data API returns them."""
    for name in ("json", "jsonb"):
        conn.adapters.register_loader(name, TextLoader)
    conn.execute("SET TIME ZONE 'UTC'")


class ConnectionPool:
    """A small pool of autocommit connections per DSN (psycopg_pool would be one more dependency)."""

    def __init__(self) -> None:
        self._idle: dict[str, list[psycopg.Connection]] = defaultdict(list)
        self._lock = threading.Lock()

    def connect(self, dsn: str, autocommit: bool = True) -> psycopg.Connection:
        conn = psycopg.connect(dsn, autocommit=True)
        _configure(conn)
        conn.autocommit = autocommit
        return conn

    @contextmanager
    def borrow(self, dsn: str) -> Iterator[psycopg.Connection]:
        with self._lock:
            conn = self._idle[dsn].pop() if self._idle[dsn] else None
        if conn is None or conn.closed:
            conn = self.connect(dsn)
        try:
            yield conn
        except BaseException:
            conn.close()
            raise
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.close()
            return
        with self._lock:
            if len(self._idle[dsn]) < POOL_SIZE:
                self._idle[dsn].append(conn)
                return
        conn.close()

    def close_all(self) -> None:
        with self._lock:
            pools, self._idle = self._idle, defaultdict(list)
        for conns in pools.values():
            for conn in conns:
                conn.close()


@dataclass
class Transaction:
    """An open transaction: its connection, who opened it, when it was last used."""

    transaction_id: str
    conn: psycopg.Connection
    resource_arn: str
    last_used: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Transactions:
    """Open transactions by id, with a reaper rolling back the idle ones."""

    def __init__(self, idle_timeout: float = DEFAULT_IDLE_TIMEOUT, clock: Callable[[], float] = time.monotonic) -> None:
        self.idle_timeout = idle_timeout
        self._clock = clock
        self._open: dict[str, Transaction] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._reaper: threading.Thread | None = None

    def begin(self, conn: psycopg.Connection, resource_arn: str) -> Transaction:
        conn.execute("BEGIN")
        tx = Transaction(secrets.token_urlsafe(96)[:128], conn, resource_arn, self._clock())
        with self._lock:
            self._open[tx.transaction_id] = tx
        return tx

    def get(self, transaction_id: str, resource_arn: str) -> Transaction:
        with self._lock:
            tx = self._open.get(transaction_id)
        if tx is None or tx.resource_arn != resource_arn:
            raise DataApiError("TransactionNotFoundException", f"Transaction {transaction_id} is not found")
        tx.last_used = self._clock()
        return tx

    def end(self, transaction_id: str, resource_arn: str, commit: bool) -> None:
        tx = self.get(transaction_id, resource_arn)
        with self._lock:
            self._open.pop(transaction_id, None)
        with tx.lock:
            try:
                tx.conn.execute("COMMIT" if commit else "ROLLBACK")
            finally:
                tx.conn.close()

    def start(self) -> None:
        self._stop.clear()
        self._reaper = threading.Thread(target=self._reap_forever, name="rds-data-tx-reaper", daemon=True)
        self._reaper.start()

    def stop(self) -> None:
        self._stop.set()
        if self._reaper is not None:
            self._reaper.join(timeout=5)
        self.rollback_all()

    def rollback_all(self) -> None:
        with self._lock:
            txs, self._open = list(self._open.values()), {}
        for tx in txs:
            tx.conn.close()  # closing an open transaction's connection rolls it back

    def _reap_forever(self) -> None:
        while not self._stop.wait(min(1.0, max(0.05, self.idle_timeout / 4))):
            now = self._clock()
            with self._lock:
                idle = [t for t in self._open.values() if now - t.last_used > self.idle_timeout and not t.lock.locked()]
                for tx in idle:
                    del self._open[tx.transaction_id]
            for tx in idle:
                tx.conn.close()
