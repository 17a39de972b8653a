"""Pooled PostgreSQL connections per DSN, behind a cap of connections per server.

An autocommit statement borrows a connection for one call, so the Data API adds
little over a direct connection; a connection left inside a transaction (or broken)
is closed instead of returned. Like the connection pool in front of Aurora's Data
API (and RDS Proxy's borrow queue), calls beyond a server's cap of busy connections
wait for one to come free, up to the call's own timeout, instead of opening more
than PostgreSQL's ``max_connections`` and failing with "too many clients". Idle
connections are bounded per server too, so busy plus idle stay under that limit.
psycopg_pool would be one more dependency for what is a list and a lock here.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from harness.cloud.rds_data import types
from harness.cloud.rds_data.errors import DataApiError

POOL_SIZE = 8  # idle connections kept per DSN
MAX_IDLE = 16  # idle connections kept per server, all DSNs together
MAX_BUSY = 64  # connections in use per server (PostgreSQL's default max_connections is 100)


def connect(dsn: str, autocommit: bool = True) -> psycopg.Connection:
    """A new connection with the Data API's type loading."""
    conn = psycopg.connect(dsn, autocommit=autocommit)
    types.configure(conn)
    return conn


class Slots:
    """The busy connections one server may have; a caller waits for a free one up to its timeout."""

    def __init__(self, size: int = MAX_BUSY) -> None:
        self.size = size
        self._free = threading.BoundedSemaphore(size)

    def acquire(self, timeout: float | None) -> None:
        if not self._free.acquire(timeout=timeout):
            # what PostgreSQL (and so Aurora through the Data API) says when no connection can be had
            raise DataApiError("DatabaseErrorException", "FATAL: sorry, too many clients already; SQLState: 53300")

    def release(self) -> None:
        self._free.release()


class ConnectionPool:
    """Idle autocommit connections by DSN."""

    def __init__(self, size: int = POOL_SIZE, max_idle: int = MAX_IDLE) -> None:
        self._size = size
        self._max_idle = max_idle
        self._idle: dict[str, list[psycopg.Connection]] = defaultdict(list)  # "server key|dsn" -> connections
        self._server_idle: dict[str, int] = defaultdict(int)  # server key -> idle connections
        self._lock = threading.Lock()

    @contextmanager
    def borrow(self, dsn: str, slots: Slots, server: str, timeout: float | None) -> Iterator[psycopg.Connection]:
        slots.acquire(timeout)
        dsn_key = f"{server}|{dsn}"
        try:
            with self._lock:
                idle = self._idle[dsn_key]
                conn = idle.pop() if idle else None
                if conn is not None:
                    self._server_idle[server] -= 1
            if conn is None or conn.closed:
                conn = connect(dsn)
            try:
                yield conn
            except BaseException:
                if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    conn.close()
                else:
                    self._give_back(dsn_key, server, conn)
                raise
            if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                conn.close()
                return
            self._give_back(dsn_key, server, conn)
        finally:
            slots.release()

    def _give_back(self, dsn: str, server: str, conn: psycopg.Connection) -> None:
        if conn.closed:
            return
        with self._lock:
            if len(self._idle[dsn]) < self._size and self._server_idle[server] < self._max_idle:
                self._idle[dsn].append(conn)
                self._server_idle[server] += 1
                return
        conn.close()

    def discard(self, server: str) -> None:
        """Close one server's idle connections (its databases were dropped under them)."""
        with self._lock:
            keys = [key for key in self._idle if key.startswith(f"{server}|")]
            conns = [conn for key in keys for conn in self._idle.pop(key)]
            self._server_idle[server] = 0
        for conn in conns:
            conn.close()

    def close_all(self) -> None:
        with self._lock:
            pools, self._idle = self._idle, defaultdict(list)
            self._server_idle = defaultdict(int)
        for conns in pools.values():
            for conn in conns:
                conn.close()
