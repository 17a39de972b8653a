"""Alex's schema migrates through the Data API on the provisioned stack, as it would on Aurora."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

from alex.db.migrate import migrate, migrations
from harness.stack.definition import alex_stack
from harness.stack.provision import provision

pytestmark = pytest.mark.emulation


@pytest.fixture
def stack_db(cloud):
    stack = provision(alex_stack(), cloud.client)
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
        "accounts", "instruments", "jobs", "positions", "schema_migrations", "users",
    ]


def test_jobs_hold_jsonb_payloads_and_updated_at_triggers_fire(stack_db):
    """JSONB payloads round-trip; the updated_at trigger moves updated_at on UPDATE."""
    rds, target = stack_db
    migrate(rds, target["resourceArn"], target["secretArn"], "alex")
    run(rds, target, "INSERT INTO users (clerk_user_id, display_name) VALUES (:id, :name)",
        id={"stringValue": "user_1"}, name={"stringValue": "Zoë"})
    job = run(rds, target, "INSERT INTO jobs (clerk_user_id, request_payload) VALUES (:u, :p::jsonb) RETURNING id, updated_at",
              u={"stringValue": "user_1"}, p={"stringValue": json.dumps({"analysis": "full"})})["records"][0]
    job_id, created = job[0]["stringValue"], job[1]["stringValue"]
    time.sleep(0.01)
    updated = run(rds, target, "UPDATE jobs SET status = 'completed', report_payload = :r::jsonb WHERE id = :id::uuid RETURNING updated_at, report_payload",
                  r={"stringValue": json.dumps({"content": "# Report"})}, id={"stringValue": job_id})["records"][0]
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
