"""Data API errors, limits, access checks and faults through boto3.

Each test names the behaviour it mirrors from the rds-data API reference (the
exceptions of ExecuteStatement and their HTTP statuses) or the Aurora user guide
("Troubleshooting RDS Data API", "Comparing Data API behaviors ... with Serverless v1").
"""

from __future__ import annotations

import time

import httpx
import pytest
from botocore.exceptions import ClientError

from harness.cloud import LocalCloud
from harness.cloud.rds_data.clusters import find_cluster
from harness.cloud.rds_data.service import DataApiService
from tests.emulation.rds_data_support import PASSWORD, error_of, make_cluster, make_secret, p

pytestmark = pytest.mark.emulation


def test_bad_sql_is_database_error_with_postgres_message(aurora):
    """Serverless v2/provisioned: a SQL error is DatabaseErrorException (400) with PostgreSQL's message, position, SQLState."""
    err = aurora.error("SELECT * FROM missing_table")
    assert (err["Code"], err["status"]) == ("DatabaseErrorException", 400)
    assert err["Message"] == 'ERROR: relation "missing_table" does not exist\n  Position: 15; SQLState: 42P01'
    aurora.run("CREATE TABLE t (v int CHECK (v > 0))")
    err = aurora.error("INSERT INTO t VALUES (:v)", p("v", longValue=-1))
    assert err["Message"].startswith('ERROR: new row for relation "t" violates check constraint "t_v_check"')
    assert err["Message"].endswith("; SQLState: 23514")


def test_bad_sql_on_serverless_v1_is_bad_request(aurora_v1):
    """Aurora Serverless v1 answered SQL errors as BadRequestException (now deprecated) with the same message."""
    err = aurora_v1.error("SELEC 1")
    assert (err["Code"], err["status"]) == ("BadRequestException", 400)
    assert err["Message"] == 'ERROR: syntax error at or near "SELEC"\n  Position: 1; SQLState: 42601'


def test_response_over_1_mib_is_refused(aurora):
    """'If the call returns more than 1 MiB of response data, the call is terminated': an error, never a truncated answer."""
    err = aurora.error("SELECT repeat('x', 1024) FROM generate_series(1, 1100)")
    assert err["Code"] == "UnsupportedResultException"
    assert "response size limit" in err["Message"]
    assert len(aurora.run("SELECT repeat('x', 1024) FROM generate_series(1, 900)")["records"]) == 900


def test_statement_timeout(cloud, aurora):
    """A call still running at the timeout (45 s on AWS, 0.5 s here) gets StatementTimeoutException with dbConnectionId."""
    service = cloud.component(DataApiService)
    service.statement_timeout = 0.5
    try:
        err = aurora.error("SELECT pg_sleep(3)")
        assert err["Code"] == "StatementTimeoutException"
        assert isinstance(err["dbConnectionId"], int)
        assert aurora.scalar("SELECT 1") == 1  # the session is usable again
    finally:
        service.statement_timeout = 45.0


def test_continue_after_timeout_lets_the_statement_finish(cloud, aurora):
    """continueAfterTimeout: the call times out but the statement keeps running to completion."""
    service = cloud.component(DataApiService)
    aurora.run("CREATE TABLE t (v int)")
    service.statement_timeout = 0.3
    try:
        err = aurora.error("INSERT INTO t SELECT 1 FROM pg_sleep(1)", continueAfterTimeout=True)
        assert err["Code"] == "StatementTimeoutException"
    finally:
        service.statement_timeout = 45.0
    deadline = time.monotonic() + 30
    while aurora.scalar("SELECT count(*) FROM t") == 0:
        assert time.monotonic() < deadline, "the statement did not go on after the timeout"
        time.sleep(0.1)


def test_database_resuming_fault(cloud, aurora):
    """While an Aurora Serverless cluster resumes from zero capacity, calls get DatabaseResumingException, then work."""
    service = cloud.component(DataApiService)
    service.resuming_for(1.0)
    err = aurora.error("SELECT 1")
    assert (err["Code"], err["status"]) == ("DatabaseResumingException", 400)
    with pytest.raises(aurora.rds.exceptions.DatabaseResumingException):
        aurora.begin()
    time.sleep(1.2)
    assert aurora.scalar("SELECT 1") == 1


def test_resuming_fault_can_be_switched_on_over_http(cloud, aurora):
    """The fault switch is reachable from another process: POST /_harness/faults/rds-data/resuming."""
    url = f"{cloud.url}/_harness/faults/rds-data/resuming"
    assert httpx.post(url, json={"seconds": "soon"}).status_code == 400
    assert httpx.post(url, json={"seconds": -1}).status_code == 400
    response = httpx.post(url, json={"seconds": 1.0})
    assert response.status_code == 200 and response.json()["fault"] == "DatabaseResumingException"
    assert aurora.error("SELECT 1")["Code"] == "DatabaseResumingException"
    time.sleep(1.2)
    assert aurora.scalar("SELECT 1") == 1
    assert "DataApiService" in httpx.get(f"{cloud.url}/_harness/health").json()["components"]


