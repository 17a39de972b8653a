"""RDS Data API conformance through boto3, each test naming the behaviour of the Data API
reference ("Using the RDS Data API" in the Aurora user guide and the rds-data API reference)
it mirrors. SQL runs on the embedded PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness.cloud.rds_data.service import DataApiService

pytestmark = pytest.mark.emulation

PASSWORD = "s3cret-Password-1"


@dataclass
class Db:
    rds: Any
    cluster_arn: str
    secret_arn: str

    def run(self, sql: str, *params: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return self.rds.execute_statement(
            resourceArn=self.cluster_arn, secretArn=self.secret_arn, sql=sql, parameters=list(params), **kwargs
        )

    def error(self, sql: str, *params: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        with pytest.raises(ClientError) as err:
            self.run(sql, *params, **kwargs)
        return err.value.response["Error"] | {"status": err.value.response["ResponseMetadata"]["HTTPStatusCode"]}


def _secret(cloud: Any, name: str, username: str, password: str) -> str:
    value = json.dumps({"username": username, "password": password, "engine": "postgres"})
    return str(cloud.client("secretsmanager").create_secret(Name=name, SecretString=value)["ARN"])


@pytest.fixture
def db(cloud) -> Db:
    rds = cloud.client("rds")
    cluster = rds.create_db_cluster(
        DBClusterIdentifier="conformance", Engine="aurora-postgresql", EngineVersion="16.6",
        DatabaseName="app", MasterUsername="app_admin", MasterUserPassword=PASSWORD, EnableHttpEndpoint=True,
    )["DBCluster"]
    return Db(cloud.client("rds-data"), cluster["DBClusterArn"], _secret(cloud, "app-db", "app_admin", PASSWORD))


def p(name: str, hint: str | None = None, **value: Any) -> dict[str, Any]:
    param: dict[str, Any] = {"name": name, "value": value}
    if hint:
        param["typeHint"] = hint
    return param


def test_select_returns_typed_fields(db):
    """ExecuteStatement returns records of Field: longValue, doubleValue, booleanValue, stringValue, isNull, blobValue."""
    records = db.run("SELECT 42::int8, 1.5::float8, true, 'text', NULL, '\\x0102'::bytea")["records"]
    assert records == [[
        {"longValue": 42}, {"doubleValue": 1.5}, {"booleanValue": True}, {"stringValue": "text"},
        {"isNull": True}, {"blobValue": b"\x01\x02"},
    ]]


def test_numeric_and_timestamps_map_as_aws_does(db):
    """NUMERIC is a stringValue; TIMESTAMP is 'YYYY-MM-DD HH:MM:SS[.FFF]'; DATE and TIME as ISO strings."""
    (row,) = db.run(
        "SELECT 12.340::numeric, '2024-03-05 06:07:08.123'::timestamp, '2024-03-05 06:07:08'::timestamp, "
        "'2024-03-05'::date, '06:07:08.5'::time"
    )["records"]
    assert [f["stringValue"] for f in row] == [
        "12.340", "2024-03-05 06:07:08.123", "2024-03-05 06:07:08", "2024-03-05", "06:07:08.5",
    ]


def test_named_parameters_of_every_field_type_are_bound(db):
    """Parameters bind by name, including next to casts (:payload::jsonb), for every Field type."""
    db.run("CREATE TABLE t (s text, l int8, d float8, b bool, bl bytea, n text, a int8[], j jsonb)")
    db.run(
        "INSERT INTO t VALUES (:s, :l, :d, :b, :bl, :n, :a, :j::jsonb)",
        p("s", stringValue="hi"), p("l", longValue=7), p("d", doubleValue=2.5), p("b", booleanValue=False),
        p("bl", blobValue=b"\x00\xff"), p("n", isNull=True), p("a", arrayValue={"longValues": [1, 2, 3]}),
        p("j", stringValue='{"k": [1, 2]}'),
    )
    (row,) = db.run("SELECT s, l, d, b, bl, n, a, j FROM t")["records"]
    assert row == [
        {"stringValue": "hi"}, {"longValue": 7}, {"doubleValue": 2.5}, {"booleanValue": False},
        {"blobValue": b"\x00\xff"}, {"isNull": True}, {"arrayValue": {"longValues": [1, 2, 3]}},
        {"stringValue": '{"k": [1, 2]}'},
    ]


def test_type_hints_cast_string_values(db):
    """typeHint JSON, UUID, TIMESTAMP, DATE, TIME and DECIMAL make a stringValue that type."""
    (row,) = db.run(
        "SELECT pg_typeof(:j::jsonb)::text, pg_typeof(:u)::text, pg_typeof(:ts)::text, pg_typeof(:d)::text, "
        "pg_typeof(:t)::text, pg_typeof(:dec)::text, :dec + 0.01",
        p("j", "JSON", stringValue='{"a": 1}'), p("u", "UUID", stringValue="6f1a5b0e-4c2d-4e1a-9b7c-1d2e3f4a5b6c"),
        p("ts", "TIMESTAMP", stringValue="2024-01-02 03:04:05.678"), p("d", "DATE", stringValue="2024-01-02"),
        p("t", "TIME", stringValue="03:04:05"), p("dec", "DECIMAL", stringValue="1.10"),
    )["records"]
    assert [f["stringValue"] for f in row] == [
        "jsonb", "uuid", "timestamp without time zone", "date", "time without time zone", "numeric", "1.11",
    ]


def test_bad_type_hint_value_is_bad_request(db):
    """A stringValue that does not parse as its typeHint is rejected with BadRequestException."""
    err = db.error("SELECT :u", p("u", "UUID", stringValue="not-a-uuid"))
    assert err["Code"] == "BadRequestException" and "UUID" in err["Message"]


def test_result_metadata(db):
    """includeResultMetadata adds columnMetadata with name, label, typeName and JDBC type codes."""
    result = db.run("SELECT 1::int4 AS n, 'x'::varchar AS s, ARRAY['a'] AS arr", includeResultMetadata=True)
    meta = {m["name"]: m for m in result["columnMetadata"]}
    assert (meta["n"]["typeName"], meta["n"]["type"], meta["n"]["isSigned"]) == ("int4", 4, True)
    assert (meta["s"]["typeName"], meta["s"]["type"]) == ("varchar", 12)
    assert (meta["arr"]["type"], meta["arr"]["arrayBaseColumnType"]) == (2003, 12)
    assert "columnMetadata" not in db.run("SELECT 1")


def test_format_records_as_json(db):
    """formatRecordsAs JSON returns formattedRecords (a JSON string) instead of records."""
    result = db.run("SELECT 1 AS id, 'a' AS name, 2.50::numeric AS price, NULL AS gone", formatRecordsAs="JSON")
    assert "records" not in result
    assert json.loads(result["formattedRecords"]) == [{"id": 1, "name": "a", "price": "2.50", "gone": None}]


def test_result_set_options(db):
    """resultSetOptions: decimalReturnType DOUBLE_OR_LONG and longReturnType STRING."""
    (row,) = db.run(
        "SELECT 2.5::numeric, 3::numeric, 9007199254740993::int8",
        resultSetOptions={"decimalReturnType": "DOUBLE_OR_LONG", "longReturnType": "STRING"},
    )["records"]
    assert row == [{"doubleValue": 2.5}, {"longValue": 3}, {"stringValue": "9007199254740993"}]


def test_number_of_records_updated_and_generated_fields(db):
    """numberOfRecordsUpdated counts DML rows; Aurora PostgreSQL returns no generatedFields (use RETURNING)."""
    db.run("CREATE TABLE t (id serial PRIMARY KEY, v int)")
    inserted = db.run("INSERT INTO t (v) VALUES (1), (2), (3) RETURNING id")
    assert inserted["numberOfRecordsUpdated"] == 3
    assert inserted["generatedFields"] == []
    assert [r[0]["longValue"] for r in inserted["records"]] == [1, 2, 3]
    assert db.run("UPDATE t SET v = v + 1 WHERE v > 1")["numberOfRecordsUpdated"] == 2
    assert db.run("SELECT * FROM t")["numberOfRecordsUpdated"] == 0


def test_postgres_arrays_are_array_values(db):
    """PostgreSQL arrays come back as arrayValue (stringValues, doubleValues, booleanValues, arrayValues)."""
    (row,) = db.run("SELECT ARRAY['a','b'], ARRAY[1.5::float8], ARRAY[true], ARRAY[[1,2],[3,4]]")["records"]
    assert row == [
        {"arrayValue": {"stringValues": ["a", "b"]}}, {"arrayValue": {"doubleValues": [1.5]}},
        {"arrayValue": {"booleanValues": [True]}},
        {"arrayValue": {"arrayValues": [{"longValues": [1, 2]}, {"longValues": [3, 4]}]}},
    ]


def test_batch_execute_statement(db):
    """BatchExecuteStatement runs the SQL once per parameter set and returns updateResults."""
    db.run("CREATE TABLE t (k text PRIMARY KEY, v int8)")
    result = db.rds.batch_execute_statement(
        resourceArn=db.cluster_arn, secretArn=db.secret_arn, sql="INSERT INTO t VALUES (:k, :v)",
        parameterSets=[[p("k", stringValue=f"k{i}"), p("v", longValue=i)] for i in range(5)],
    )
    assert len(result["updateResults"]) == 5
    assert db.run("SELECT count(*), sum(v) FROM t")["records"] == [[{"longValue": 5}, {"stringValue": "10"}]]


def test_transactions_commit_and_rollback(db):
    """BeginTransaction/CommitTransaction/RollbackTransaction with a transactionId; statuses as AWS words them."""
    db.run("CREATE TABLE t (v int)")
    ids = dict(resourceArn=db.cluster_arn, secretArn=db.secret_arn)
    tx = db.rds.begin_transaction(**ids)["transactionId"]
    db.run("INSERT INTO t VALUES (1)", transactionId=tx)
    assert db.run("SELECT count(*) FROM t")["records"] == [[{"longValue": 0}]]  # isolated until commit
    assert db.rds.commit_transaction(transactionId=tx, **ids)["transactionStatus"] == "Transaction Committed"
    tx = db.rds.begin_transaction(**ids)["transactionId"]
    db.run("INSERT INTO t VALUES (2)", transactionId=tx)
    assert db.rds.rollback_transaction(transactionId=tx, **ids)["transactionStatus"] == "Rollback Complete"
    assert db.run("SELECT array_agg(v) FROM t")["records"] == [[{"arrayValue": {"longValues": [1]}}]]
    with pytest.raises(ClientError) as err:
        db.rds.commit_transaction(transactionId=tx, **ids)
    assert err.value.response["Error"]["Code"] == "TransactionNotFoundException"


def test_concurrent_transactions_are_isolated(db):
    """Two open transactions do not see each other's uncommitted rows."""
    db.run("CREATE TABLE t (who text)")
    ids = dict(resourceArn=db.cluster_arn, secretArn=db.secret_arn)
    a, b = (db.rds.begin_transaction(**ids)["transactionId"] for _ in range(2))
    db.run("INSERT INTO t VALUES ('a')", transactionId=a)
    db.run("INSERT INTO t VALUES ('b')", transactionId=b)
    assert db.run("SELECT who FROM t", transactionId=a)["records"] == [[{"stringValue": "a"}]]
    assert db.run("SELECT who FROM t", transactionId=b)["records"] == [[{"stringValue": "b"}]]
    db.rds.commit_transaction(transactionId=a, **ids)
    db.rds.rollback_transaction(transactionId=b, **ids)
    assert db.run("SELECT who FROM t")["records"] == [[{"stringValue": "a"}]]


