"""Pooled PostgreSQL connections per DSN (one DSN per database, role and statement timeout).

An autocommit statement borrows a connection for one call, so the Data API adds
little over a direct connection; a connection left inside a transaction (or broken)
is closed instead of returned. psycopg_pool would be one more dependency for what
is a list and a lock here.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from harness.cloud.rds_data import types

POOL_SIZE = 8  # idle connections kept per DSN


def connect(dsn: str, autocommit: bool = True) -> psycopg.Connection:
    """A new connection with the Data API's type loading."""
    conn = psycopg.connect(dsn, autocommit=autocommit)
    types.configure(conn)
    return conn


class ConnectionPool:
    """Idle autocommit connections by DSN."""

    def __init__(self, size: int = POOL_SIZE) -> None:
        self._size = size
        self._idle: dict[str, list[psycopg.Connection]] = defaultdict(list)
        self._lock = threading.Lock()

    @contextmanager
    def borrow(self, dsn: str) -> Iterator[psycopg.Connection]:
        with self._lock:
            idle = self._idle[dsn]
            conn = idle.pop() if idle else None
        if conn is None or conn.closed:
            conn = connect(dsn)
        try:
            yield conn
        except BaseException:
            if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                conn.close()
            else:
                self._give_back(dsn, conn)
            raise
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.close()
            return
        self._give_back(dsn, conn)

    def _give_back(self, dsn: str, conn: psycopg.Connection) -> None:
        if conn.closed:
            return
        with self._lock:
            if len(self._idle[dsn]) < self._size:
                self._idle[dsn].append(conn)
                return
        conn.close()

    def close_all(self) -> None:
        with self._lock:
            pools, self._idle = self._idle, defaultdict(list)
        for conns in pools.values():
            for conn in conns:
                conn.close()
