"""Apply Alex's SQL migrations through the RDS Data API, once each, in order.

Each file runs in its own Data API transaction together with its row in
``schema_migrations``, so a failing migration leaves nothing half-applied and a
second run applies nothing. The Data API on Aurora Serverless v2 and provisioned
clusters refuses several statements in one call, so each file is split into its
statements (semicolons inside quotes, comments and ``$$`` bodies stay). Usage: ``python -m alex.db.migrate`` with
AURORA_CLUSTER_ARN, AURORA_SECRET_ARN and DATABASE_NAME set (as in Lambda).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from importlib import resources
from typing import Any

import boto3

_LEDGER = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version    VARCHAR(255) PRIMARY KEY,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)"""


@dataclass(frozen=True)
class Migration:
    version: str
    sql: str

    def statements(self) -> list[str]:
        return split_statements(self.sql)


_TOKEN = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|(\$[A-Za-z_0-9]*\$)|;", re.S)


def split_statements(sql: str) -> list[str]:
    """The SQL's statements, without their terminating semicolons; comments-only pieces are dropped."""
    statements, start, pos = [], 0, 0
    while (match := _TOKEN.search(sql, pos)) is not None:
        pos = match.end()
        if match.group(1):  # dollar quote: skip to its closing tag
            end = sql.find(match.group(1), pos)
            pos = len(sql) if end < 0 else end + len(match.group(1))
        elif match.group(0) == ";":
            statements.append(sql[start : match.start()])
            start = pos
    statements.append(sql[start:])
    return [s.strip() for s in statements if not _COMMENTS.sub("", s).isspace() and _COMMENTS.sub("", s)]


_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)  # only used on pieces already split, for emptiness


def migrations() -> list[Migration]:
    """The migration files shipped in ``alex/db/migrations``, in version order."""
    folder = resources.files("alex.db") / "migrations"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [Migration(f.name.removesuffix(".sql"), f.read_text(encoding="utf-8")) for f in files]


def migrate(client: Any, cluster_arn: str, secret_arn: str, database: str) -> list[str]:
    """Apply the pending migrations; returns the versions applied by this call."""
    target = {"resourceArn": cluster_arn, "secretArn": secret_arn, "database": database}
    client.execute_statement(sql=_LEDGER, **target)
    rows = client.execute_statement(sql="SELECT version FROM schema_migrations", **target)["records"]
    done = {row[0]["stringValue"] for row in rows}
    applied = []
    for migration in migrations():
        if migration.version in done:
            continue
        tx = client.begin_transaction(**target)["transactionId"]
        try:
            for statement in migration.statements():
                client.execute_statement(sql=statement, transactionId=tx, **target)
            client.execute_statement(
                sql="INSERT INTO schema_migrations (version) VALUES (:version)",
                parameters=[{"name": "version", "value": {"stringValue": migration.version}}],
                transactionId=tx,
                **target,
            )
        except Exception:
            _rollback(client, tx, cluster_arn, secret_arn)
            raise
        client.commit_transaction(transactionId=tx, resourceArn=cluster_arn, secretArn=secret_arn)
        applied.append(migration.version)
    return applied


def _rollback(client: Any, tx: str, cluster_arn: str, secret_arn: str) -> None:
    """Roll back; a statement error has usually ended the transaction already (TransactionNotFoundException)."""
    try:
        client.rollback_transaction(transactionId=tx, resourceArn=cluster_arn, secretArn=secret_arn)
    except client.exceptions.TransactionNotFoundException:
        pass


def main() -> int:
    try:
        cluster, secret = os.environ["AURORA_CLUSTER_ARN"], os.environ["AURORA_SECRET_ARN"]
    except KeyError as missing:
        print(f"alex.db.migrate: set {missing.args[0]}", file=sys.stderr)
        return 2
    applied = migrate(boto3.client("rds-data"), cluster, secret, os.environ.get("DATABASE_NAME", "alex"))
    print(f"applied: {', '.join(applied) or 'nothing (up to date)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