def test_idle_transaction_is_rolled_back_after_timeout(cloud, db):
    """A transaction left idle past the timeout (3 minutes on AWS, 0.5 s here) is rolled back and forgotten."""
    service = cloud.component(DataApiService)
    service.transactions.idle_timeout = 0.5
    try:
        db.run("CREATE TABLE t (v int)")
        tx = db.rds.begin_transaction(resourceArn=db.cluster_arn, secretArn=db.secret_arn)["transactionId"]
        db.run("INSERT INTO t VALUES (1)", transactionId=tx)
        time.sleep(2.0)
        assert db.error("SELECT 1", transactionId=tx)["Code"] == "TransactionNotFoundException"
        assert db.run("SELECT count(*) FROM t")["records"] == [[{"longValue": 0}]]
    finally:
        service.transactions.idle_timeout = 180.0


def test_bad_sql_is_bad_request_with_postgres_message(db):
    """SQL errors are BadRequestException carrying PostgreSQL's message, position and SQLState."""
    err = db.error("SELECT * FROM missing_table")
    assert err["Code"] == "BadRequestException" and err["status"] == 400
    assert err["Message"] == (
        'ERROR: relation "missing_table" does not exist\n  Position: 15; SQLState: 42P01'
    )


def test_response_over_1_mib_is_refused(db):
    """A result larger than the 1 MiB response limit is an error, not a truncated answer."""
    err = db.error("SELECT repeat('x', 1024) FROM generate_series(1, 1200)")
    assert err["Code"] == "BadRequestException"
    assert "response size limit" in err["Message"]


