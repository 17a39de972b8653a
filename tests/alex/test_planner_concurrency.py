"""The planner's agent calls when the model asks for several at once (the Agents SDK runs the
function tools of one answer concurrently): each runs on its own thread, and a repeated call
of an agent whose invocation is in flight waits for it instead of invoking its Lambda again."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from typing import Any

from alex.planner.agent import Orchestrator
from alex.planner.jobs_queue import agent_pool


class _Jobs:
    def get_any(self, job_id: str) -> dict[str, Any]:
        return {"id": job_id}  # no payload stored yet


class _Db:
    jobs = _Jobs()


class _BarrierInvoker:
    """Each invoke waits until three are running at once (a pool of two threads would break the barrier)."""

    def __init__(self) -> None:
        self.barrier = threading.Barrier(3, timeout=10)
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()

    def invoke(self, agent: str, payload: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.calls[agent] += 1
        self.barrier.wait()
        return {"agent": agent}


def test_three_agents_run_at_once_and_a_repeated_call_invokes_once() -> None:
    """Three agents of one answer run on three threads at once; the repeated reporter call shares the first one."""
    invoker = _BarrierInvoker()
    pool = agent_pool()
    orchestrator = Orchestrator(_Db(), "job-1", invoker, pool)  # type: ignore[arg-type]

    async def answer() -> list[str]:
        calls = ("reporter", "charter", "reporter", "retirement")  # one answer, reporter asked twice
        return list(await asyncio.gather(*(orchestrator.call_agent(a) for a in calls)))

    try:
        texts = asyncio.run(answer())
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    assert invoker.calls == {"reporter": 1, "charter": 1, "retirement": 1}
    assert texts[0] == texts[2] == "ok: the reporter agent stored its result"
    assert sorted(orchestrator.results) == ["charter", "reporter", "retirement"]
