"""The moto default against the hybrid (LocalStack in host mode + the harness's edge), in one run.

Run: ``python benchmarks/localstack_vs_moto.py [--calls 200]``. The moto default is the harness's
local cloud in a child process; the hybrid is LocalStack (the harness's venv) plus the same local
cloud as ``HybridCloud``, each in its own child. Start time: spawn to first answer (the hybrid's:
LocalStack's, then the edge's, one after the other, as ``up --backend hybrid`` does). Memory: RSS
and PSS (``/proc/PID/smaps_rollup``; PSS shares pages between the processes fairly) of every process
in the children's process groups after the calls. Latency: the same boto3 calls, each to the endpoint
that serves it (SQS and Secrets Manager: moto, or LocalStack in the hybrid), plus one RDS Data API
statement (``SELECT 1``, the harness's in both). LocalStack must be installed
(``alex-harness localstack start`` once).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from harness.localstack.install import is_installed, venv_dir, venv_python
from harness.localstack.process import LocalStackProcess

# Both children run the default components (Lambda, the SQS mapping, the Data API, the scripted
# model, schedules, monitoring), as `alex-harness up` does; the hybrid's re-pointed at LocalStack.
_COMPONENTS = """
import os, sys, tempfile
from pathlib import Path
from harness.cloud.components import default_components
data_dir = Path(tempfile.mkdtemp(prefix="bench-cloud-"))
data_dir.chmod(0o755)  # PostgreSQL runs as another user when this runs as root
components = default_components(data_dir=data_dir)
"""
MOTO_CHILD = (
    _COMPONENTS
    + """
from harness.cloud import LocalCloud
cloud = LocalCloud(port=int(sys.argv[1]), components=components).start()
sys.stdin.read()  # until the parent closes it
cloud.stop()
"""
)
HYBRID_CHILD = (
    _COMPONENTS
    + """
from harness.localstack.hybrid import HybridCloud
cloud = HybridCloud(sys.argv[2], port=int(sys.argv[1]), components=components).start()
sys.stdin.read()  # until the parent closes it
cloud.stop()
"""
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def client(url: str, service: str) -> Any:
    return boto3.client(
        service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def group_memory_mb(*pgids: int) -> tuple[float, float]:
    """(RSS, PSS) in MB summed over every process in the process groups ``pgids``."""
    rss = pss = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) not in pgids:
                continue
            for line in (stat.parent / "smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return rss / 1024, pss / 1024


def start_cloud(child: str, *args: str) -> tuple[subprocess.Popen, str, float]:
    """A harness cloud in a child process (its own process group); (process, URL, seconds to first answer)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    began = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", child, str(port), *args],
        stdin=subprocess.PIPE,
        start_new_session=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    lam = client(url, "lambda")  # served by the harness's edge in both modes
    while True:
        try:
            lam.list_functions()
            return proc, url, time.perf_counter() - began
        except (BotoCoreError, ClientError):
            if proc.poll() is not None or time.perf_counter() - began > 120:
                raise SystemExit("the harness cloud did not start") from None
            time.sleep(0.05)


def stop_cloud(proc: subprocess.Popen) -> None:
    """Close its stdin (the child then stops its cloud, PostgreSQL included); kill its group if it hangs."""
    assert proc.stdin is not None
    proc.stdin.close()
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def data_api_select(edge: str, secrets_url: str) -> Callable[[], Any]:
    """A Data API ``SELECT 1`` on an Aurora cluster of the edge, its secret where secrets live."""
    rds, sm = client(edge, "rds"), client(secrets_url, "secretsmanager")
    rds.create_db_cluster(
        DBClusterIdentifier="bench",
        Engine="aurora-postgresql",
        EngineVersion="16.6",
        DatabaseName="bench",
        MasterUsername="bench",
        MasterUserPassword="bench-password",
        EnableHttpEndpoint=True,
    )
    cluster_arn = rds.describe_db_clusters(DBClusterIdentifier="bench")["DBClusters"][0]["DBClusterArn"]
    secret_arn = sm.create_secret(Name="bench-db", SecretString='{"username": "bench", "password": "bench-password"}')["ARN"]
    data = client(edge, "rds-data")
    return lambda: data.execute_statement(resourceArn=cluster_arn, secretArn=secret_arn, sql="SELECT 1")


