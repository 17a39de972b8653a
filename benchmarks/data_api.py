"""Benchmark the Data API against direct psycopg on the same PostgreSQL, in the same run.

Run: ``python benchmarks/data_api.py [--n 300]``. Prints the median latency of
``execute_statement`` through boto3 for ``SELECT 1`` and for a parameterised JSONB
insert, beside the same statements over a direct psycopg connection as the same role,
the edge handler's own share of each call, and the floor any Data API call pays here:
boto3 signing + HTTP to the same endpoint with a handler that does nothing.
Target (issue 3): the Data API adds under 1 ms median per statement.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
from werkzeug.wrappers import Response  # noqa: E402

from harness.cloud.rds_data.clusters import find_cluster
from harness.cloud import LocalCloud  # noqa: E402
from harness.cloud.rds_data.service import DataApiService  # noqa: E402
from harness.alexkit.stack.definition import alex_stack  # noqa: E402
from harness.alexkit.stack.deployment import deploy_alex  # noqa: E402


NOOP_SQL = "/* transport floor */ SELECT 1"


def median_ms(call: Callable[[], object], n: int) -> float:
    for _ in range(20):
        call()
    samples = []
    for _ in range(n):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    service = DataApiService()
    server_side: list[float] = []
    handle = service.handle
    noop = Response(json.dumps({"numberOfRecordsUpdated": 0, "generatedFields": []}), content_type="application/json")

    def timed_handle(request, ctx):  # type: ignore[no-untyped-def]
        if b"transport floor" in request.get_data():  # the transport floor: answered before any Data API work
            return noop
        began = time.perf_counter()
        response = handle(request, ctx)
        server_side.append((time.perf_counter() - began) * 1000)
        return response

    service.handle = timed_handle  # type: ignore[method-assign]
    with LocalCloud(components=[service]) as cloud:
        stack = deploy_alex(alex_stack(), cloud.client)
        rds = cloud.client("rds-data")
        target = {"resourceArn": stack.cluster_arn, "secretArn": stack.secret_arn, "database": "alex"}
        rds.execute_statement(sql="CREATE TABLE bench (id bigserial PRIMARY KEY, payload jsonb)", **target)
        floor = median_ms(lambda: rds.execute_statement(sql=NOOP_SQL, **target), args.n)
        payload = json.dumps({"symbol": "VTI", "weights": {"equity": 0.7, "bonds": 0.3}, "note": "x" * 200})
        param = [{"name": "p", "value": {"stringValue": payload}, "typeHint": "JSON"}]
        api_select = median_ms(lambda: rds.execute_statement(sql="SELECT 1", **target), args.n)
        select_server = statistics.median(server_side[-args.n :])
        api_insert = median_ms(
            lambda: rds.execute_statement(sql="INSERT INTO bench (payload) VALUES (:p::jsonb)", parameters=param, **target),
            args.n,
        )
        insert_server = statistics.median(server_side[-args.n :])
        secret = stack.spec.database.secret.value
        server = service.servers.for_cluster(find_cluster(stack.cluster_arn))
        dsn = server.postgres.role_dsn("alex", str(secret["username"]), str(secret["password"]))
        with psycopg.connect(dsn, autocommit=True) as conn:
            direct_select = median_ms(lambda: conn.execute("SELECT 1").fetchall(), args.n)
            direct_insert = median_ms(lambda: conn.execute("INSERT INTO bench (payload) VALUES (%s::jsonb)", (payload,)), args.n)
    print(
        f"{'statement':<24}{'Data API via boto3':>20}{'of which server':>17}{'direct psycopg':>16}{'added e2e':>11}{'added server':>14}"
    )
    rows = (
        ("SELECT 1", api_select, select_server, direct_select),
        ("JSONB insert (1 param)", api_insert, insert_server, direct_insert),
    )
    for name, api, server, direct in rows:
        print(f"{name:<24}{api:>17.2f} ms{server:>14.2f} ms{direct:>13.2f} ms{api - direct:>8.2f} ms{server - direct:>11.2f} ms")
    print(f"{'boto3 + HTTP floor':<24}{floor:>17.2f} ms   (a call answered at the edge without any Data API work)")
    print(f"(medians of {args.n}; 'server' is the edge handler's own time, without boto3 signing and HTTP; target: added < 1 ms)")


if __name__ == "__main__":
    main()
