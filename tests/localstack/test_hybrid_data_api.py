"""The harness's RDS Data API reading its credentials from LocalStack's Secrets Manager (the hybrid).

AWS: ExecuteStatement, BeginTransaction, CommitTransaction and RollbackTransaction name a
``secretArn``; the Data API fetches that secret from Secrets Manager and connects with its
``username`` and ``password``. In the hybrid the secret is LocalStack's (account 000000000000), the
cluster and its PostgreSQL are the harness's. Each test names the AWS behaviour it mirrors (rds-data
API reference: ExecuteStatement, transactions, SecretsErrorException, InvalidSecretException).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError

from harness.cloud.rds_data.service import DataApiService
from harness.localstack.hybrid import HybridCloud
from tests.emulation.rds_data_support import PASSWORD, Aurora, error_of, make_cluster, make_secret, p

pytestmark = [pytest.mark.localstack, pytest.mark.slow]


@pytest.fixture(scope="module")
def hybrid(localstack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HybridCloud]:
    """The harness's Data API (embedded PostgreSQL) re-pointed at LocalStack for secrets; one per module."""
    data_dir = tmp_path_factory.mktemp("hybrid-data-api")
    data_dir.chmod(0o755)  # PostgreSQL runs as another user when the tests run as root
    cloud = HybridCloud(localstack.url, components=[DataApiService(data_dir=data_dir)]).start()
    try:
        yield cloud
    finally:
        cloud.stop()


@pytest.fixture(scope="module")
def aurora(hybrid: HybridCloud) -> Aurora:
    """A cluster on the harness, its master user's secret on LocalStack."""
    suffix = uuid.uuid4().hex[:8]
    cluster = make_cluster(hybrid, f"hybrid-{suffix}")
    secret = make_secret(hybrid, f"hybrid/app-db-{suffix}", "app_admin", PASSWORD)  # hybrid.client: LocalStack's
    return Aurora(hybrid.client("rds-data"), cluster, secret)


def _harness_client(cloud: HybridCloud, service: str):
    """A client of the harness's own (moto) side, bypassing the hybrid's routing."""
    return super(HybridCloud, cloud).client(service)


def test_the_secret_is_localstacks_and_its_user_runs_the_statement(hybrid, aurora):
    """AWS: the Data API connects as the secret's username. The ARN is LocalStack's (account
    000000000000) and the harness's own Secrets Manager does not have it, so the credentials can
    only have come from LocalStack."""
    assert f":secretsmanager:{hybrid.region}:000000000000:secret:" in aurora.secret_arn
    with pytest.raises(ClientError) as caught:
        _harness_client(hybrid, "secretsmanager").get_secret_value(SecretId=aurora.secret_arn)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert aurora.scalar("SELECT current_user") == "app_admin"


def test_execute_with_parameters_and_result_metadata(aurora):
    """AWS ExecuteStatement: named parameters are bound, numberOfRecordsUpdated counts the rows a
    DML statement changed, includeResultMetadata adds columnMetadata."""
    table = f"positions_{uuid.uuid4().hex[:6]}"
    aurora.run(f"CREATE TABLE {table} (symbol text PRIMARY KEY, quantity numeric)")
    inserted = aurora.run(
        f"INSERT INTO {table} VALUES (:symbol, :quantity)",
        p("symbol", stringValue="VTI"),
        p("quantity", "DECIMAL", stringValue="40.5"),
    )
    assert inserted["numberOfRecordsUpdated"] == 1
    got = aurora.run(
        f"SELECT symbol, quantity FROM {table} WHERE symbol = :s", p("s", stringValue="VTI"), includeResultMetadata=True
    )
    assert got["records"] == [[{"stringValue": "VTI"}, {"stringValue": "40.5"}]]
    assert [c["name"] for c in got["columnMetadata"]] == ["symbol", "quantity"]


