"""Benchmark the local cloud: endpoint start, Lambda cold/warm invoke, SQS send-to-handler latency.

Run: ``python benchmarks/local_cloud.py [--cold 5] [--warm 200] [--messages 50]``. All figures come
from one run on this machine, so compare them with each other, not with another machine's.
Targets (issue 2): start < 3 s, warm invoke < 5 ms median, SQS-to-handler < 50 ms median.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.lambda_invoke import measure as measure_invokes, zip_handler  # noqa: E402
from harness.cloud import LocalCloud  # noqa: E402
from harness.cloud.components import default_components  # noqa: E402

CONSUMER = """
import json, os, time
def handler(event, context):
    now = time.time()
    with open(os.environ["WITNESS"], "a") as out:
        for record in event["Records"]:
            out.write(f"{now - json.loads(record['body'])['sent']}\\n")
"""


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values):7.2f} ms  max {max(values):7.2f} ms  (n={len(values)})"


def sqs_to_handler_seconds(cloud: LocalCloud, messages: int) -> list[float]:
    """Send messages one at a time; each handler records how long after SendMessage it ran."""
    lam, sqs = cloud.client("lambda"), cloud.client("sqs")
    role = cloud.client("iam").get_role(RoleName="bench")["Role"]["Arn"]
    witness = Path(tempfile.mkdtemp()) / "latency.txt"
    witness.touch()
    lam.create_function(
        FunctionName="consumer",
        Runtime="python3.12",
        Role=role,
        Handler="fn.handler",
        Timeout=5,
        Code={"ZipFile": zip_handler(CONSUMER, module="fn")},
        Environment={"Variables": {"WITNESS": str(witness)}},
    )
    url = sqs.create_queue(QueueName="bench")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="consumer", BatchSize=1)
    deadline = time.monotonic() + 60
    for expected in range(1, messages + 2):  # the first message warms the consumer and is not counted
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"sent": time.time()}))
        while len(witness.read_text().splitlines()) < expected:
            if time.monotonic() > deadline:
                raise SystemExit("SQS-to-handler benchmark did not finish within 60 s")
            time.sleep(0.002)
    return [float(x) * 1000 for x in witness.read_text().splitlines()[1:]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", type=int, default=5)
    parser.add_argument("--warm", type=int, default=200)
    parser.add_argument("--messages", type=int, default=50)
    args = parser.parse_args()

    began = time.perf_counter()
    cloud = LocalCloud(components=default_components())  # everything `alex-harness up` starts
    cloud.start()
    start_ms = (time.perf_counter() - began) * 1000
    try:
        cold, warm = measure_invokes(cloud, args.cold, args.warm)
        sqs_latency = sqs_to_handler_seconds(cloud, args.messages)
    finally:
        cloud.stop()

    print(f"endpoint start          {start_ms:7.1f} ms   (target < 3000 ms)")
    print(f"cold invoke             {_ms(cold)}   (spawn + import, trivial handler)")
    print(f"warm invoke             {_ms(warm)}   (target median < 5 ms)")
    print(f"SQS send -> handler     {_ms(sqs_latency)}   (target median < 50 ms)")


if __name__ == "__main__":
    main()
