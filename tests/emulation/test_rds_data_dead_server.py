"""A cluster whose PostgreSQL died does not take the rest of the cloud down with it."""

from __future__ import annotations

import os
import signal
import time

import pytest
from botocore.exceptions import ClientError

from harness.cloud.rds_data.clusters import find_cluster
from harness.cloud.rds_data.service import DataApiService
from tests.emulation.rds_data_support import PASSWORD, error_of, make_cluster, make_secret

pytestmark = pytest.mark.emulation


def test_a_reset_replaces_a_cluster_server_that_died(cloud, aurora):
    """Aurora replaces a failed instance; locally, a reset (moto's, between tests) drops the dead
    PostgreSQL instead of failing on it, and the cluster created again gets a fresh, empty server."""
    aurora.run("CREATE TABLE kept (v int)")
    servers = cloud.component(DataApiService).servers.all()
    pids = [
        int((s.postgres.data_dir / "pgdata" / "postmaster.pid").read_text().split()[0])
        for s in servers
        if s.postgres.data_dir is not None and (s.postgres.data_dir / "pgdata" / "postmaster.pid").exists()
    ]
    assert pids, "the cluster's server keeps its data in the cloud's data dir"
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    cloud.reset()  # raised psycopg.OperationalError (connection refused) before
    arn = make_cluster(cloud, "conformance")  # same id, same data dir: the dead server's data is gone
    secret = make_secret(cloud, "app-db", "app_admin", PASSWORD)
    rows = cloud.client("rds-data").execute_statement(
        resourceArn=arn,
        secretArn=secret,
        database="app",
        sql="SELECT count(*) FROM information_schema.tables WHERE table_name = 'kept'",
    )["records"]
    assert rows == [[{"longValue": 0}]]


def _kill_postmasters(cloud) -> list[int]:
    pids = []
    for server in cloud.component(DataApiService).servers.all():
        pid_file = server.postgres.data_dir / "pgdata" / "postmaster.pid" if server.postgres.data_dir else None
        if pid_file is not None and pid_file.exists():
            pids.append(int(pid_file.read_text().split()[0]))
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    return pids


def test_a_killed_cluster_server_is_restarted_with_its_committed_data(cloud, aurora):
    """Aurora restarts a writer that failed, and its storage keeps every committed transaction;
    while the writer is down the Data API answers DatabaseUnavailableException (HTTP 504, "The
    writer instance in the DB cluster isn't available"). Locally: kill -9 of the cluster's
    PostgreSQL, then calls are answered that way (or served) until crash recovery is done, and
    then the row committed before the kill is read back. Before the fix every later call failed."""
    aurora.run("CREATE TABLE survives (v text)")
    aurora.run("INSERT INTO survives VALUES ('committed')")
    assert _kill_postmasters(cloud), "the cluster's server keeps its data in the cloud's data dir"
    time.sleep(0.2)
    seen: set[str] = set()
    rows = None
    deadline = time.monotonic() + 90
    while rows is None and time.monotonic() < deadline:
        try:
            rows = aurora.run("SELECT v FROM survives")["records"]
        except ClientError as err:
            seen.add(error_of(err)["Code"])
            time.sleep(0.3)
    assert rows == [[{"stringValue": "committed"}]], f"not served again after the kill; errors seen: {seen}"
    assert seen <= {"DatabaseUnavailableException", "DatabaseErrorException"}, seen
    server = cloud.component(DataApiService).servers.for_cluster(find_cluster(aurora.cluster_arn))
    assert server.postgres.restarts == 1