def test_unknown_cluster_and_disabled_endpoint(cloud, aurora):
    """'HttpEndpoint isn't enabled for cluster <id>': a cluster without the Data API, or an ARN matching no cluster."""
    plain = make_cluster(cloud, "plain", EnableHttpEndpoint=False)
    for arn, name in ((plain, "plain"), (aurora.cluster_arn.replace("conformance", "nobody"), "nobody")):
        with pytest.raises(ClientError) as caught:
            aurora.rds.execute_statement(resourceArn=arn, secretArn=aurora.secret_arn, sql="SELECT 1")
        err = error_of(caught.value)
        assert (err["Code"], err["status"]) == ("HttpEndpointNotEnabledException", 400)
        assert err["Message"].startswith(f"HttpEndpoint is not enabled for cluster {name}.")


def test_unknown_secret(aurora):
    """A secretArn Secrets Manager can't find: SecretsErrorException ('The secret provided wasn't found')."""
    with pytest.raises(ClientError) as caught:
        aurora.rds.execute_statement(resourceArn=aurora.cluster_arn, secretArn=aurora.secret_arn + "x", sql="SELECT 1")
    assert error_of(caught.value)["Code"] == "SecretsErrorException"


def test_a_secret_without_credentials_is_invalid(cloud, aurora):
    """A secret that is not a JSON document with username and password: InvalidSecretException."""
    arn = cloud.client("secretsmanager").create_secret(Name="junk", SecretString="not json")["ARN"]
    with pytest.raises(ClientError) as caught:
        aurora.rds.execute_statement(resourceArn=aurora.cluster_arn, secretArn=arn, sql="SELECT 1")
    assert error_of(caught.value)["Code"] == "InvalidSecretException"


def test_the_secret_credentials_are_the_ones_used(cloud, aurora):
    """The Data API connects with the secret's username and password: a wrong password fails, the right one is that user."""
    wrong = make_secret(cloud, "wrong", "app_admin", "not-the-password")
    with pytest.raises(ClientError) as caught:
        aurora.rds.execute_statement(resourceArn=aurora.cluster_arn, secretArn=wrong, sql="SELECT 1")
    err = error_of(caught.value)
    assert err["Code"] == "DatabaseErrorException"
    assert err["Message"] == 'FATAL: password authentication failed for user "app_admin"'
    assert aurora.scalar("SELECT current_user") == "app_admin"
    postgres = make_secret(cloud, "superuser", "postgres", "guess")
    with pytest.raises(ClientError):  # no role gets in without its password, the superuser included
        aurora.rds.execute_statement(resourceArn=aurora.cluster_arn, secretArn=postgres, sql="SELECT 1")


def test_another_role_from_its_own_secret(cloud, aurora):
    """Any database user can be the secret's: a role the master user creates connects with its own credentials."""
    aurora.run("CREATE TABLE t (v int)")
    aurora.run("CREATE ROLE reader LOGIN PASSWORD 'reader-pass-1'")
    aurora.run("GRANT SELECT ON t TO reader")
    reader = make_secret(cloud, "reader", "reader", "reader-pass-1")
    run = dict(resourceArn=aurora.cluster_arn, secretArn=reader)
    assert aurora.rds.execute_statement(sql="SELECT current_user", **run)["records"] == [[{"stringValue": "reader"}]]
    with pytest.raises(ClientError) as caught:
        aurora.rds.execute_statement(sql="INSERT INTO t VALUES (1)", **run)
    assert "permission denied for table t" in error_of(caught.value)["Message"]


def test_clusters_get_their_own_databases(cloud, aurora):
    """Each cluster is its own database: tables made through one cluster are not in another's."""
    other = make_cluster(cloud, "second", DatabaseName="second", MasterUsername="second_admin")
    secret = make_secret(cloud, "second-db", "second_admin", PASSWORD)
    aurora.run("CREATE TABLE only_here (v int)")
    with pytest.raises(ClientError) as caught:
        aurora.rds.execute_statement(resourceArn=other, secretArn=secret, sql="SELECT * FROM only_here")
    assert "does not exist" in error_of(caught.value)["Message"]


def test_an_existing_postgres_can_back_the_data_api(cloud, aurora):
    """--postgres-dsn: the Data API runs on a PostgreSQL it did not start, and leaves it running."""
    assert aurora.scalar("SELECT 1") == 1  # the session's PostgreSQL is up
    service = cloud.component(DataApiService)
    existing = service.servers.for_cluster(find_cluster(aurora.cluster_arn)).postgres.admin_dsn()
    with LocalCloud(components=[DataApiService(postgres_dsn=existing)]) as other:
        cluster = make_cluster(other, "elsewhere", DatabaseName="elsewhere", MasterUsername="other_admin")
        secret = make_secret(other, "other-db", "other_admin", PASSWORD)
        result = other.client("rds-data").execute_statement(
            resourceArn=cluster, secretArn=secret, sql="SELECT current_database()"
        )
        assert result["records"] == [[{"stringValue": "elsewhere"}]]
        other.component(DataApiService).reset()  # drop what it made; moto state is shared in-process
    assert aurora.scalar("SELECT 2") == 2  # still running after the other cloud stopped


def test_deprecated_execute_sql_is_a_clear_error(aurora):
    """ExecuteSql (deprecated, Serverless v1 only) is answered with a clear BadRequestException."""
    with pytest.raises(ClientError) as caught:
        aurora.rds.execute_sql(
            dbClusterOrInstanceArn=aurora.cluster_arn, awsSecretStoreArn=aurora.secret_arn, sqlStatements="SELECT 1"
        )
    err = error_of(caught.value)
    assert err["Code"] == "BadRequestException" and "ExecuteStatement" in err["Message"]
