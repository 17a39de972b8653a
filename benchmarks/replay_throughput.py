"""Analysis throughput with replayed cassettes: jobs per minute completed on the local stack.

N investors with the same portfolio (the ``data_api_resuming`` scenario's, without its fault)
each submit an analysis through the API at once; every model call is replayed from that
scenario's cassettes (record mode none), so no model is called. Prints jobs per minute from the
first submission to the last completion, and the median job time, after one warm-up job that
pays the functions' cold starts.

    python benchmarks/replay_throughput.py [--jobs 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from alex.timestamps import parse_utc

from harness.cassettes.selection import Selection
from harness.alexkit.scenarios.environment import scenario_stack
from harness.alexkit.scenarios.runner import seed, wait_for_jobs
from harness.alexkit.scenarios.spec import load

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "data_api_resuming"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=10)
    args = parser.parse_args(argv)
    scenario = load(ROOT / "scenarios" / f"{SCENARIO}.yaml")
    template = scenario.users[0]
    users = [template.model_copy(update={"id": f"investor_{i:03d}"}) for i in range(args.jobs + 1)]
    scenario = scenario.model_copy(
        update={"users": users, "faults": scenario.faults.model_copy(update={"data_api_resuming_seconds": 0})}
    )
    with scenario_stack() as ss:
        ss.fresh()
        ss.cassettes.select(Selection(str(ROOT / "cassettes" / scenario.cassettes), "none", scenario=SCENARIO))
        seed(ss, scenario)
        submit = lambda user: ss.client(user).post("/api/analyze", json={"seed": 42}).json()["job_id"]  # noqa: E731
        wait_for_jobs(ss.db, [submit(users[0].id)], 180)  # warm-up: cold starts
        began = time.time()
        job_ids = [submit(u.id) for u in users[1:]]
        jobs = wait_for_jobs(ss.db, job_ids, 600)
        elapsed = time.time() - began
        misses = ss.cassettes.misses()
    completed = [j for j in jobs.values() if j.get("status") == "completed"]
    per_job = [parse_utc(j["completed_at"]).timestamp() - parse_utc(j["created_at"]).timestamp() for j in completed]
    print(
        f"{len(completed)}/{args.jobs} analyses completed from cassettes in {elapsed:.1f}s: "
        f"{len(completed) * 60 / elapsed:.1f} jobs/min; median job {statistics.median(per_job):.1f}s "
        f"(planner reserved concurrency 5); cassette misses: {len(misses)}"
    )
    return 0 if len(completed) == args.jobs and not misses else 1


if __name__ == "__main__":
    sys.exit(main())
