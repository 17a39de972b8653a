"""Benchmark the local cloud's state snapshot (``--data-dir``): how long one save and one restore take.

Run: ``python benchmarks/cloud_state.py [--messages 1000] [--rounds 10]``. Provisions Alex's stack
(its queues, secret, cluster record, six functions with their code, mappings, alarms, rule),
sends ``--messages`` messages, then times ``CloudState.save()`` and a restore into fresh backends.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.alexkit.stack.definition import alex_stack
from harness.alexkit.stack.deployment import deploy_alex
from harness.cloud import LocalCloud
from harness.cloud.awslambda.runtime import LambdaRuntime
from harness.cloud.esm.service import EventSourceMappings
from harness.cloud.persistence import CloudState, capture_moto, loads, restore_moto


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-state-"))
    runtime = LambdaRuntime()
    state = CloudState(data_dir, interval=3600)  # saved only when asked, here
    cloud = LocalCloud(components=[state, runtime, EventSourceMappings(runtime)]).start()
    try:
        stack = deploy_alex(alex_stack(), cloud.client)
        mappings = cloud.component(EventSourceMappings)
        for mapping_id in list(mappings.mappings):
            mappings.mappings[mapping_id].enabled = False  # keep the messages on the queue
        mappings.reconcile()
        sqs = cloud.client("sqs")
        for start in range(0, args.messages, 10):
            sqs.send_message_batch(
                QueueUrl=stack.jobs_queue_url,
                Entries=[{"Id": str(i), "MessageBody": f'{{"job_id": "{start + i}"}}'} for i in range(10)],
            )
        saves = []
        for _ in range(args.rounds):
            began = time.perf_counter()
            state.save()
            saves.append(time.perf_counter() - began)
        size = state.path.stat().st_size
        data = state.path.read_bytes()
        restores = []
        for _ in range(args.rounds):
            began = time.perf_counter()
            restore_moto(loads(data)["moto"])
            restores.append(time.perf_counter() - began)
        services = sorted(capture_moto())
    finally:
        cloud.stop()
    print(f"state of Alex's stack + {args.messages} messages: {size / 1024:.0f} KiB ({', '.join(services)})")
    print(
        f"save (capture, pickle, write, rename): median {statistics.median(saves) * 1000:.1f} ms, "
        f"max {max(saves) * 1000:.1f} ms over {args.rounds}"
    )
    print(f"restore (unpickle into fresh backends): median {statistics.median(restores) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
