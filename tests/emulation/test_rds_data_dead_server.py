"""A cluster whose PostgreSQL died does not take the rest of the cloud down with it."""

from __future__ import annotations

import os
import signal
import time

import pytest

from harness.cloud.rds_data.service import DataApiService
from tests.emulation.rds_data_support import PASSWORD, make_cluster, make_secret

pytestmark = pytest.mark.emulation


def test_a_reset_replaces_a_cluster_server_that_died(cloud, aurora):
    """Aurora replaces a failed instance; locally, a reset (moto's, between tests) drops the dead
    PostgreSQL instead of failing on it, and the cluster created again gets a fresh, empty server."""
    aurora.run("CREATE TABLE kept (v int)")
    servers = cloud.component(DataApiService).servers.all()
    pids = [int((s.postgres.data_dir / "pgdata" / "postmaster.pid").read_text().split()[0])
            for s in servers if s.postgres.data_dir is not None and (s.postgres.data_dir / "pgdata" / "postmaster.pid").exists()]
    assert pids, "the cluster's server keeps its data in the cloud's data dir"
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    cloud.reset()  # raised psycopg.OperationalError (connection refused) before
    arn = make_cluster(cloud, "conformance")  # same id, same data dir: the dead server's data is gone
    secret = make_secret(cloud, "app-db", "app_admin", PASSWORD)
    rows = cloud.client("rds-data").execute_statement(
        resourceArn=arn, secretArn=secret, database="app",
        sql="SELECT count(*) FROM information_schema.tables WHERE table_name = 'kept'")["records"]
    assert rows == [[{"longValue": 0}]]
