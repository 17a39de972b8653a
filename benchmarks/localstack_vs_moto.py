"""LocalStack (host mode, the harness's venv) against the harness's moto cloud, in one run.

Run: ``python benchmarks/localstack_vs_moto.py [--calls 200]``. Each backend runs in a child
process started the same way (spawn -> first answer = start time; RSS of its process group after
the calls = memory), then answers the same boto3 calls: SQS SendMessage, ReceiveMessage and
Secrets Manager GetSecretValue. LocalStack must be installed (``alex-harness localstack start`` once).
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

MOTO_CHILD = """
import sys
from harness.cloud import LocalCloud
cloud = LocalCloud(port=int(sys.argv[1])).start()
sys.stdin.read()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def client(url: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def group_rss_mb(pgid: int) -> float:
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                total += int((stat.parent / "statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    return total / 2**20


def start_moto() -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    began = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", MOTO_CHILD, str(port)], stdin=subprocess.PIPE,
                            start_new_session=True, cwd=Path(__file__).resolve().parents[1])
    sqs = client(url, "sqs")
    while True:
        try:
            sqs.list_queues()
            return proc, url, time.perf_counter() - began
        except (BotoCoreError, ClientError):
            if proc.poll() is not None or time.perf_counter() - began > 60:
                raise SystemExit("the moto cloud did not start") from None
            time.sleep(0.05)


def timed(calls: int, call: Callable[[], Any]) -> list[float]:
    out = []
    for _ in range(calls):
        began = time.perf_counter()
        call()
        out.append((time.perf_counter() - began) * 1000)
    return out


def workload(url: str, calls: int) -> dict[str, list[float]]:
    sqs, sm = client(url, "sqs"), client(url, "secretsmanager")
    queue = sqs.create_queue(QueueName="bench")["QueueUrl"]
    sm.create_secret(Name="bench", SecretString='{"password": "x"}')
    timed(10, lambda: sqs.send_message(QueueUrl=queue, MessageBody="warm"))  # warm both paths first
    sqs.purge_queue(QueueUrl=queue)
    return {
        "SQS SendMessage": timed(calls, lambda: sqs.send_message(QueueUrl=queue, MessageBody="x")),
        "SQS ReceiveMessage": timed(calls, lambda: sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1)),
        "SecretsManager GetSecretValue": timed(calls, lambda: sm.get_secret_value(SecretId="bench")),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    if not is_installed():
        print(f"LocalStack is not installed in {venv_dir()}: run `alex-harness localstack start` once", file=sys.stderr)
        return 1
    results: dict[str, dict[str, Any]] = {}

    moto, url, started = start_moto()
    try:
        results["moto"] = {"start": started, "lat": workload(url, args.calls), "rss": group_rss_mb(moto.pid)}
    finally:
        os.killpg(moto.pid, signal.SIGTERM)
        moto.wait(10)

    began = time.perf_counter()
    ls = LocalStackProcess.start(venv_python(), Path(tempfile.mkdtemp(prefix="ls-bench-")), port=free_port())
    try:
        started = time.perf_counter() - began
        results["localstack"] = {"start": started, "lat": workload(ls.url, args.calls), "rss": ls.rss_bytes() / 2**20}
    finally:
        outcome = ls.stop()

    print(f"{'':32}{'moto (harness)':>22}{'LocalStack 2026.3.0':>24}")
    print(f"{'start to first answer':32}{results['moto']['start']:>20.2f} s{results['localstack']['start']:>22.2f} s")
    print(f"{'memory (RSS after the calls)':32}{results['moto']['rss']:>19.0f} MB{results['localstack']['rss']:>21.0f} MB")
    for name in results["moto"]["lat"]:
        m, ls_ = results["moto"]["lat"][name], results["localstack"]["lat"][name]
        print(f"{name + ' median':32}{statistics.median(m):>19.2f} ms{statistics.median(ls_):>21.2f} ms")
        print(f"{name + ' p95':32}{_p95(m):>19.2f} ms{_p95(ls_):>21.2f} ms")
    print(f"(n={args.calls} calls each; LocalStack {outcome} on SIGTERM)")
    return 0


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


if __name__ == "__main__":
    sys.exit(main())
