"""DataApiService: the RDS Data API at the edge, executing on a real PostgreSQL.

Every call is checked as AWS checks it (``clusters``), runs as the secret's role on a
pooled connection or its transaction's own (``pool``, ``transactions``), binds its
parameters (``params``) and maps the result (``types``). Behaviours follow the rds-data
API reference and the Aurora user guide ("Using RDS Data API", "Troubleshooting",
"Comparing Data API behaviors for Serverless v2 and provisioned with Serverless v1"):
clusters in engine mode ``serverless`` (v1) get v1's answers, all others v2's.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
from werkzeug.wrappers import Request, Response

from harness.cloud.edge import AwsRequestContext
from harness.cloud.rds_data import types
from harness.cloud.rds_data.clusters import Cluster, credentials, find_cluster
from harness.cloud.rds_data.errors import DataApiError, bad_request, from_postgres, sql_error_code
from harness.cloud.rds_data.params import ParsedSql, bind, parse
from harness.cloud.rds_data.pool import ConnectionPool, connect
from harness.cloud.rds_data.postgres import RESERVED_ROLES, PostgresUnavailable
from harness.cloud.rds_data.servers import ClusterServers, Server
from harness.cloud.rds_data.transactions import DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_LIFETIME, Transactions
from harness.cloud.service_model import OperationRouter

if TYPE_CHECKING:
    from harness.cloud.host import CloudHost

log = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 1_048_576  # "The response size limit is 1 MiB" (ExecuteStatement)
MAX_JSON_RESPONSE_BYTES = 10_000_000  # "The JSON response is limited to 10 megabytes" (JSON result sets)
MAX_REQUEST_BYTES = 4 * 1_048_576  # "the maximum size of the HTTP request ... is 4 MiB" (BatchExecuteStatement)
DEFAULT_STATEMENT_TIMEOUT = 45.0  # "a call times out if it's not finished processing within 45 seconds"
# What the Data API answers while a cluster's writer is down (DatabaseUnavailableException, HTTP 504)
UNAVAILABLE_MESSAGE = "The writer instance in the DB cluster isn't available. Wait a few seconds and try again."
RESUMING_MESSAGE = "The Aurora DB instance is resuming after being auto-paused. Please wait a few seconds and try again."
_HANDLERS = {  # operation -> the method answering it; paths and methods are botocore's model's
    "ExecuteStatement": "execute",
    "BatchExecuteStatement": "batch_execute",
    "BeginTransaction": "begin",
    "CommitTransaction": "commit",
    "RollbackTransaction": "rollback",
    "ExecuteSql": "execute_sql",
}
_OPERATIONS = OperationRouter("rds-data", _HANDLERS)
_DML = {"INSERT", "UPDATE", "DELETE", "MERGE", "COPY"}
_QUERY = re.compile(r"\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*\(*\s*(?:SELECT|WITH|VALUES|TABLE)\b", re.I | re.S)
FETCH_ROWS = 256  # rows fetched at a time, so no result is held whole before the limit is checked


@dataclass(frozen=True)
class Call:
    """Where a call runs: its cluster, its server and the DSN of the secret's role in the database asked for."""

    cluster: Cluster
    server: Server
    dsn: str
    database: str
    username: str
    password: str


@dataclass(frozen=True)
class Answer:
    body: dict[str, Any]
    legacy: bool = False


@lru_cache(maxsize=2048)
def _parsed(sql: str) -> ParsedSql:
    return parse(sql)


