"""BeginTransaction, CommitTransaction, RollbackTransaction through boto3.

Each test names the behaviour it mirrors from the rds-data API reference or the Aurora
user guide ("Calling the Data API", "Troubleshooting RDS Data API": "Transaction
<transaction_ID> isn't found" and "Transaction is still running a query").
"""

from __future__ import annotations

import threading
import time

import pytest
from botocore.exceptions import ClientError

from harness.cloud.rds_data.service import DataApiService
from tests.emulation.rds_data_support import error_of, p

pytestmark = pytest.mark.emulation


def test_commit_and_rollback_with_transaction_id(aurora):
    """Statements with a transactionId join it; CommitTransaction/RollbackTransaction answer AWS's transactionStatus."""
    aurora.run("CREATE TABLE t (v int)")
    tx = aurora.begin()
    aurora.run("INSERT INTO t VALUES (1)", transactionId=tx)
    assert aurora.scalar("SELECT count(*) FROM t") == 0  # not visible outside until committed
    assert aurora.commit(tx)["transactionStatus"] == "Transaction Committed"
    tx = aurora.begin()
    aurora.run("INSERT INTO t VALUES (2)", transactionId=tx)
    assert aurora.rollback(tx)["transactionStatus"] == "Rollback Complete"
    assert aurora.run("SELECT array_agg(v) FROM t")["records"] == [[{"arrayValue": {"longValues": [1]}}]]


def test_an_ended_transaction_is_not_found_with_its_cause(aurora):
    """'Transaction <id> isn't found' with the cause appended: ended by a previous Commit/Rollback, or unknown/expired."""
    tx = aurora.begin()
    aurora.commit(tx)
    with pytest.raises(ClientError) as caught:
        aurora.commit(tx)
    err = error_of(caught.value)
    assert (err["Code"], err["status"]) == ("TransactionNotFoundException", 404)
    assert err["Message"] == f"Transaction {tx} is not found: One previous call resulted in a termination of your transaction"
    assert aurora.error("SELECT 1", transactionId="made-up")["Message"].endswith("Transaction may be expired")


def test_a_database_error_aborts_the_transaction(aurora):
    """'Transaction has been aborted due to an error from a previous call': an error ends the transaction, rolled back."""
    aurora.run("CREATE TABLE t (v int PRIMARY KEY)")
    tx = aurora.begin()
    aurora.run("INSERT INTO t VALUES (1)", transactionId=tx)
    assert aurora.error("INSERT INTO t VALUES (1)", transactionId=tx)["Code"] == "DatabaseErrorException"
    err = aurora.error("SELECT 1", transactionId=tx)
    assert err["Code"] == "TransactionNotFoundException"
    assert err["Message"].endswith("Transaction has been aborted due to an error from a previous call")
    assert aurora.scalar("SELECT count(*) FROM t") == 0


def test_a_transaction_belongs_to_its_cluster(cloud, aurora):
    """The transactionId is only found through the resourceArn that began it."""
    from tests.emulation.rds_data_support import PASSWORD, make_cluster, make_secret

    other = make_cluster(cloud, "other", DatabaseName="other", MasterUsername="other_admin")
    secret = make_secret(cloud, "other-db", "other_admin", PASSWORD)
    tx = aurora.begin()
    with pytest.raises(aurora.rds.exceptions.TransactionNotFoundException):
        aurora.rds.execute_statement(resourceArn=other, secretArn=secret, sql="SELECT 1", transactionId=tx)
    aurora.rollback(tx)


def test_concurrent_transactions_are_isolated(aurora):
    """Two open transactions do not see each other's uncommitted rows (each runs on its own session)."""
    aurora.run("CREATE TABLE t (who text)")
    a, b = aurora.begin(), aurora.begin()
    aurora.run("INSERT INTO t VALUES ('a')", transactionId=a)
    aurora.run("INSERT INTO t VALUES ('b')", transactionId=b)
    assert aurora.run("SELECT who FROM t", transactionId=a)["records"] == [[{"stringValue": "a"}]]
    assert aurora.run("SELECT who FROM t", transactionId=b)["records"] == [[{"stringValue": "b"}]]
    aurora.commit(a)
    aurora.rollback(b)
    assert aurora.run("SELECT who FROM t")["records"] == [[{"stringValue": "a"}]]


