"""ExecuteStatement and BatchExecuteStatement through boto3, on the embedded PostgreSQL.

Each test names the behaviour it mirrors from the rds-data API reference (ExecuteStatement,
BatchExecuteStatement, Field, SqlParameter, ResultSetOptions, ColumnMetadata) or the
Aurora user guide ("Using RDS Data API", "Processing query results in JSON format",
"Troubleshooting RDS Data API").
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from tests.emulation.rds_data_support import p

pytestmark = pytest.mark.emulation


# ---- results: Field types ----------------------------------------------------------------------
def test_records_are_fields_of_each_type(aurora):
    """ExecuteStatement.records is a list of Field: longValue, doubleValue, booleanValue, stringValue, blobValue, isNull."""
    records = aurora.run("SELECT 42::int8, 7::int2, 1.5::float8, true, 'text', NULL, '\\x0102'::bytea")["records"]
    assert records == [
        [
            {"longValue": 42},
            {"longValue": 7},
            {"doubleValue": 1.5},
            {"booleanValue": True},
            {"stringValue": "text"},
            {"isNull": True},
            {"blobValue": b"\x01\x02"},
        ]
    ]


def test_numeric_dates_and_times_are_strings_as_aws_formats_them(aurora):
    """NUMERIC is a stringValue (exact); TIMESTAMP reads 'YYYY-MM-DD HH:MM:SS[.FFF]' in UTC; DATE and TIME as ISO text."""
    (row,) = aurora.run(
        "SELECT 12.340::numeric, '2024-03-05 06:07:08.123'::timestamp, '2024-03-05 06:07:08'::timestamp, "
        "'2024-03-05 08:07:08.5+02'::timestamptz, '2024-03-05'::date, '06:07:08.5'::time, 'infinity'::timestamp"
    )["records"]
    assert [f["stringValue"] for f in row] == [
        "12.340",
        "2024-03-05 06:07:08.123",
        "2024-03-05 06:07:08",
        "2024-03-05 06:07:08.5",
        "2024-03-05",
        "06:07:08.5",
        "infinity",
    ]


def test_json_uuid_and_other_types_come_back_as_postgres_text(aurora):
    """JSON/JSONB, UUID, INTERVAL and other types without a Field member of their own are stringValue."""
    (row,) = aurora.run(
        """SELECT '{"b": [1, 2], "a": "x"}'::jsonb, '6f1a5b0e-4c2d-4e1a-9b7c-1d2e3f4a5b6c'::uuid,
                  '1 day 02:00'::interval, '10.0.0.1'::inet"""
    )["records"]
    assert [f["stringValue"] for f in row] == [
        '{"a": "x", "b": [1, 2]}',
        "6f1a5b0e-4c2d-4e1a-9b7c-1d2e3f4a5b6c",
        "1 day 02:00:00",
        "10.0.0.1",
    ]


def test_postgres_arrays_are_array_values(aurora):
    """PostgreSQL arrays come back as Field.arrayValue: longValues, doubleValues, booleanValues, stringValues."""
    (row,) = aurora.run(
        "SELECT ARRAY[1, 2]::int8[], ARRAY[1.5::float8], ARRAY[true, false], ARRAY['a', 'b'], ARRAY[1.10]::numeric[]"
    )["records"]
    assert row == [
        {"arrayValue": {"longValues": [1, 2]}},
        {"arrayValue": {"doubleValues": [1.5]}},
        {"arrayValue": {"booleanValues": [True, False]}},
        {"arrayValue": {"stringValues": ["a", "b"]}},
        {"arrayValue": {"stringValues": ["1.10"]}},
    ]


def test_multidimensional_array_result_is_unsupported(aurora):
    """UnsupportedResultException: the result 'contained a multidimensional array' (rds-data API reference)."""
    err = aurora.error("SELECT ARRAY[[1, 2], [3, 4]]")
    assert err["Code"] == "UnsupportedResultException"


def test_multidimensional_array_on_serverless_v1_is_nested_array_values(aurora_v1):
    """Aurora Serverless v1 answered a multidimensional array as nested ArrayValue.arrayValues."""
    (row,) = aurora_v1.run("SELECT ARRAY[[1, 2], [3, 4]]")["records"]
    assert row == [{"arrayValue": {"arrayValues": [{"longValues": [1, 2]}, {"longValues": [3, 4]}]}}]


# ---- parameters ----------------------------------------------------------------------------------
def test_named_parameters_of_every_field_type_are_bound(aurora):
    """SqlParameter values of every Field type bind by :name, including next to casts (:payload::jsonb)."""
    aurora.run("CREATE TABLE t (s text, l int8, d float8, b bool, bl bytea, n text, a int8[], j jsonb)")
    aurora.run(
        "INSERT INTO t VALUES (:s, :l, :d, :b, :bl, :n, :a, :payload::jsonb)",
        p("s", stringValue="hi"),
        p("l", longValue=7),
        p("d", doubleValue=2.5),
        p("b", booleanValue=False),
        p("bl", blobValue=b"\x00\xff"),
        p("n", isNull=True),
        p("a", arrayValue={"longValues": [1, 2, 3]}),
        p("payload", stringValue='{"k": [1, 2]}'),
    )
    (row,) = aurora.run("SELECT s, l, d, b, bl, n, a, j FROM t")["records"]
    assert row == [
        {"stringValue": "hi"},
        {"longValue": 7},
        {"doubleValue": 2.5},
        {"booleanValue": False},
        {"blobValue": b"\x00\xff"},
        {"isNull": True},
        {"arrayValue": {"longValues": [1, 2, 3]}},
        {"stringValue": '{"k": [1, 2]}'},
    ]


def test_type_hints_send_string_values_as_that_type(aurora):
    """SqlParameter.typeHint JSON, UUID, TIMESTAMP, DATE, TIME, DECIMAL: the string is sent as that type."""
    (row,) = aurora.run(
        "SELECT pg_typeof(:j)::text, pg_typeof(:u)::text, pg_typeof(:ts)::text, pg_typeof(:d)::text, "
        "pg_typeof(:t)::text, pg_typeof(:dec)::text, :dec + 0.01, :ts",
        p("j", "JSON", stringValue='{"a": 1}'),
        p("u", "UUID", stringValue="6f1a5b0e-4c2d-4e1a-9b7c-1d2e3f4a5b6c"),
        p("ts", "TIMESTAMP", stringValue="2024-01-02 03:04:05.678"),
        p("d", "DATE", stringValue="2024-01-02"),
        p("t", "TIME", stringValue="03:04:05"),
        p("dec", "DECIMAL", stringValue="1.10"),
    )["records"]
    assert [f["stringValue"] for f in row] == [
        "json",
        "uuid",
        "timestamp without time zone",
        "date",
        "time without time zone",
        "numeric",
        "1.11",
        "2024-01-02 03:04:05.678",
    ]


def test_json_type_hint_inserts_into_jsonb_and_uuid_hint_matches_uuid_columns(aurora):
    """typeHint JSON stores into a JSONB column without a cast; typeHint UUID compares with a UUID column."""
    aurora.run("CREATE TABLE docs (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), body jsonb)")
    doc_id = aurora.scalar("INSERT INTO docs (body) VALUES (:b) RETURNING id", p("b", "JSON", stringValue='{"x": 1}'))
    found = aurora.scalar("SELECT body->>'x' FROM docs WHERE id = :id", p("id", "UUID", stringValue=doc_id))
    assert found == "1"


def test_a_value_that_does_not_parse_as_its_type_hint_is_the_database_error(aurora):
    """A stringValue that is not valid for its typeHint fails in the database: DatabaseErrorException with its message."""
    err = aurora.error("SELECT :u", p("u", "UUID", stringValue="not-a-uuid"))
    assert err["Code"] == "DatabaseErrorException"
    assert 'invalid input syntax for type uuid: "not-a-uuid"' in err["Message"]


def test_parameters_are_bound_never_spliced(aurora):
    """SQL injection through parameters is impossible: a parameter is data, whatever quotes and semicolons it holds."""
    aurora.run("CREATE TABLE users (name text)")
    evil = "x'); DROP TABLE users; --"
    aurora.run("INSERT INTO users VALUES (:name)", p("name", stringValue=evil))
    assert aurora.scalar("SELECT name FROM users WHERE name = :name", p("name", stringValue=evil)) == evil
    assert aurora.scalar("SELECT count(*) FROM users WHERE name = :n", p("n", stringValue="' OR '1'='1")) == 0
    assert aurora.scalar("SELECT :v", p("v", stringValue="%(v)s %s $1 :v")) == "%(v)s %s $1 :v"


def test_colons_in_literals_casts_comments_and_dollar_quotes_are_not_parameters(aurora):
    """Only :name outside strings, comments and dollar quotes is a parameter ('a:b', ::text, -- :x stay SQL)."""
    (row,) = aurora.run(
        "SELECT 'a:b', :v::text, '50%', E'it\\'s :x', $$ :y $$, \"?column?\" FROM (SELECT 1) s(\"?column?\") /* :z */ -- :w\n",
        p("v", longValue=5),
    )["records"]
    assert row == [
        {"stringValue": "a:b"},
        {"stringValue": "5"},
        {"stringValue": "50%"},
        {"stringValue": "it's :x"},
        {"stringValue": " :y "},
        {"longValue": 1},
    ]


def test_a_parameter_without_a_value_is_an_error(aurora):
    """A :name in the SQL with no SqlParameter for it fails the call."""
    err = aurora.error("SELECT :missing")
    assert err["Code"] == "DatabaseErrorException"
    assert err["Message"] == "No value specified for parameter: missing"


# ---- result options ------------------------------------------------------------------------------
def test_include_result_metadata(aurora):
    """includeResultMetadata adds columnMetadata: name, label, typeName, JDBC type codes, arrayBaseColumnType."""
    result = aurora.run("SELECT 1::int4 AS n, 'x'::varchar AS s, ARRAY['a'] AS arr", includeResultMetadata=True)
    meta = {m["name"]: m for m in result["columnMetadata"]}
    assert (meta["n"]["typeName"], meta["n"]["type"], meta["n"]["isSigned"]) == ("int4", 4, True)
    assert (meta["s"]["typeName"], meta["s"]["type"], meta["s"]["label"]) == ("varchar", 12, "s")
    assert (meta["arr"]["typeName"], meta["arr"]["type"], meta["arr"]["arrayBaseColumnType"]) == ("_text", 2003, 12)
    assert "columnMetadata" not in aurora.run("SELECT 1")


def test_format_records_as_json(aurora):
    """formatRecordsAs JSON: formattedRecords is one JSON string, keys are column labels; records and columnMetadata are absent."""
    result = aurora.run(
        "SELECT 1 AS id, 'a' AS name, 2.50::numeric AS price, 1.5::float8 AS ratio, true AS ok, NULL AS gone, "
        "'\\x68656c6c6f'::bytea AS blob, ARRAY[1, 2] AS nums, '2024-01-02 03:04:05'::timestamp AS at",
        formatRecordsAs="JSON",
        includeResultMetadata=True,
    )
    assert "records" not in result and "columnMetadata" not in result
    assert json.loads(result["formattedRecords"]) == [
        {
            "id": 1,
            "name": "a",
            "price": "2.50",
            "ratio": 1.5,
            "ok": True,
            "gone": None,
            "blob": "aGVsbG8=",
            "nums": [1, 2],
            "at": "2024-01-02 03:04:05",
        }
    ]


def test_format_records_as_json_needs_unique_column_labels(aurora):
    """Duplicate column labels are an error in JSON format ('duplicate key names aren't allowed in JSON')."""
    err = aurora.error("SELECT 1 AS a, 2 AS a", formatRecordsAs="JSON")
    assert err["Code"] == "UnsupportedResultException"


def test_result_set_options(aurora):
    """resultSetOptions: decimalReturnType DOUBLE_OR_LONG makes NUMERIC numbers, longReturnType STRING makes integers strings."""
    options = {"decimalReturnType": "DOUBLE_OR_LONG", "longReturnType": "STRING"}
    (row,) = aurora.run("SELECT 2.5::numeric, 3::numeric, 9007199254740993::int8", resultSetOptions=options)["records"]
    assert row == [{"doubleValue": 2.5}, {"longValue": 3}, {"stringValue": "9007199254740993"}]
    records = aurora.run("SELECT 2.5::numeric AS d, 7::int8 AS l", resultSetOptions=options, formatRecordsAs="JSON")
    assert json.loads(records["formattedRecords"]) == [{"d": 2.5, "l": "7"}]


def test_number_of_records_updated_and_generated_fields(aurora):
    """numberOfRecordsUpdated counts DML rows; generatedFields stays empty on Aurora PostgreSQL (use RETURNING)."""
    aurora.run("CREATE TABLE t (id serial PRIMARY KEY, v int)")
    inserted = aurora.run("INSERT INTO t (v) VALUES (1), (2), (3) RETURNING id")
    assert inserted["numberOfRecordsUpdated"] == 3 and inserted["generatedFields"] == []
    assert [r[0]["longValue"] for r in inserted["records"]] == [1, 2, 3]
    assert aurora.run("UPDATE t SET v = v + 1 WHERE v > 1")["numberOfRecordsUpdated"] == 2
    assert aurora.run("DELETE FROM t WHERE v = 1")["numberOfRecordsUpdated"] == 1
    assert aurora.run("SELECT * FROM t")["numberOfRecordsUpdated"] == 0


# ---- statements ----------------------------------------------------------------------------------
def test_multi_statements_are_refused(aurora):
    """'Multi-statements aren't supported' on Serverless v2 and provisioned clusters (troubleshooting guide)."""
    err = aurora.error("CREATE TABLE a (x int); CREATE TABLE b (x int)")
    assert err["Code"] == "DatabaseErrorException" and "Multistatements" in err["Message"]
    assert aurora.run("SELECT 1;")["records"] == [[{"longValue": 1}]]  # one statement with its semicolon is fine
    assert aurora.run("SELECT 'a;b'")["records"] == [[{"stringValue": "a;b"}]]


def test_multi_statements_ran_on_serverless_v1(aurora_v1):
    """Aurora Serverless v1 ran several statements sent in one call."""
    aurora_v1.run("CREATE TABLE a (x int); INSERT INTO a VALUES (1)")
    assert aurora_v1.scalar("SELECT count(*) FROM a") == 1


def test_schema_parameter_is_refused(aurora):
    """'Schema parameter isn't supported': v2 and provisioned clusters reject calls that include it."""
    assert aurora.error("SELECT 1", schema="public")["Code"] == "BadRequestException"


def test_database_parameter_selects_the_database(aurora):
    """ExecuteStatement.database picks the database; without it the cluster's DatabaseName is used."""
    assert aurora.scalar("SELECT current_database()") == "app"
    aurora.run("CREATE DATABASE reports")
    assert aurora.scalar("SELECT current_database()", database="reports") == "reports"
    err = aurora.error("SELECT 1", database="nowhere")
    assert err["Code"] == "DatabaseErrorException" and 'database "nowhere" does not exist' in err["Message"]


def test_batch_execute_statement(aurora):
    """BatchExecuteStatement runs the SQL once per parameter set and returns one updateResult each."""
    aurora.run("CREATE TABLE t (k text PRIMARY KEY, v int8)")
    result = aurora.rds.batch_execute_statement(
        sql="INSERT INTO t VALUES (:k, :v)",
        **aurora.ids,
        parameterSets=[[p("k", stringValue=f"k{i}"), p("v", longValue=i)] for i in range(5)],
    )
    assert result["updateResults"] == [{"generatedFields": []}] * 5
    assert aurora.run("SELECT count(*), sum(v) FROM t")["records"] == [[{"longValue": 5}, {"stringValue": "10"}]]


def test_batch_execute_statement_without_transaction_is_all_or_nothing(aurora):
    """A failing parameter set fails the BatchExecuteStatement call and none of its sets stays applied."""
    aurora.run("CREATE TABLE t (k text PRIMARY KEY)")
    with pytest.raises(aurora.rds.exceptions.DatabaseErrorException):
        aurora.rds.batch_execute_statement(
            sql="INSERT INTO t VALUES (:k)",
            **aurora.ids,
            parameterSets=[[p("k", stringValue="a")], [p("k", stringValue="a")]],
        )
    assert aurora.scalar("SELECT count(*) FROM t") == 0


def test_concurrent_autocommit_statements(aurora):
    """Calls without a transactionId are independent: many callers at once each get their own answer."""
    out: dict[int, Any] = {}

    def call(i: int) -> None:
        out[i] = aurora.scalar("SELECT :i::int8 * 2", p("i", longValue=i))

    threads = [threading.Thread(target=call, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == {i: 2 * i for i in range(16)}


def test_blob_parameter_roundtrip(aurora):
    """blobValue travels base64-encoded in the JSON body and arrives as the same bytes."""
    data = bytes(range(256))
    assert aurora.scalar("SELECT :b::bytea", p("b", blobValue=data)) == data