class DataApiService:
    """CloudComponent answering the ``rds-data`` service; ``resuming_for`` and ``statement_timeout`` are its knobs."""

    def __init__(
        self,
        postgres_dsn: str | None = None,
        data_dir: Path | None = None,
        *,
        statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT,
        transaction_idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        transaction_max_lifetime: float = DEFAULT_MAX_LIFETIME,
    ) -> None:
        self.pool = ConnectionPool()
        self.servers = ClusterServers(dsn=postgres_dsn, data_dir=data_dir, on_wipe=self.pool.discard)
        self.transactions = Transactions(idle_timeout=transaction_idle_timeout, max_lifetime=transaction_max_lifetime)
        self.statement_timeout = statement_timeout
        self._resuming_until = 0.0
        # secretArn -> (username, password): moto's Secrets Manager unless a component (the LocalStack hybrid) swaps it
        self.credentials = credentials
        self._dsns: dict[tuple[Any, ...], str] = {}
        self._recovering = threading.Lock()

    # CloudComponent -----------------------------------------------------------------------------
    def attach(self, cloud: CloudHost) -> None:
        assert cloud.edge is not None
        cloud.edge.register("rds-data", self.handle)

    def start(self) -> None:
        self.servers.start()
        self.transactions.start()

    def stop(self) -> None:
        self.transactions.stop()
        self.pool.close_all()
        self.servers.stop()

    def reset(self) -> None:
        """Roll back open transactions and drop every database and role made for clusters."""
        self.transactions.rollback_all()
        self.pool.close_all()
        self._resuming_until = 0.0
        self._dsns.clear()
        self.servers.reset()

    # knobs ----------------------------------------------------------------------------------------
    def resuming_for(self, seconds: float) -> None:
        """Answer DatabaseResumingException for ``seconds``, as Aurora Serverless does waking from zero capacity."""
        self._resuming_until = time.monotonic() + seconds

    @property
    def transaction_idle_timeout(self) -> float:
        return self.transactions.idle_timeout

    @transaction_idle_timeout.setter
    def transaction_idle_timeout(self, seconds: float) -> None:
        self.transactions.idle_timeout = seconds

    # HTTP -----------------------------------------------------------------------------------------
    def handle(self, request: Request, ctx: AwsRequestContext) -> Response | None:
        called = _OPERATIONS.route(request)
        if called is None:
            return None
        operation = _HANDLERS[called.name]
        try:
            if (request.content_length or 0) > MAX_REQUEST_BYTES:
                raise bad_request("The request is larger than the 4 MiB the Data API accepts")
            body = json.loads(request.get_data() or b"{}")
            if not isinstance(body, dict):
                raise bad_request("Request body must be a JSON object")
            answer: Answer = getattr(self, f"_{operation}")(body)
            payload = json.dumps(answer.body)
            limit = MAX_JSON_RESPONSE_BYTES if "formattedRecords" in answer.body else MAX_RESPONSE_BYTES
            if len(payload) > limit:
                raise DataApiError(
                    "BadRequestException" if answer.legacy else "UnsupportedResultException",
                    "Database returned more than the allowed response size limit",
                )
        except DataApiError as err:
            return err.response()
        except json.JSONDecodeError:
            return bad_request("Request body is not valid JSON").response()
        except UnicodeEncodeError:  # a lone surrogate (\ud800) in the SQL or a stringValue: not valid UTF-8
            return bad_request("The request contains a string that is not valid UTF-8 (a lone surrogate)").response()
        except psycopg.Error as err:  # e.g. the server went away between calls
            return from_postgres(err).response()
        except Exception:  # never an HTML 500: AWS answers InternalServerErrorException
            log.exception("rds-data %s failed", operation)
            return DataApiError("InternalServerErrorException", "An internal error occurred.").response()
        return Response(payload, status=200, content_type="application/json")

    # operations -----------------------------------------------------------------------------------
    def _execute(self, body: dict[str, Any]) -> Answer:
        call = self._call(body)
        legacy = call.cluster.legacy
        parsed = self._statement(body, legacy)
        values = self._bind(parsed, body.get("parameters") or [], legacy)
        options = types.Options.from_request(body.get("resultSetOptions"))
        as_json = body.get("formatRecordsAs", "NONE") == "JSON"
        metadata = bool(body.get("includeResultMetadata"))
        if body.get("continueAfterTimeout") and not body.get("transactionId"):
            return Answer(self._detached(call, body["sql"], parsed, values, options, as_json, metadata), legacy)
        with self._connection(body, call) as conn:
            return Answer(self._run(conn, body["sql"], parsed, values, options, as_json, metadata, legacy), legacy)

    def _batch_execute(self, body: dict[str, Any]) -> Answer:
        call = self._call(body)
        legacy = call.cluster.legacy
        parsed = self._statement(body, legacy)
        sets = body.get("parameterSets") or [[]]
        bound = [self._bind(parsed, parameters, legacy) for parameters in sets]
        with self._connection(body, call) as conn:
            atomic = conn.transaction() if not body.get("transactionId") else _nothing()
            try:
                with atomic, conn.cursor() as cur:
                    for values in bound:
                        self._cursor_execute(cur, body["sql"], parsed, values, legacy)
            except psycopg.Error as err:
                raise from_postgres(err, legacy) from err
        return Answer({"updateResults": [{"generatedFields": []} for _ in bound]}, legacy)

    def _begin(self, body: dict[str, Any]) -> Answer:
        call = self._call(body)
        slots = call.server.slots
        slots.acquire(self.statement_timeout)
        try:
            conn = connect(call.dsn)
        except BaseException as err:
            slots.release()
            if isinstance(err, psycopg.Error):
                raise from_postgres(err, call.cluster.legacy) from err
            raise
        tx = self.transactions.begin(conn, call.cluster.arn, call.cluster.legacy, release=slots.release)
        return Answer({"transactionId": tx.transaction_id}, call.cluster.legacy)

    def _commit(self, body: dict[str, Any]) -> Answer:
        self._end(body, commit=True)
        return Answer({"transactionStatus": "Transaction Committed"})

    def _rollback(self, body: dict[str, Any]) -> Answer:
        self._end(body, commit=False)
        return Answer({"transactionStatus": "Rollback Complete"})

    def _execute_sql(self, body: dict[str, Any]) -> Answer:
        raise bad_request("ExecuteSql is deprecated and not served by the local Data API; use ExecuteStatement")

    # execution ------------------------------------------------------------------------------------
    def _run(
        self,
        conn: psycopg.Connection,
        sql: str,
        parsed: ParsedSql,
        values: dict[str, Any],
        options: types.Options,
        as_json: bool,
        metadata: bool,
        legacy: bool,
    ) -> dict[str, Any]:
        limit = MAX_JSON_RESPONSE_BYTES if as_json else MAX_RESPONSE_BYTES
        if parsed.statements == 1 and _QUERY.match(sql):
            streamed = self._run_cursor(conn, sql, parsed, values, options, as_json, metadata, legacy, limit)
            if streamed is not None:
                return streamed
        with conn.cursor() as cur:
            self._cursor_execute(cur, sql, parsed, values, legacy)
            out: dict[str, Any] = {"numberOfRecordsUpdated": _updated(cur), "generatedFields": []}
            if cur.description is None:
                return out
            cols = types.columns(cur)
            shape = _Shaper(cols, options, as_json, legacy, limit)
            try:
                while batch := cur.fetchmany(FETCH_ROWS):
                    shape.add(batch)
            except psycopg.Error as err:
                raise from_postgres(err, legacy) from err
        return shape.finish(out, metadata)

    def _run_cursor(
        self,
        conn: psycopg.Connection,
        sql: str,
        parsed: ParsedSql,
        values: dict[str, Any],
        options: types.Options,
        as_json: bool,
        metadata: bool,
        legacy: bool,
        limit: int,
    ) -> dict[str, Any] | None:
        """A query through a server-side cursor, fetched in batches: the response limit holds while reading.

        None when PostgreSQL will not declare a cursor for it (``SELECT INTO``, a data-modifying
        ``WITH``): DECLARE only plans, so nothing ran, and the caller runs it plainly.
        """
        try:
            with conn.transaction():  # BEGIN/COMMIT in autocommit; a savepoint inside a Data API transaction
                cur = conn.cursor(name="data_api")
                try:
                    try:
                        cur.execute(parsed.text if parsed.names else sql, values if parsed.names else None)
                    except psycopg.errors.QueryCanceled:
                        raise
                    except psycopg.Error:
                        raise _NotACursor() from None
                    cols = types.columns(cur)
                    shape = _Shaper(cols, options, as_json, legacy, limit)
                    while batch := cur.fetchmany(FETCH_ROWS):
                        shape.add(batch)
                finally:
                    cur.close()
        except _NotACursor:
            return None
        except psycopg.errors.QueryCanceled as err:
            raise DataApiError(
                "StatementTimeoutException",
                "Request timed out",
                aborts_transaction=True,
                dbConnectionId=conn.info.backend_pid,
            ) from err
        except psycopg.Error as err:
            raise from_postgres(err, legacy) from err
        return shape.finish({"numberOfRecordsUpdated": 0, "generatedFields": []}, metadata)

    def _cursor_execute(
        self, cur: psycopg.Cursor[Any], sql: str, parsed: ParsedSql, values: dict[str, Any], legacy: bool
    ) -> None:
        try:
            if parsed.names:
                cur.execute(parsed.text, values)  # extended protocol: values travel as bind parameters
            else:
                cur.execute(sql)  # nothing to bind: the SQL exactly as given
        except psycopg.errors.QueryCanceled as err:
            raise DataApiError(
                "StatementTimeoutException",
                "Request timed out",
                aborts_transaction=True,
                dbConnectionId=cur.connection.info.backend_pid,
            ) from err
        except psycopg.Error as err:
            raise from_postgres(err, legacy) from err

    def _detached(
        self,
        call: Call,
        sql: str,
        parsed: ParsedSql,
        values: dict[str, Any],
        options: types.Options,
        as_json: bool,
        metadata: bool,
    ) -> dict[str, Any]:
        """continueAfterTimeout: past the call timeout the caller gets StatementTimeoutException, the SQL runs on."""
        dsn = self._dsn(call, timeout=None)
        slots = call.server.slots
        slots.acquire(self.statement_timeout)
        try:
            conn = connect(dsn)
        except BaseException as err:
            slots.release()
            if isinstance(err, psycopg.Error):
                raise from_postgres(err, call.cluster.legacy) from err
            raise
        box: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                box["result"] = self._run(conn, sql, parsed, values, options, as_json, metadata, call.cluster.legacy)
            except BaseException as err:  # handed to the waiting call
                box["error"] = err
            finally:
                conn.close()
                slots.release()
                done.set()

        pid = conn.info.backend_pid
        threading.Thread(target=work, name="rds-data-continue", daemon=True).start()
        if not done.wait(self.statement_timeout):
            raise DataApiError("StatementTimeoutException", "Request timed out", dbConnectionId=pid)
        if "error" in box:
            raise box["error"]
        return dict(box["result"])

    # helpers --------------------------------------------------------------------------------------
    def _statement(self, body: dict[str, Any], legacy: bool) -> ParsedSql:
        parsed = _parsed(_required(body, "sql"))
        if not legacy and body.get("schema"):
            raise bad_request("The schema parameter isn't supported")
        if not legacy and parsed.statements > 1:
            raise DataApiError("DatabaseErrorException", "Multistatements aren't supported.")
        return parsed

    @staticmethod
    def _bind(parsed: ParsedSql, parameters: list[dict[str, Any]], legacy: bool) -> dict[str, Any]:
        try:
            return bind(parsed, parameters)
        except DataApiError as err:
            err.code = sql_error_code(legacy)
            raise

    def _end(self, body: dict[str, Any], commit: bool) -> None:
        call = self._call(body)
        try:
            self.transactions.end(_required(body, "transactionId"), call.cluster.arn, commit)
        except psycopg.Error as err:
            raise from_postgres(err, call.cluster.legacy) from err

    @contextmanager
    def _connection(self, body: dict[str, Any], call: Call) -> Iterator[psycopg.Connection]:
        """The call's transaction connection, or a pooled autocommit one; failing to connect is a Data API error."""
        transaction_id = body.get("transactionId")
        if transaction_id:
            with self.transactions.use(transaction_id, call.cluster.arn) as conn:
                yield conn
            return
        try:
            with self.pool.borrow(call.dsn, call.server.slots, call.server.key, self.statement_timeout) as conn:
                yield conn
        except psycopg.Error as err:  # statement errors arrive converted already; this is connect / auth
            raise from_postgres(err, call.cluster.legacy) from err

    def _call(self, body: dict[str, Any]) -> Call:
        if time.monotonic() < self._resuming_until:
            raise DataApiError("DatabaseResumingException", RESUMING_MESSAGE)
        cluster = find_cluster(_required(body, "resourceArn"))
        username, password = self.credentials(_required(body, "secretArn"))
        if username in RESERVED_ROLES:  # the harness's own roles: as if the password were wrong, which it is
            raise DataApiError(sql_error_code(cluster.legacy), f'FATAL: password authentication failed for user "{username}"')
        server = self.servers.for_cluster(cluster)
        if not server.postgres.alive():
            self._recover(server)
        if server.postgres.restarting:
            raise DataApiError("DatabaseUnavailableException", UNAVAILABLE_MESSAGE)
        try:
            server.postgres.wait_ready()
        except PostgresUnavailable as err:
            raise DataApiError("ServiceUnavailableError", str(err)) from err
        database = body.get("database") or cluster.default_database
        server.databases.ensure(cluster, database)
        call = Call(cluster, server, "", database, username, password)
        return Call(cluster, server, self._dsn(call, self.statement_timeout), database, username, password)

    def _recover(self, server: Server) -> None:
        """A cluster's PostgreSQL died under the cloud: start it again once, on its data, as Aurora
        restarts a failed writer; its pooled connections died with it."""
        with self._recovering:
            if server.postgres.alive():
                return  # another call restarted it meanwhile
            self.pool.discard(server.key)
            server.postgres.restart()

    def _dsn(self, call: Call, timeout: float | None) -> str:
        key = (call.server.key, call.database, call.username, call.password, timeout)
        dsn = self._dsns.get(key)
        if dsn is None:  # building a conninfo string costs more than the rest of the call
            dsn = call.server.postgres.role_dsn(call.database, call.username, call.password, statement_timeout=timeout)
            self._dsns[key] = dsn
        return dsn


