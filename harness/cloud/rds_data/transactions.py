"""Data API transactions: each holds its own connection until it ends.

As on AWS (BeginTransaction, and "Troubleshooting RDS Data API" in the Aurora user
guide): a transaction not used for three minutes is rolled back, none lives past 24
hours, an error in one of its statements aborts it, and a later call naming an
ended transaction gets ``TransactionNotFoundException`` with the cause appended.
Serverless v2 / provisioned clusters refuse a call on a transaction that is still
running another (``DatabaseErrorException: Transaction is still running a query``);
Serverless v1 made it wait.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg

from harness.cloud.rds_data.errors import DataApiError

DEFAULT_IDLE_TIMEOUT = 180.0  # "A transaction times out if no calls use its transaction ID in three minutes"
DEFAULT_MAX_LIFETIME = 86_400.0  # "A transaction can run for a maximum of 24 hours"
EXPIRED = "Transaction may be expired"
ENDED = "One previous call resulted in a termination of your transaction"
ABORTED = "Transaction has been aborted due to an error from a previous call"
_REMEMBERED = 10_000  # ended transaction ids kept to explain a later call


@dataclass
class Transaction:
    """An open transaction: its connection, who opened it, when it began and was last used."""

    transaction_id: str
    conn: psycopg.Connection
    resource_arn: str
    legacy: bool
    started: float
    last_used: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    release: Callable[[], None] | None = None  # gives back the server's connection slot

    def close(self) -> None:
        """Close the connection (rolling back what is open) and free its slot, once."""
        self.conn.close()
        release, self.release = self.release, None
        if release is not None:
            release()


class Transactions:
    """Open transactions by id, with a reaper rolling back the idle and the too old."""

    def __init__(
        self,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        max_lifetime: float = DEFAULT_MAX_LIFETIME,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.idle_timeout = idle_timeout
        self.max_lifetime = max_lifetime
        self._clock = clock
        self._open: dict[str, Transaction] = {}
        self._ended: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._reaper: threading.Thread | None = None

    # lifecycle -----------------------------------------------------------------------------
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
        """Roll back every open transaction and forget them all (a fresh cloud has none)."""
        with self._lock:
            txs, self._open = list(self._open.values()), {}
            self._ended.clear()
        for tx in txs:
            tx.close()  # closing the connection of an open transaction rolls it back

    def is_open(self, transaction_id: str) -> bool:
        return transaction_id in self._open

    # operations ----------------------------------------------------------------------------
    def begin(
        self, conn: psycopg.Connection, resource_arn: str, legacy: bool, release: Callable[[], None] | None = None
    ) -> Transaction:
        now = self._clock()
        tx = Transaction(secrets.token_urlsafe(96)[:128], conn, resource_arn, legacy, now, now, release=release)
        try:
            conn.execute("BEGIN")
        except BaseException:
            tx.close()
            raise
        with self._lock:
            self._open[tx.transaction_id] = tx
        return tx

    @contextmanager
    def use(self, transaction_id: str, resource_arn: str) -> Iterator[psycopg.Connection]:
        """The transaction's connection, exclusively, for one call; a database error aborts it."""
        tx = self._get(transaction_id, resource_arn)
        if tx.legacy:
            tx.lock.acquire()
        elif not tx.lock.acquire(blocking=False):
            raise DataApiError("DatabaseErrorException", "Transaction is still running a query")
        try:
            if self._open.get(transaction_id) is not tx:  # ended while this call waited for it
                raise self._not_found(transaction_id)
            yield tx.conn
        except DataApiError as err:
            if err.aborts_transaction:
                self._finish(tx, ABORTED)
            raise
        finally:
            tx.last_used = self._clock()
            tx.lock.release()

    def end(self, transaction_id: str, resource_arn: str, commit: bool) -> None:
        """CommitTransaction / RollbackTransaction."""
        with self.use(transaction_id, resource_arn) as conn:
            tx = self._open[transaction_id]
            try:
                conn.execute("COMMIT" if commit else "ROLLBACK")
            finally:
                self._finish(tx, ENDED)

    # internals -----------------------------------------------------------------------------
    def _get(self, transaction_id: str, resource_arn: str) -> Transaction:
        with self._lock:
            tx = self._open.get(transaction_id)
        if tx is None or tx.resource_arn != resource_arn:
            raise self._not_found(transaction_id)
        tx.last_used = self._clock()
        return tx

    def _not_found(self, transaction_id: str) -> DataApiError:
        with self._lock:
            cause = self._ended.get(transaction_id, EXPIRED)
        return DataApiError("TransactionNotFoundException", f"Transaction {transaction_id} is not found: {cause}")

    def _finish(self, tx: Transaction, cause: str) -> None:
        with self._lock:
            if self._open.get(tx.transaction_id) is tx:
                del self._open[tx.transaction_id]
            self._ended[tx.transaction_id] = cause
            while len(self._ended) > _REMEMBERED:
                self._ended.popitem(last=False)
        tx.close()

    def _reap_forever(self) -> None:
        while not self._stop.wait(min(1.0, max(0.05, self.idle_timeout / 4))):
            now = self._clock()
            with self._lock:
                due = [
                    t
                    for t in self._open.values()
                    if (now - t.last_used > self.idle_timeout or now - t.started > self.max_lifetime) and not t.lock.locked()
                ]
            for tx in due:
                if tx.lock.acquire(blocking=False):  # not if a call took it meanwhile
                    try:
                        self._finish(tx, EXPIRED)
                    finally:
                        tx.lock.release()
