"""Alex's schema migrates through the Data API on the provisioned stack, as it would on Aurora Serverless v2
(one statement per ExecuteStatement call, each migration in a Data API transaction)."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

from alex.db.migrate import migrate, migrations
from harness.alexkit.stack.definition import alex_stack
from harness.alexkit.stack.deployment import deploy_alex

pytestmark = pytest.mark.emulation


@pytest.fixture
def stack_db(cloud):
    stack = deploy_alex(alex_stack(), cloud.client)
    rds = cloud.client("rds-data")
    target = {"resourceArn": stack.cluster_arn, "secretArn": stack.secret_arn, "database": "alex"}
    return rds, target


def run(rds, target, sql, **params):
    parameters = [{"name": k, "value": v} for k, v in params.items()]
    return rds.execute_statement(sql=sql, parameters=parameters, **target)


def test_schema_migrates_once_through_the_data_api(stack_db):
    """Migrations apply in order inside Data API transactions; a second run applies nothing."""
    rds, target = stack_db
    versions = [m.version for m in migrations()]
    assert migrate(rds, target["resourceArn"], target["secretArn"], "alex") == versions
    assert migrate(rds, target["resourceArn"], target["secretArn"], "alex") == []
    tables = run(rds, target, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")["records"]
    assert [t[0]["stringValue"] for t in tables] == [
        "accounts",
        "audit_records",
        "instruments",
        "jobs",
        "positions",
        "schema_migrations",
        "trace_spans",
        "users",
    ]


def test_jobs_hold_jsonb_payloads_and_updated_at_triggers_fire(stack_db):
    """JSONB payloads round-trip; the updated_at trigger moves updated_at on UPDATE."""
    rds, target = stack_db
    migrate(rds, target["resourceArn"], target["secretArn"], "alex")
    run(
        rds,
        target,
        "INSERT INTO users (clerk_user_id, display_name) VALUES (:id, :name)",
        id={"stringValue": "user_1"},
        name={"stringValue": "Zoë"},
    )
    job = run(
        rds,
        target,
        "INSERT INTO jobs (clerk_user_id, request_payload) VALUES (:u, :p::jsonb) RETURNING id, updated_at",
        u={"stringValue": "user_1"},
        p={"stringValue": json.dumps({"analysis": "full"})},
    )["records"][0]
    job_id, created = job[0]["stringValue"], job[1]["stringValue"]
    time.sleep(0.01)
    updated = run(
        rds,
        target,
        "UPDATE jobs SET status = 'completed', report_payload = :r::jsonb WHERE id = :id::uuid RETURNING updated_at, report_payload",
        r={"stringValue": json.dumps({"content": "# Report"})},
        id={"stringValue": job_id},
    )["records"][0]
    assert updated[0]["stringValue"] > created
    assert json.loads(updated[1]["stringValue"]) == {"content": "# Report"}


def test_schema_constraints_reject_bad_rows(stack_db):
    """Job status and position quantity are constrained in the database as well as in the API."""
    rds, target = stack_db
    migrate(rds, target["resourceArn"], target["secretArn"], "alex")
    run(rds, target, "INSERT INTO users (clerk_user_id) VALUES ('u')")
    with pytest.raises(ClientError) as err:
        run(rds, target, "INSERT INTO jobs (clerk_user_id, status) VALUES ('u', 'lost')")
    assert "jobs_status_check" in err.value.response["Error"]["Message"]


def test_a_failing_migration_leaves_nothing_behind(stack_db, monkeypatch):
    """A migration whose statement fails is rolled back whole (the error ended its Data API transaction) and not recorded."""
    import alex.db.migrate as migrate_module

    rds, target = stack_db
    broken = migrate_module.Migration("999_broken", "CREATE TABLE half (v int);\nINSERT INTO nowhere VALUES (1);")
    monkeypatch.setattr(migrate_module, "migrations", lambda: [broken])
    with pytest.raises(ClientError) as err:
        migrate(rds, target["resourceArn"], target["secretArn"], "alex")
    assert 'relation "nowhere" does not exist' in err.value.response["Error"]["Message"]
    assert run(rds, target, "SELECT to_regclass('half') IS NULL")["records"] == [[{"booleanValue": True}]]
    assert run(rds, target, "SELECT count(*) FROM schema_migrations")["records"] == [[{"longValue": 0}]]


def test_migration_files_split_into_single_statements():
    """Data API v2 takes one statement per call: the runner splits files, keeping ';' in quotes, comments and $$ bodies."""
    from alex.db.migrate import split_statements

    sql = "CREATE TABLE a (v text DEFAULT ';');\n-- a comment; still a comment\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n/* ; */"
    assert split_statements(sql) == [
        "CREATE TABLE a (v text DEFAULT ';')",
        "-- a comment; still a comment\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
    ]
