"""Cold starts with SnapStart-like templates vs full cold starts, side by side in one run.

    python benchmarks/cold_start.py [--envs 4] [--full-envs 2] [--function tagger]

For a trivial handler and an Alex function (``alex.<function>.lambda_handler``, the real
code zip), in each mode:

- new environment: the time to open one more execution environment, the template being
  ready (template mode: fork + restore; full mode: a new interpreter running the init);
- init: the one full init phase (the template's, or the first environment's);
- PSS per additional environment: (total PSS of template + N environments - total with
  one environment) / (N - 1), from /proc/<pid>/smaps_rollup (Linux).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.lambda_invoke import zip_handler  # noqa: E402
from harness.cloud import LocalCloud  # noqa: E402
from harness.cloud.awslambda import LambdaRuntime  # noqa: E402


def pss_kb(pid: int) -> int:
    """Proportional set size of one process: shared pages count split among their sharers."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(runtime: LambdaRuntime, name: str, mode: str, count: int) -> dict[str, float]:
    """Open ``count`` environments of ``name`` in ``mode``; timings (ms) and PSS per extra env (MB)."""
    runtime.cold_starts = mode  # type: ignore[assignment]
    runtime.reset()
    init_ms = 0.0
    if mode == "template":
        began = time.perf_counter()
        assert runtime.prepare(name), f"no template for {name}"
        init_ms = (time.perf_counter() - began) * 1000
    opened: list[float] = []
    totals: list[int] = []
    for index in range(count):
        outcome = runtime.open_environments(name, 1)[0]
        assert outcome.ok, outcome
        if mode == "template":
            opened.append(outcome.restore_ms or 0.0)
        elif index == 0:
            init_ms = outcome.init_ms
        else:
            opened.append(outcome.init_ms)
        pids = [env.pid for env in runtime.environments(name) if env.pid is not None]
        pids += runtime.templates() if mode == "template" else []
        totals.append(sum(pss_kb(pid) for pid in pids))
    per_env_mb = (totals[-1] - totals[0]) / max(1, count - 1) / 1024
    runtime.reset()
    return {"init_ms": init_ms, "new_env_ms": statistics.median(opened) if opened else float("nan"), "pss_mb": per_env_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envs", type=int, default=4, help="environments opened per function in template mode")
    parser.add_argument("--full-envs", type=int, default=2, help="environments opened per function in full mode (slow)")
    parser.add_argument("--function", default="tagger", help="the Alex function (package under agents/alex)")
    args = parser.parse_args()

    from harness.alexkit.stack.package import alex_code_zip

    runtime = LambdaRuntime()
    with LocalCloud(components=[runtime]) as cloud:
        role = cloud.client("iam").create_role(RoleName="bench", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        lam = cloud.client("lambda")
        lam.create_function(
            FunctionName="trivial", Runtime="python3.12", Role=role, Handler="handler.handler", Code={"ZipFile": zip_handler()}
        )
        alex_name = f"alex-{args.function}"
        lam.create_function(
            FunctionName=alex_name,
            Runtime="python3.12",
            Role=role,
            Timeout=60,
            MemorySize=1024,
            Handler=f"alex.{args.function}.lambda_handler.lambda_handler",
            Code={"ZipFile": alex_code_zip()},
        )
        results = {}
        for name in ("trivial", alex_name):
            results[(name, "template")] = measure(runtime, name, "template", max(2, args.envs))
            results[(name, "full")] = measure(runtime, name, "full", max(2, args.full_envs + 1))

    print(f"{'function':<16} {'mode':<9} {'init (once)':>12} {'new env':>12} {'PSS/extra env':>14}")
    for (name, mode), figures in results.items():
        print(
            f"{name:<16} {mode:<9} {figures['init_ms']:>9.1f} ms {figures['new_env_ms']:>9.1f} ms {figures['pss_mb']:>11.1f} MB"
        )
    alex_t, trivial_t = results[(alex_name, "template")], results[("trivial", "template")]
    alex_f = results[(alex_name, "full")]
    print(
        f"new env, {alex_name}: template {alex_t['new_env_ms']:.1f} ms vs full {alex_f['new_env_ms']:.1f} ms "
        f"({alex_f['new_env_ms'] / alex_t['new_env_ms']:.0f}x); vs trivial handler {alex_t['new_env_ms'] / trivial_t['new_env_ms']:.2f}x"
    )
    print(f"PSS per extra env, {alex_name}: template {alex_t['pss_mb']:.1f} MB vs full {alex_f['pss_mb']:.1f} MB")


if __name__ == "__main__":
    main()