def test_transactions_commit_and_roll_back(aurora):
    """AWS: statements with a transactionId join it and are not visible outside it until
    CommitTransaction ('Transaction Committed'); RollbackTransaction ('Rollback Complete') discards them."""
    table = f"t_{uuid.uuid4().hex[:6]}"
    aurora.run(f"CREATE TABLE {table} (v int)")
    tx = aurora.begin()
    aurora.run(f"INSERT INTO {table} VALUES (1)", transactionId=tx)
    assert aurora.scalar(f"SELECT count(*) FROM {table}") == 0
    assert aurora.commit(tx)["transactionStatus"] == "Transaction Committed"
    tx = aurora.begin()
    aurora.run(f"INSERT INTO {table} VALUES (2)", transactionId=tx)
    assert aurora.rollback(tx)["transactionStatus"] == "Rollback Complete"
    assert aurora.run(f"SELECT array_agg(v) FROM {table}")["records"] == [[{"arrayValue": {"longValues": [1]}}]]


def test_a_secret_arn_localstack_does_not_have_is_secrets_error(hybrid, aurora):
    """AWS SecretsErrorException ('the secret provided wasn't found'), HTTP 400, for ExecuteStatement
    and BeginTransaction alike: here the ARN is well formed, in LocalStack's account, and absent."""
    absent = f"arn:aws:secretsmanager:{hybrid.region}:000000000000:secret:hybrid/absent-{uuid.uuid4().hex[:6]}-AbCdEf"
    for call in (
        lambda: aurora.rds.execute_statement(resourceArn=aurora.cluster_arn, secretArn=absent, sql="SELECT 1"),
        lambda: aurora.rds.begin_transaction(resourceArn=aurora.cluster_arn, secretArn=absent),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        err = error_of(caught.value)
        assert (err["Code"], err["status"]) == ("SecretsErrorException", 400), err


def test_a_secret_scheduled_for_deletion_is_secrets_error(hybrid, aurora):
    """AWS: GetSecretValue on a secret scheduled for deletion is refused (InvalidRequestException), so
    the Data API cannot fetch it: SecretsErrorException."""
    sm = hybrid.client("secretsmanager")
    arn = make_secret(hybrid, f"hybrid/doomed-{uuid.uuid4().hex[:6]}", "app_admin", PASSWORD)
    assert aurora.rds.execute_statement(resourceArn=aurora.cluster_arn, secretArn=arn, sql="SELECT 1")["records"]
    sm.delete_secret(SecretId=arn, RecoveryWindowInDays=7)
    with pytest.raises(ClientError) as caught:
        aurora.rds.execute_statement(resourceArn=aurora.cluster_arn, secretArn=arn, sql="SELECT 1")
    assert error_of(caught.value)["Code"] == "SecretsErrorException"


def test_a_localstack_secret_without_credentials_is_invalid(hybrid, aurora):
    """AWS InvalidSecretException: the secret is not a JSON document with username and password."""
    arn = hybrid.client("secretsmanager").create_secret(Name=f"hybrid/junk-{uuid.uuid4().hex[:6]}", SecretString="not json")[
        "ARN"
    ]
    with pytest.raises(ClientError) as caught:
        aurora.rds.execute_statement(resourceArn=aurora.cluster_arn, secretArn=arn, sql="SELECT 1")
    assert error_of(caught.value)["Code"] == "InvalidSecretException"


def test_the_password_in_localstacks_secret_is_the_one_used(hybrid, aurora):
    """AWS: a secret whose password is wrong fails to connect (DatabaseErrorException, PostgreSQL's
    message); after PutSecretValue puts the right one, the next call gets in (AWSCURRENT is read)."""
    sm = hybrid.client("secretsmanager")
    arn = make_secret(hybrid, f"hybrid/stale-{uuid.uuid4().hex[:6]}", "app_admin", "not-the-password")
    with pytest.raises(ClientError) as caught:
        aurora.rds.execute_statement(resourceArn=aurora.cluster_arn, secretArn=arn, sql="SELECT 1")
    err = error_of(caught.value)
    assert err["Code"] == "DatabaseErrorException"
    assert err["Message"] == 'FATAL: password authentication failed for user "app_admin"'
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps({"username": "app_admin", "password": PASSWORD}))
    assert aurora.rds.execute_statement(resourceArn=aurora.cluster_arn, secretArn=arn, sql="SELECT current_user")["records"] == [
        [{"stringValue": "app_admin"}]
    ]