# Results are read through a server-side cursor, so a running statement shows as its FETCH: count the
# tenant's other active backends instead of matching the statement's text.
ACTIVE_ELSEWHERE = (
    "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND usename = current_user"
)


def test_a_call_on_a_busy_transaction_is_refused(aurora):
    """'DatabaseErrorException: Transaction is still running a query' (v2 and provisioned), returned at once."""
    tx = aurora.begin()
    # long enough that a poll on a loaded machine (each one an HTTP request) cannot miss it
    slow = threading.Thread(target=lambda: aurora.run("SELECT pg_sleep(4)", transactionId=tx))
    slow.start()
    try:
        deadline = time.monotonic() + 5
        while True:  # wait until the sleep is running on the transaction's connection
            if aurora.scalar(ACTIVE_ELSEWHERE) == 1:
                break
            assert time.monotonic() < deadline, "the transaction's query never showed in pg_stat_activity"
            time.sleep(0.02)
        err = aurora.error("SELECT 1", transactionId=tx)
        assert (err["Code"], err["Message"]) == ("DatabaseErrorException", "Transaction is still running a query")
    finally:
        slow.join()
    assert aurora.commit(tx)["transactionStatus"] == "Transaction Committed"


def test_a_call_on_a_busy_transaction_waits_on_serverless_v1(aurora_v1):
    """On Aurora Serverless v1, a second request for the same transaction waits for the first to finish."""
    tx = aurora_v1.begin()
    aurora_v1.run("CREATE TABLE t (v int)", transactionId=tx)
    slow = threading.Thread(target=lambda: aurora_v1.run("SELECT pg_sleep(0.5)", transactionId=tx))
    slow.start()
    aurora_v1.run("INSERT INTO t VALUES (1)", transactionId=tx)
    slow.join()
    assert aurora_v1.scalar("SELECT count(*) FROM t", transactionId=tx) == 1
    aurora_v1.commit(tx)


def test_idle_transaction_is_rolled_back_after_the_timeout(cloud, aurora):
    """'A transaction times out if no calls use its transaction ID in three minutes' and is rolled back (1 s here)."""
    service = cloud.component(DataApiService)
    service.transaction_idle_timeout = 1.0
    try:
        aurora.run("CREATE TABLE t (v int)")
        tx = aurora.begin()
        aurora.run("INSERT INTO t VALUES (1)", transactionId=tx)
        deadline = time.monotonic() + 30
        while service.transactions.is_open(tx):  # the reaper runs on its own schedule: wait for it, boundedly
            assert time.monotonic() < deadline, "the idle transaction was never rolled back"
            time.sleep(0.2)
        err = aurora.error("SELECT 1", transactionId=tx)
        assert err["Code"] == "TransactionNotFoundException" and err["Message"].endswith("Transaction may be expired")
        assert aurora.scalar("SELECT count(*) FROM t") == 0
    finally:
        service.transaction_idle_timeout = 180.0


def test_transaction_is_ended_after_its_maximum_lifetime(cloud, aurora):
    """'A transaction can run for a maximum of 24 hours' and is then rolled back, however busy (1 s here)."""
    service = cloud.component(DataApiService)
    service.transactions.max_lifetime = 1.0
    try:
        tx = aurora.begin()
        deadline = time.monotonic() + 30
        with pytest.raises(ClientError) as caught:
            while True:  # kept busy, so never idle: only the lifetime can end it
                aurora.run("SELECT 1", transactionId=tx)
                assert time.monotonic() < deadline, "the transaction outlived its maximum lifetime"
                time.sleep(0.1)
        assert error_of(caught.value)["Code"] == "TransactionNotFoundException"
    finally:
        service.transactions.max_lifetime = 86_400.0


def test_batch_execute_in_a_transaction(aurora):
    """BatchExecuteStatement with a transactionId joins that transaction."""
    aurora.run("CREATE TABLE t (v int8)")
    tx = aurora.begin()
    aurora.rds.batch_execute_statement(
        sql="INSERT INTO t VALUES (:v)",
        transactionId=tx,
        **aurora.ids,
        parameterSets=[[p("v", longValue=i)] for i in range(3)],
    )
    assert aurora.scalar("SELECT count(*) FROM t") == 0
    aurora.commit(tx)
    assert aurora.scalar("SELECT count(*) FROM t") == 3
