"""Cold and warm Lambda invoke latency through boto3 against the local cloud (target: warm median < 5 ms).

    python benchmarks/lambda_invoke.py [--mode process|inprocess] [--cold 10] [--warm 300]

Cold: the first invoke of each of ``--cold`` new functions (spawn + import the handler).
Warm: ``--warm`` invokes of one function after a warm-up, each a full boto3 round trip.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.cloud import LocalCloud  # noqa: E402
from harness.cloud.awslambda import LambdaRuntime  # noqa: E402

HANDLER = "def handler(event, context):\n    return {'ok': True}\n"


def zip_handler(source: str = HANDLER, module: str = "handler") -> bytes:
    """A deployment package holding ``<module>.py``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{module}.py", source)
    return buffer.getvalue()


def _timed(call) -> float:  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    call()
    return (time.perf_counter() - began) * 1000


def measure(cloud: LocalCloud, cold_count: int, warm_count: int) -> tuple[list[float], list[float]]:
    """Cold (first invoke of new functions) and warm invoke times in ms, through boto3."""
    role = cloud.client("iam").create_role(RoleName="bench", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam = cloud.client("lambda")
    code = zip_handler()
    names = [f"bench-{i}" for i in range(cold_count + 1)]
    for name in names:
        lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="handler.handler", Code={"ZipFile": code})

    def invoke(name: str) -> None:
        response = lam.invoke(FunctionName=name, Payload=b"{}")
        assert response["StatusCode"] == 200 and "FunctionError" not in response, response
        response["Payload"].read()

    cold = [_timed(lambda n=name: invoke(n)) for name in names[1:]]
    for _ in range(20):
        invoke(names[0])
    warm = [_timed(lambda: invoke(names[0])) for _ in range(warm_count)]
    return cold, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["process", "inprocess"], default="process")
    parser.add_argument("--cold", type=int, default=10)
    parser.add_argument("--warm", type=int, default=300)
    args = parser.parse_args()

    with LocalCloud(components=[LambdaRuntime(mode=args.mode)]) as cloud:
        cold, warm = measure(cloud, args.cold, args.warm)

    print(f"mode: {args.mode}")
    print(
        f"cold invoke: median {statistics.median(cold):.1f} ms over {len(cold)} functions (min {min(cold):.1f}, max {max(cold):.1f})"
    )
    print(
        f"warm invoke: median {statistics.median(warm):.2f} ms over {len(warm)} invokes "
        f"(p90 {statistics.quantiles(warm, n=10)[-1]:.2f}, min {min(warm):.2f})"
    )


if __name__ == "__main__":
    main()
