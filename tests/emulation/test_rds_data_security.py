"""No way in through the Data API: password-checked logins, no superuser, bounded responses and connections."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.emulation.rds_data_support import error_of, make_secret, p

pytestmark = pytest.mark.emulation


@pytest.mark.parametrize("username", ["alex_harness", "harness_bootstrap", "postgres"])
def test_the_harness_roles_cannot_be_entered_with_any_password(cloud, aurora, username):
    """Aurora checks the secret's credentials: a role's name with a wrong password is an authentication failure."""
    secret = make_secret(cloud, f"intruder-{username}", username, "anything")
    with pytest.raises(ClientError) as caught:
        aurora.rds.execute_statement(resourceArn=aurora.cluster_arn, secretArn=secret, sql="SELECT rolsuper FROM pg_roles")
    err = error_of(caught.value)
    assert err["Code"] == "DatabaseErrorException"
    assert "password authentication failed" in err["Message"]


def test_the_master_user_is_no_superuser(aurora, tmp_path):
    """Aurora's master user is rds_superuser, not a superuser: no COPY ... PROGRAM, no reading server files."""
    marker = Path(tmp_path) / "pwned"
    assert aurora.scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user") is False
    assert aurora.scalar("SELECT pg_has_role(current_user, 'rds_superuser', 'member')") is True
    err = aurora.error(f"COPY (SELECT 1) TO PROGRAM 'id > {marker}'")
    assert "SQLState: 42501" in err["Message"]
    assert not marker.exists()
    assert "SQLState: 42501" in aurora.error("SELECT pg_read_file('/etc/passwd')")["Message"]
    assert "SQLState: 42501" in aurora.error("ALTER ROLE app_admin SUPERUSER")["Message"]


def test_a_response_over_1_mib_is_refused_while_reading(aurora):
    """ExecuteStatement's 1 MiB response limit: refused with Aurora's error, having read only a little past it."""
    aurora.run("CREATE SEQUENCE produced")
    err = aurora.error("SELECT repeat('x', 100000) || nextval('produced') FROM generate_series(1, 10000)")
    assert err["Code"] == "UnsupportedResultException"
    assert err["Message"] == "Database returned more than the allowed response size limit"
    produced = aurora.scalar("SELECT last_value FROM produced")
    assert produced < 1000  # rows made before the refusal; all 10,000 (1 GB) when the result is read whole first
    assert aurora.scalar("SELECT 1") == 1


def test_a_json_response_over_10_mb_is_refused_while_reading(aurora):
    """formatRecordsAs JSON: the limit is 10 MB, enforced as rows arrive."""
    aurora.run("CREATE SEQUENCE produced")
    err = aurora.error(
        "SELECT repeat('x', 100000) || nextval('produced') AS v FROM generate_series(1, 10000)", formatRecordsAs="JSON"
    )
    assert err["Message"] == "Database returned more than the allowed response size limit"
    assert aurora.scalar("SELECT last_value FROM produced") < 1000
    rows = json.loads(aurora.run("SELECT g FROM generate_series(1, 3) g", formatRecordsAs="JSON")["formattedRecords"])
    assert rows == [{"g": 1}, {"g": 2}, {"g": 3}]


@pytest.mark.slow
def test_200_concurrent_calls_queue_for_connections_instead_of_failing(aurora):
    """Aurora's Data API pools its connections: 200 concurrent calls wait their turn, none gets 'too many clients'."""

    def call(_: int) -> str:
        try:
            aurora.run("SELECT pg_sleep(0.3)")
            return "ok"
        except ClientError as err:
            return error_of(err)["Message"]

    with ThreadPoolExecutor(max_workers=200) as pool:
        outcomes = list(pool.map(call, range(200)))
    assert [o for o in outcomes if o != "ok"] == []


def test_a_lone_surrogate_is_a_client_error(aurora):
    """A stringValue that is not valid Unicode text is the caller's error (4xx), never an internal error."""
    with pytest.raises(ClientError) as caught:
        aurora.run("SELECT :s::text", p("s", stringValue="\ud800"))
    err = error_of(caught.value)
    assert err["status"] == 400 and err["Code"] == "BadRequestException"
    assert aurora.scalar("SELECT 1") == 1