def timed(calls: int, call: Callable[[], Any]) -> list[float]:
    out = []
    for _ in range(calls):
        began = time.perf_counter()
        call()
        out.append((time.perf_counter() - began) * 1000)
    return out


def workload(edge: str, served: str, calls: int) -> dict[str, list[float]]:
    """The same calls in both modes: SQS and Secrets Manager to ``served``, the Data API to ``edge``."""
    sqs, sm = client(served, "sqs"), client(served, "secretsmanager")
    queue = sqs.create_queue(QueueName="bench")["QueueUrl"]
    sm.create_secret(Name="bench", SecretString='{"password": "x"}')
    timed(10, lambda: sqs.send_message(QueueUrl=queue, MessageBody="warm"))  # warm both paths first
    sqs.purge_queue(QueueUrl=queue)
    select = data_api_select(edge, served)
    timed(5, select)  # the cluster's PostgreSQL starts on its first statement
    return {
        "SQS SendMessage": timed(calls, lambda: sqs.send_message(QueueUrl=queue, MessageBody="x")),
        "SQS ReceiveMessage": timed(calls, lambda: sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1)),
        "SecretsManager GetSecretValue": timed(calls, lambda: sm.get_secret_value(SecretId="bench")),
        "Data API SELECT 1": timed(calls, select),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    if not is_installed():
        print(f"LocalStack is not installed in {venv_dir()}: run `alex-harness localstack start` once", file=sys.stderr)
        return 1
    results: dict[str, dict[str, Any]] = {}

    moto, url, started = start_cloud(MOTO_CHILD)
    try:
        latencies = workload(url, url, args.calls)
        results["moto"] = {"start": started, "lat": latencies, "mem": group_memory_mb(moto.pid)}
    finally:
        stop_cloud(moto)

    began = time.perf_counter()
    ls = LocalStackProcess.start(venv_python(), Path(tempfile.mkdtemp(prefix="ls-bench-")), port=free_port())
    try:
        ls_started = time.perf_counter() - began
        edge, url, edge_started = start_cloud(HYBRID_CHILD, ls.url)
        try:
            latencies = workload(url, ls.url, args.calls)
            results["hybrid"] = {
                "start": ls_started + edge_started,
                "lat": latencies,
                "mem": group_memory_mb(ls.pid, edge.pid),
                "ls_start": ls_started,
                "ls_mem": group_memory_mb(ls.pid),
            }
        finally:
            stop_cloud(edge)
    finally:
        outcome = ls.stop()

    m, h = results["moto"], results["hybrid"]
    print(f"{'':34}{'moto (default)':>18}{'hybrid (LocalStack 2026.3.0 + edge)':>38}")
    print(f"{'start to first answer':34}{m['start']:>16.2f} s{h['start']:>30.2f} s (LocalStack {h['ls_start']:.2f} s)")
    print(f"{'memory RSS after the calls':34}{m['mem'][0]:>15.0f} MB{h['mem'][0]:>29.0f} MB (LocalStack {h['ls_mem'][0]:.0f} MB)")
    print(f"{'memory PSS after the calls':34}{m['mem'][1]:>15.0f} MB{h['mem'][1]:>29.0f} MB (LocalStack {h['ls_mem'][1]:.0f} MB)")
    for name in m["lat"]:
        a, b = m["lat"][name], h["lat"][name]
        print(
            f"{name + ' median / p95':34}{statistics.median(a):>7.1f} / {_p95(a):>6.1f} ms"
            f"{statistics.median(b):>21.1f} / {_p95(b):>6.1f} ms"
        )
    print(f"(n={args.calls} calls each; LocalStack {outcome} on SIGTERM)")
    return 0


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


if __name__ == "__main__":
    sys.exit(main())