def test_statement_timeout(cloud, db):
    """A statement running past the timeout gets StatementTimeoutException with the dbConnectionId."""
    service = cloud.component(DataApiService)
    service.statement_timeout = 0.5
    try:
        with pytest.raises(ClientError) as err:
            db.run("SELECT pg_sleep(3)")
        assert err.value.response["Error"]["Code"] == "StatementTimeoutException"
        assert isinstance(err.value.response["dbConnectionId"], int)
    finally:
        service.statement_timeout = 45.0


def test_database_resuming_fault(cloud, db):
    """While an Aurora Serverless cluster resumes from zero capacity, calls get DatabaseResumingException."""
    service = cloud.component(DataApiService)
    service.resuming_for(1.0)
    assert db.error("SELECT 1")["Code"] == "DatabaseResumingException"
    time.sleep(1.2)
    assert db.run("SELECT 1")["records"] == [[{"longValue": 1}]]


def test_unknown_cluster_and_disabled_endpoint(cloud, db):
    """Unknown resourceArn: NotFoundException; a cluster without the HTTP endpoint: HttpEndpointNotEnabledException."""
    missing = db.cluster_arn.replace("conformance", "nobody")
    with pytest.raises(ClientError) as err:
        db.rds.execute_statement(resourceArn=missing, secretArn=db.secret_arn, sql="SELECT 1")
    assert err.value.response["Error"]["Code"] == "NotFoundException"
    plain = cloud.client("rds").create_db_cluster(
        DBClusterIdentifier="plain", Engine="aurora-postgresql", EngineVersion="16.6",
        MasterUsername="u", MasterUserPassword=PASSWORD,
    )["DBCluster"]["DBClusterArn"]
    with pytest.raises(ClientError) as err:
        db.rds.execute_statement(resourceArn=plain, secretArn=db.secret_arn, sql="SELECT 1")
    assert err.value.response["Error"]["Code"] == "HttpEndpointNotEnabledException"


