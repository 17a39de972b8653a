"""Which cluster and credentials a call names, and the PostgreSQL roles and databases behind clusters.

The ``resourceArn`` must name a cluster in moto's RDS backend with the HTTP endpoint
enabled, and the ``secretArn`` a secret in moto's Secrets Manager (both in-process).
A cluster is materialised in its PostgreSQL (``servers``) on first use, the way
Aurora provisioned it: its master user as a role with the cluster's master password,
CREATEDB, CREATEROLE and membership of ``rds_superuser`` but no superuser (as on
Aurora: no ``COPY ... PROGRAM``, no server files), its ``DatabaseName`` as a database
owned by that role (a cluster without one has only ``postgres``). Database names are
the real ones, so ``current_database()`` and ``CREATE DATABASE`` behave as on Aurora.
Only on a PostgreSQL shared by every cluster (``--postgres-dsn``) are two clusters
claiming the same database or master user with different passwords refused.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass

import psycopg
from psycopg import sql

from harness.cloud.moto_adapter import rds as moto_rds
from harness.cloud.moto_adapter import secretsmanager as moto_secretsmanager
from harness.cloud.rds_data.errors import DataApiError, bad_request
from harness.cloud.rds_data.postgres import RESERVED_ROLES, Postgres

log = logging.getLogger(__name__)

_TROUBLESHOOTING = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.html#data-api.troubleshooting"


@dataclass(frozen=True)
class Cluster:
    """What the Data API needs of an Aurora cluster."""

    arn: str
    identifier: str
    database_name: str | None
    master_username: str
    master_password: str
    legacy: bool  # Aurora Serverless v1 (engine mode "serverless"): the older Data API behaviours
    created: str = ""  # creation time: a cluster made again under the same id is another, empty cluster

    @property
    def default_database(self) -> str:
        return self.database_name or "postgres"


def find_cluster(resource_arn: str) -> Cluster:
    """The cluster a resourceArn names, checked as the Data API checks it.

    An ARN that matches no cluster exactly gets the same answer as a cluster without the
    Data API ("HttpEndpoint isn't enabled for cluster", Data API troubleshooting guide).
    """
    parts = resource_arn.split(":")
    if len(parts) != 7 or parts[0] != "arn" or parts[2] != "rds" or parts[5] != "cluster":
        raise bad_request(f"Invalid resourceArn: {resource_arn}")
    region, account, cluster_id = parts[3], parts[4], parts[6]
    cluster = moto_rds.cluster(account, region, cluster_id)
    legacy = cluster is not None and cluster.engine_mode == "serverless"
    if cluster is None or cluster.arn != resource_arn or not cluster.http_endpoint_enabled:
        raise DataApiError(
            "BadRequestException" if legacy else "HttpEndpointNotEnabledException",
            f"HttpEndpoint is not enabled for cluster {cluster_id}. Please refer to {_TROUBLESHOOTING}",
        )
    if not cluster.engine.endswith("postgresql"):
        raise bad_request(f"The local Data API runs Aurora PostgreSQL only, not {cluster.engine}")
    return Cluster(
        arn=resource_arn,
        identifier=cluster_id,
        database_name=cluster.database_name,
        master_username=cluster.master_username,
        master_password=cluster.master_password(),
        legacy=legacy,
        created=cluster.created,
    )


def credentials(secret_arn: str) -> tuple[str, str]:
    """Username and password from the Secrets Manager secret the call names."""
    parts = secret_arn.split(":")
    if len(parts) < 7 or parts[0] != "arn" or parts[2] != "secretsmanager" or parts[5] != "secret":
        raise DataApiError("SecretsErrorException", "Secrets Manager can't find the specified secret.")
    try:
        value = moto_secretsmanager.secret_value(parts[4], parts[3], secret_arn)
    except moto_secretsmanager.SecretNotFound as err:
        raise DataApiError("SecretsErrorException", "Secrets Manager can't find the specified secret.") from err
    except Exception as err:  # deleted, or no current version
        raise DataApiError("SecretsErrorException", f"Error fetching secret: {err}") from err
    try:
        secret = json.loads(value.get("SecretString") or "")
        return str(secret["username"]), str(secret["password"])
    except (ValueError, KeyError, TypeError) as err:
        raise DataApiError("InvalidSecretException", "The secret must be a JSON document with username and password.") from err


class ClusterDatabases:
    """Materialise clusters' roles and databases in PostgreSQL on first use; drop them on reset."""

    def __init__(self, postgres: Postgres) -> None:
        self._postgres = postgres
        self._lock = threading.Lock()
        self._ready: set[tuple[str, str]] = set()
        self._role_owner: dict[str, tuple[str, str]] = {}  # role -> (cluster arn, password)
        self._db_owner: dict[str, str] = {}  # database -> cluster arn
        self._created_roles: set[str] = set()
        self._created_databases: set[str] = set()
        self._baseline: tuple[set[str], set[str]] | None = None  # embedded server: roles, databases before us

    def ensure(self, cluster: Cluster, database: str) -> None:
        """Make sure the cluster's master role exists, and its default database if that is the one asked for."""
        if (cluster.arn, database) in self._ready:
            return
        with self._lock:
            if (cluster.arn, database) in self._ready:
                return
            with psycopg.connect(self._postgres.admin_dsn(), autocommit=True) as admin:
                if self._baseline is None and self._postgres.embedded:
                    self._baseline = (_names(admin, "pg_roles", "rolname"), _names(admin, "pg_database", "datname"))
                self._ensure_role(admin, cluster)
                if database == cluster.default_database:
                    self._ensure_database(admin, cluster, database)
            self._ready.add((cluster.arn, database))

    def _ensure_role(self, admin: psycopg.Connection, cluster: Cluster) -> None:
        role, password = cluster.master_username, cluster.master_password
        owner = self._role_owner.get(role)
        if owner is not None:
            if owner[1] != password:
                raise bad_request(
                    f"The local Data API serves every cluster from one PostgreSQL: master user {role} already "
                    f"belongs to cluster {owner[0]} with another password; give this cluster another MasterUsername"
                )
            return
        if role in RESERVED_ROLES or role.startswith("pg_"):
            raise bad_request(f"MasterUsername {role} is reserved by the local Data API")
        row = admin.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        if row is not None and row[0]:
            raise bad_request(f"MasterUsername {role} names a superuser of the PostgreSQL behind the local Data API")
        if row is None:
            admin.execute(
                sql.SQL("CREATE ROLE {} LOGIN CREATEDB CREATEROLE PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
            self._created_roles.add(role)
        elif self._postgres.embedded:  # a data directory kept from an earlier run: the cluster's password rules
            admin.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
        if self._postgres.embedded:  # Aurora's master user is a member of rds_superuser, which is no superuser
            if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = 'rds_superuser'").fetchone():
                admin.execute("CREATE ROLE rds_superuser NOLOGIN")
                admin.execute("GRANT pg_monitor, pg_signal_backend, pg_checkpoint TO rds_superuser")
            admin.execute(sql.SQL("GRANT rds_superuser TO {} WITH ADMIN OPTION").format(sql.Identifier(role)))
        self._role_owner[role] = (cluster.arn, password)

    def _ensure_database(self, admin: psycopg.Connection, cluster: Cluster, database: str) -> None:
        owner = self._db_owner.get(database)
        if owner is not None and owner != cluster.arn:
            raise bad_request(
                f"The local Data API serves every cluster from one PostgreSQL: database {database} already "
                f"belongs to cluster {owner}; give this cluster another DatabaseName"
            )
        role = sql.Identifier(cluster.master_username)
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(database), role))
            self._created_databases.add(database)
        elif database == "postgres":  # Aurora's master user may create tables in postgres's public schema
            admin.execute(sql.SQL("GRANT ALL ON SCHEMA public TO {}").format(role))
        if database != "postgres":
            self._db_owner[database] = cluster.arn

    def drop_all(self) -> None:
        """Drop what clusters made: their databases (and any they created), then their roles."""
        with self._lock:
            self._ready.clear()
            self._role_owner.clear()
            self._db_owner.clear()
            roles, databases = set(self._created_roles), set(self._created_databases)
            self._created_roles.clear()
            self._created_databases.clear()
            if not roles and not databases and self._baseline is None:
                return
            with psycopg.connect(self._postgres.admin_dsn(), autocommit=True) as admin:
                if self._baseline is not None:  # the embedded server is ours: everything new since the start goes
                    roles |= _names(admin, "pg_roles", "rolname") - self._baseline[0]
                    databases |= _names(admin, "pg_database", "datname") - self._baseline[1]
                owned = admin.execute(
                    "SELECT d.datname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = ANY(%s)",
                    (list(roles),),
                ).fetchall()
                databases |= {name for (name,) in owned}
                for name in databases - {"postgres", "template0", "template1"}:
                    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
                kept = {"rds_superuser"} | (set() if self._postgres.embedded else {"postgres"})
                for role in roles - RESERVED_ROLES - kept:
                    try:
                        admin.execute(sql.SQL("DROP OWNED BY {} CASCADE").format(sql.Identifier(role)))
                        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
                    except psycopg.Error as err:  # still owns something in a database we did not make
                        log.warning("could not drop role %s: %s", role, err)


def _names(conn: psycopg.Connection, table: str, column: str) -> set[str]:
    query = sql.SQL("SELECT {} FROM {}").format(sql.Identifier(column), sql.Identifier(table))
    return {name for (name,) in conn.execute(query).fetchall()}