class _NotACursor(Exception):
    """PostgreSQL refused to DECLARE a cursor for the statement (it ran nothing)."""


class _Shaper:
    """Rows to Data API records as they arrive, refusing once the response passes the limit (not after)."""

    def __init__(self, cols: list[types.Column], options: types.Options, as_json: bool, legacy: bool, limit: int):
        self.cols, self.as_json, self.legacy, self.limit = cols, as_json, legacy, limit
        self.size = 0
        self.records: list[Any] = []
        if as_json:
            names = [c.name for c in cols]
            if len(set(names)) != len(names):
                raise DataApiError(
                    "UnsupportedResultException" if not legacy else "BadRequestException",
                    "The result set has more than one column with the same name; JSON records need unique labels",
                )
            self.names = names
            self.convert = [types.json_converter(c, options) for c in cols]
        else:
            self.convert = [types.field_converter(c, options, nested_arrays=legacy) for c in cols]

    def add(self, rows: list[Any]) -> None:
        for row in rows:
            values = [f(v) for f, v in zip(self.convert, row)]
            record = dict(zip(self.names, values)) if self.as_json else values
            self.size += len(json.dumps(record, separators=(",", ":"))) + 1
            if self.size > self.limit:
                raise DataApiError(
                    "BadRequestException" if self.legacy else "UnsupportedResultException",
                    "Database returned more than the allowed response size limit",
                )
            self.records.append(record)

    def finish(self, out: dict[str, Any], metadata: bool) -> dict[str, Any]:
        if self.as_json:
            out["formattedRecords"] = json.dumps(self.records, separators=(",", ":"))
            return out  # "In this case, the columnMetadata is null"
        out["records"] = self.records
        if metadata:
            out["columnMetadata"] = types.column_metadata(self.cols)
        return out


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _required(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise bad_request(f"{name} is required")
    return value


def _updated(cur: psycopg.Cursor[Any]) -> int:
    status = (cur.statusmessage or "").split()
    if not status or status[0] not in _DML:
        return 0
    return max(cur.rowcount, 0)