def test_secret_is_checked_and_its_credentials_are_used(cloud, db):
    """Unknown secretArn: SecretsErrorException; a secret with a wrong password cannot connect."""
    with pytest.raises(ClientError) as err:
        db.rds.execute_statement(resourceArn=db.cluster_arn, secretArn=db.secret_arn + "x", sql="SELECT 1")
    assert err.value.response["Error"]["Code"] == "SecretsErrorException"
    wrong = _secret(cloud, "wrong", "app_admin", "not-the-password")
    with pytest.raises(ClientError) as err:
        db.rds.execute_statement(resourceArn=db.cluster_arn, secretArn=wrong, sql="SELECT 1")
    assert "password authentication failed" in err.value.response["Error"]["Message"]
    assert db.run("SELECT current_user")["records"] == [[{"stringValue": "app_admin"}]]


def test_parameters_are_bound_never_spliced(db):
    """SQL injection through parameters is impossible: the value is data, even with quotes and ;."""
    db.run("CREATE TABLE users (name text)")
    evil = "x'); DROP TABLE users; --"
    db.run("INSERT INTO users VALUES (:name)", p("name", stringValue=evil))
    assert db.run("SELECT name FROM users WHERE name = :name", p("name", stringValue=evil))["records"] == [
        [{"stringValue": evil}]
    ]
    assert db.run("SELECT count(*) FROM users WHERE name = :n", p("n", stringValue="' OR '1'='1"))["records"] == [
        [{"longValue": 0}]
    ]


