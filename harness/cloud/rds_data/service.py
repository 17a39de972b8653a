"""DataApiService: the RDS Data API at the edge, executing on a real PostgreSQL.

Every call is checked as AWS checks it: the ``resourceArn`` must name an Aurora
cluster (moto's RDS control plane) with the HTTP endpoint enabled, the
``secretArn`` a Secrets Manager secret whose credentials then open the connection.
Each cluster database is materialised once in PostgreSQL, owned by the cluster's
master user with the cluster's master password, as Aurora would have provisioned it.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql as pgsql
from werkzeug.wrappers import Request, Response

from harness.cloud.edge import AwsRequestContext
from harness.cloud.rds_data import results
from harness.cloud.rds_data.connections import ConnectionPool, Transactions
from harness.cloud.rds_data.errors import DataApiError, bad_request, from_postgres
from harness.cloud.rds_data.params import bind
from harness.cloud.rds_data.postgres import Postgres, PostgresUnavailable

if TYPE_CHECKING:
    from harness.cloud.server import LocalCloud

log = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 1_048_576  # "The response size limit is 1 MiB" (Data API limits)
DEFAULT_STATEMENT_TIMEOUT = 45.0  # ExecuteStatement's wait before it times out (Data API reference)
_PATHS = {
    "/Execute": "execute",
    "/BatchExecute": "batch_execute",
    "/BeginTransaction": "begin",
    "/CommitTransaction": "commit",
    "/RollbackTransaction": "rollback",
    "/ExecuteSql": "execute_sql",
}


@dataclass(frozen=True)
class Target:
    """Where a call runs: the PostgreSQL DSN for the secret's role in the cluster's database."""

    resource_arn: str
    dsn: str


def _physical_name(cluster_id: str, database: str) -> str:
    """One PostgreSQL database per cluster database, so clusters never share tables."""
    return re.sub(r"[^a-z0-9_]", "_", f"{cluster_id}__{database}".lower())[:63]


class DataApiService:
    """CloudComponent answering the ``rds-data`` service."""

    def __init__(self, postgres_dsn: str | None = None, data_dir: Path | None = None) -> None:
        self.postgres = Postgres(dsn=postgres_dsn, data_dir=data_dir)
        self.pool = ConnectionPool()
        self.transactions = Transactions()
        self.statement_timeout = DEFAULT_STATEMENT_TIMEOUT
        self._resuming_until = 0.0
        self._materialised: dict[tuple[str, str], str] = {}
        self._roles: set[str] = set()
        self._dsns: dict[tuple[Any, ...], str] = {}
        self._lock = threading.Lock()

    # CloudComponent -----------------------------------------------------------
    def attach(self, cloud: LocalCloud) -> None:
        assert cloud.edge is not None
        cloud.edge.register("rds-data", self.handle)

    def start(self) -> None:
        self.postgres.start()
        self.transactions.start()

    def stop(self) -> None:
        self.transactions.stop()
        self.pool.close_all()
        self.postgres.stop()

    def reset(self) -> None:
        """Roll back open transactions and drop every database and role made for clusters."""
        self.transactions.rollback_all()
        self.pool.close_all()
        self._resuming_until = 0.0
        with self._lock:
            databases, roles = list(self._materialised.values()), list(self._roles)
            self._materialised.clear()
            self._roles.clear()
            self._dsns.clear()
        if not databases and not roles:
            return
        with psycopg.connect(self.postgres.admin_dsn(), autocommit=True) as admin:
            for name in databases:
                admin.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))
            for role in roles:
                admin.execute(pgsql.SQL("DROP ROLE IF EXISTS {}").format(pgsql.Identifier(role)))

    # fault switch ---------------------------------------------------------------
    def resuming_for(self, seconds: float) -> None:
        """Answer DatabaseResumingException for ``seconds``, as Aurora Serverless does waking from zero."""
        self._resuming_until = time.monotonic() + seconds

    # HTTP -------------------------------------------------------------------------
    def handle(self, request: Request, ctx: AwsRequestContext) -> Response | None:
        operation = _PATHS.get(request.path)
        if operation is None or request.method != "POST":
            return None
        try:
            body = json.loads(request.get_data() or b"{}")
            if not isinstance(body, dict):
                raise bad_request("Request body must be a JSON object")
            result = getattr(self, f"_{operation}")(body)
        except DataApiError as err:
            return err.response()
        except json.JSONDecodeError:
            return bad_request("Request body is not valid JSON").response()
        except psycopg.Error as err:  # e.g. the server went away between calls: an AWS-shaped error, never a 500
            return from_postgres(err).response()
        return Response(json.dumps(result), status=200, content_type="application/json")

    # operations -------------------------------------------------------------------
    def _execute(self, body: dict[str, Any]) -> dict[str, Any]:
        target = self._target(body)
        sql = _required(body, "sql")
        options = body.get("resultSetOptions") or {}
        decimal_type = options.get("decimalReturnType", "STRING")
        long_type = options.get("longReturnType", "LONG")
        as_json = body.get("formatRecordsAs", "NONE") == "JSON"
        with self._connection(body, target) as conn, conn.cursor() as cur:
            self._run(cur, sql, body.get("parameters") or [])
            out: dict[str, Any] = {"numberOfRecordsUpdated": _updated(cur), "generatedFields": []}
            if cur.description is not None:
                rows = cur.fetchall()
                if as_json:
                    names = [c.name for c in cur.description]
                    formatted = [
                        {n: results.json_value(v, decimal_type, long_type) for n, v in zip(names, row)} for row in rows
                    ]
                    out["formattedRecords"] = json.dumps(formatted)
                else:
                    out["records"] = [[results.field(v, decimal_type, long_type) for v in row] for row in rows]
                if body.get("includeResultMetadata") or as_json:
                    out["columnMetadata"] = results.column_metadata(cur)
        if len(json.dumps(out)) > MAX_RESPONSE_BYTES:
            raise bad_request("Database returned more than the allowed response size limit")
        return out

    def _batch_execute(self, body: dict[str, Any]) -> dict[str, Any]:
        target = self._target(body)
        sql = _required(body, "sql")
        sets = body.get("parameterSets") or [[]]
        updates = []
        with self._connection(body, target) as conn:
            atomic = conn.transaction() if "transactionId" not in body else _nothing()
            with atomic, conn.cursor() as cur:
                for parameters in sets:
                    self._run(cur, sql, parameters)
                    updates.append({"generatedFields": []})
        return {"updateResults": updates}

    def _begin(self, body: dict[str, Any]) -> dict[str, Any]:
        target = self._target(body)
        conn = self._open(target.dsn, autocommit=True)
        tx = self.transactions.begin(conn, target.resource_arn)
        return {"transactionId": tx.transaction_id}

    def _commit(self, body: dict[str, Any]) -> dict[str, Any]:
        self._target(body)
        self._end(body, commit=True)
        return {"transactionStatus": "Transaction Committed"}

    def _rollback(self, body: dict[str, Any]) -> dict[str, Any]:
        self._target(body)
        self._end(body, commit=False)
        return {"transactionStatus": "Rollback Complete"}

    def _execute_sql(self, body: dict[str, Any]) -> dict[str, Any]:
        raise bad_request("ExecuteSql is deprecated and not served by the local Data API; use ExecuteStatement")

    # helpers ----------------------------------------------------------------------
    def _end(self, body: dict[str, Any], commit: bool) -> None:
        try:
            self.transactions.end(_required(body, "transactionId"), body["resourceArn"], commit)
        except psycopg.Error as err:
            raise from_postgres(err) from err

    def _run(self, cur: psycopg.Cursor[Any], sql: str, parameters: list[dict[str, Any]]) -> None:
        text, values = bind(sql, parameters)
        try:
            if values or "%(" in text:
                cur.execute(text, values)
            else:
                cur.execute(sql)  # no parameters: simple protocol, several statements allowed
        except psycopg.errors.QueryCanceled as err:
            raise DataApiError(
                "StatementTimeoutException", "Request timed out", dbConnectionId=cur.connection.info.backend_pid
            ) from err
        except psycopg.Error as err:
            raise from_postgres(err) from err

    def _connection(self, body: dict[str, Any], target: Target) -> Any:
        if body.get("transactionId"):
            tx = self.transactions.get(body["transactionId"], target.resource_arn)
            return _locked(tx.lock, tx.conn)
        return _guarded(self.pool.borrow(target.dsn))

    def _open(self, dsn: str, autocommit: bool) -> psycopg.Connection:
        try:
            return self.pool.connect(dsn, autocommit=autocommit)
        except psycopg.Error as err:
            raise from_postgres(err) from err

    def _target(self, body: dict[str, Any]) -> Target:
        if time.monotonic() < self._resuming_until:
            raise DataApiError(
                "DatabaseResumingException",
                "The Aurora DB instance is resuming after being auto-paused. Please wait a few seconds and try again.",
            )
        resource_arn, secret_arn = _required(body, "resourceArn"), _required(body, "secretArn")
        cluster = _cluster(resource_arn)
        username, password = _credentials(secret_arn)
        try:
            self.postgres.wait_ready()
        except PostgresUnavailable as err:
            raise DataApiError("ServiceUnavailableError", str(err)) from err
        database = body.get("database") or cluster.database_name or "postgres"
        key = (resource_arn, database, username, password, self.statement_timeout)
        dsn = self._dsns.get(key)
        if dsn is None:  # building a conninfo string costs more than the rest of the call
            physical = self._materialise(cluster, database)
            dsn = psycopg.conninfo.make_conninfo(
                self.postgres.role_dsn(physical, username, password),
                options=f"-c statement_timeout={int(self.statement_timeout * 1000)}",
            )
            self._dsns[key] = dsn
        return Target(resource_arn, dsn)

    def _materialise(self, cluster: Any, database: str) -> str:
        """Create the cluster's master role and database on first use (Aurora provisioned them)."""
        key = (cluster.db_cluster_arn, database)
        physical = _physical_name(cluster.db_cluster_identifier, database)
        if key in self._materialised:
            return physical
        with self._lock:
            if key in self._materialised:
                return physical
            master, password = cluster.master_username, _master_password(cluster)
            with psycopg.connect(self.postgres.admin_dsn(), autocommit=True) as admin:
                exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (master,)).fetchone()
                if not exists:
                    admin.execute(
                        pgsql.SQL("CREATE ROLE {} LOGIN CREATEDB PASSWORD {}").format(
                            pgsql.Identifier(master), pgsql.Literal(password)
                        )
                    )
                    self._roles.add(master)
                if database == (cluster.database_name or "postgres") and not admin.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (physical,)
                ).fetchone():
                    admin.execute(
                        pgsql.SQL("CREATE DATABASE {} OWNER {}").format(
                            pgsql.Identifier(physical), pgsql.Identifier(master)
                        )
                    )
            self._materialised[key] = physical
        return physical


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


