"""Benchmark the local cloud: endpoint start, Lambda cold/warm invoke, SQS send-to-handler latency.

Run: ``python benchmarks/local_cloud.py [--invokes 200] [--messages 50]``. All figures come from
one run on this machine, so compare them with each other, not with another machine's.
Targets (issue 2): start < 3 s, warm invoke < 5 ms median, SQS-to-handler < 50 ms median.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

TRIVIAL = "def handler(event, context):\n    return {'ok': True}\n"
CONSUMER = """
import json, os, time
def handler(event, context):
    now = time.time()
    with open(os.environ["WITNESS"], "a") as out:
        for record in event["Records"]:
            out.write(f"{now - json.loads(record['body'])['sent']}\\n")
"""
ROLE_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
)


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("fn.py", source)
    return buffer.getvalue()


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:7.2f} ms  p95 {sorted(values)[int(len(values) * 0.95) - 1] * 1000:7.2f} ms  (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invokes", type=int, default=200)
    parser.add_argument("--colds", type=int, default=5)
    parser.add_argument("--messages", type=int, default=50)
    args = parser.parse_args()

    from harness.cloud import LocalCloud
    from harness.cloud.components import default_components

    began = time.perf_counter()
    cloud = LocalCloud(components=default_components())  # everything `alex-harness up` starts
    cloud.start()
    start_s = time.perf_counter() - began
    try:
        lam, sqs = cloud.client("lambda"), cloud.client("sqs")
        role = cloud.client("iam").create_role(RoleName="bench", AssumeRolePolicyDocument=ROLE_POLICY)["Role"]["Arn"]

        cold: list[float] = []
        for i in range(args.colds):  # a new function each time: every first invoke is a cold start
            lam.create_function(FunctionName=f"cold{i}", Runtime="python3.12", Role=role, Handler="fn.handler", Code={"ZipFile": _zip(TRIVIAL)})
            t = time.perf_counter()
            lam.invoke(FunctionName=f"cold{i}", Payload=b"{}")["Payload"].read()
            cold.append(time.perf_counter() - t)

        warm: list[float] = []
        for _ in range(args.invokes):
            t = time.perf_counter()
            lam.invoke(FunctionName="cold0", Payload=b"{}")["Payload"].read()
            warm.append(time.perf_counter() - t)

        witness = Path(tempfile.mkdtemp()) / "latency.txt"
        witness.touch()
        lam.create_function(
            FunctionName="consumer", Runtime="python3.12", Role=role, Handler="fn.handler", Timeout=5,
            Code={"ZipFile": _zip(CONSUMER)}, Environment={"Variables": {"WITNESS": str(witness)}},
        )
        url = sqs.create_queue(QueueName="bench")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="consumer", BatchSize=1)
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"sent": time.time()}))  # warm the consumer
        deadline = time.monotonic() + 30
        for expected in range(1, args.messages + 2):
            if expected > 1:
                sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"sent": time.time()}))
            while len(witness.read_text().splitlines()) < expected:
                if time.monotonic() > deadline:
                    raise SystemExit("SQS-to-handler benchmark did not finish within 30 s")
                time.sleep(0.002)
        sqs_latency = [float(x) for x in witness.read_text().splitlines()[1:]]
    finally:
        cloud.stop()

    print(f"endpoint start          {start_s * 1000:7.1f} ms   (target < 3000 ms)")
    print(f"cold invoke             {_ms(cold)}   (spawn + import, trivial handler)")
    print(f"warm invoke             {_ms(warm)}   (target median < 5 ms)")
    print(f"SQS send -> handler     {_ms(sqs_latency)}   (target median < 50 ms)")


if __name__ == "__main__":
    main()