def test_colons_inside_literals_casts_and_comments_are_not_parameters(db):
    """Only :name outside strings, comments and casts is a parameter ('a:b', ::text, -- :x stay as written)."""
    (row,) = db.run("SELECT 'a:b', :v::text, '50%' -- :notaparam\n", p("v", longValue=5))["records"]
    assert row == [{"stringValue": "a:b"}, {"stringValue": "5"}, {"stringValue": "50%"}]
    assert db.error("SELECT :missing")["Message"] == "No value specified for parameter: missing"


def test_concurrent_autocommit_statements(db):
    """Many callers at once each get their answer (pooled connections, no cross-talk)."""
    out: dict[int, Any] = {}

    def call(i: int) -> None:
        out[i] = db.run("SELECT :i::int8", p("i", longValue=i))["records"][0][0]["longValue"]

    threads = [threading.Thread(target=call, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == {i: i for i in range(16)}


def test_blob_parameter_roundtrip_is_base64_on_the_wire(db):
    """blobValue travels base64-encoded in JSON and arrives as the same bytes."""
    data = bytes(range(256))
    (row,) = db.run("SELECT :b::bytea", p("b", blobValue=data))["records"]
    assert row[0]["blobValue"] == data


def test_an_existing_postgres_can_back_the_data_api(cloud, db):
    """--postgres-dsn: the Data API runs on a PostgreSQL it did not start, and leaves it running."""
    from harness.cloud import LocalCloud

    assert db.run("SELECT 1")["records"] == [[{"longValue": 1}]]  # the session's PostgreSQL is up
    existing = cloud.component(DataApiService).postgres.admin_dsn()
    with LocalCloud(components=[DataApiService(postgres_dsn=existing)]) as other:
        cluster = other.client("rds").create_db_cluster(
            DBClusterIdentifier="elsewhere", Engine="aurora-postgresql", EngineVersion="16.6",
            DatabaseName="app", MasterUsername="other_admin", MasterUserPassword=PASSWORD, EnableHttpEndpoint=True,
        )["DBCluster"]["DBClusterArn"]
        secret = _secret(other, "other-db", "other_admin", PASSWORD)
        result = other.client("rds-data").execute_statement(resourceArn=cluster, secretArn=secret, sql="SELECT current_database()")
        assert result["records"] == [[{"stringValue": "elsewhere__app"}]]
        other.component(DataApiService).reset()  # drop what it made; moto state is shared in-process
    assert db.run("SELECT 2")["records"] == [[{"longValue": 2}]]  # still running after the other cloud stopped


def test_resuming_fault_can_be_switched_on_over_http(cloud, db):
    """The fault switch is reachable from another process: POST /_harness/faults/rds-data/resuming."""
    import httpx

    url = f"{cloud.url}/_harness/faults/rds-data/resuming"
    assert httpx.post(url, json={"seconds": "soon"}).status_code == 400
    assert httpx.post(url, json={"seconds": -1}).status_code == 400
    response = httpx.post(url, json={"seconds": 1.0})
    assert response.status_code == 200 and response.json()["fault"] == "DatabaseResumingException"
    assert db.error("SELECT 1")["Code"] == "DatabaseResumingException"
    time.sleep(1.2)
    assert db.run("SELECT 1")["records"] == [[{"longValue": 1}]]
    assert "DataApiService" in httpx.get(f"{cloud.url}/_harness/health").json()["components"]