class _locked:
    """Use a transaction's connection exclusively for one call."""

    def __init__(self, lock: threading.Lock, conn: psycopg.Connection) -> None:
        self._lock, self._conn = lock, conn

    def __enter__(self) -> psycopg.Connection:
        self._lock.acquire()
        return self._conn

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


class _guarded:
    """A pooled connection whose connect failures surface as Data API errors."""

    def __init__(self, borrowed: Any) -> None:
        self._borrowed = borrowed

    def __enter__(self) -> psycopg.Connection:
        try:
            return self._borrowed.__enter__()  # type: ignore[no-any-return]
        except psycopg.Error as err:
            raise from_postgres(err) from err

    def __exit__(self, *exc: Any) -> Any:
        return self._borrowed.__exit__(*exc)


def _required(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise bad_request(f"{name} is required")
    return value


def _updated(cur: psycopg.Cursor[Any]) -> int:
    status = (cur.statusmessage or "").split()
    if not status or status[0] not in {"INSERT", "UPDATE", "DELETE", "MERGE", "COPY"}:
        return 0
    return max(cur.rowcount, 0)


def _cluster(resource_arn: str) -> Any:
    """The moto DB cluster a resourceArn names, checked as the Data API checks it."""
    from moto.rds.models import rds_backends

    parts = resource_arn.split(":")
    if len(parts) != 7 or parts[2] != "rds" or parts[5] != "cluster":
        raise bad_request(f"Invalid resource ARN: {resource_arn}")
    region, account, cluster_id = parts[3], parts[4], parts[6]
    cluster = rds_backends[account][region].clusters.get(cluster_id)
    if cluster is None:
        raise DataApiError("NotFoundException", f"DB cluster not found: {resource_arn}")
    if not cluster.http_endpoint_enabled:
        raise DataApiError(
            "HttpEndpointNotEnabledException",
            f"HttpEndpoint is not enabled for cluster {cluster_id}. Please refer to "
            "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.html#data-api.troubleshooting",
        )
    return cluster


def _master_password(cluster: Any) -> str:
    """The cluster's master password: given at creation, or in its RDS-managed secret."""
    if getattr(cluster, "manage_master_user_password", False):
        return str(json.loads(cluster.master_user_secret.secret.secret_string)["password"])
    return str(cluster._master_user_password)  # moto refuses to return it through the public property


def _credentials(secret_arn: str) -> tuple[str, str]:
    """Username and password from the Secrets Manager secret the call names."""
    from moto.secretsmanager.exceptions import SecretNotFoundException
    from moto.secretsmanager.models import secretsmanager_backends

    parts = secret_arn.split(":")
    if len(parts) < 7 or parts[2] != "secretsmanager":
        raise DataApiError("SecretsErrorException", f"Invalid secret ARN: {secret_arn}")
    try:
        value = secretsmanager_backends[parts[4]][parts[3]].get_secret_value(secret_arn, None, None)
    except SecretNotFoundException as err:
        raise DataApiError("SecretsErrorException", "Secrets Manager can't find the specified secret.") from err
    try:
        secret = json.loads(value.get("SecretString") or "")
        return str(secret["username"]), str(secret["password"])
    except (ValueError, KeyError, TypeError) as err:
        raise DataApiError(
            "SecretsErrorException", "The secret must be a JSON document with username and password."
        ) from err
