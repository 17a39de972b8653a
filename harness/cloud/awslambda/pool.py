"""Warm execution environments per function version: reused while idle, retired when stale or old.

As on Lambda, an invoke takes an idle warm environment if there is one (most recently
used first) and otherwise gets a new one (a cold start); an environment serves one
invocation at a time. A changed configuration or code retires the old environments;
idle ones are reaped after ``idle_timeout`` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from harness.cloud.awslambda.environment import ExecutionEnvironment
from harness.cloud.awslambda.functions import FunctionConfig

PoolKey = tuple[str, str, str, str]


@dataclass
class _Idle:
    env: ExecutionEnvironment
    since: float


@dataclass(frozen=True)
class EnvironmentInfo:
    """What a test or tool may want to know about one environment."""

    id: str
    function_name: str
    version: str
    pid: int | None
    busy: bool
    log_stream: str


class EnvironmentPool:
    """Idle and busy environments, keyed by (account, region, function, version)."""

    def __init__(self, factory: Callable[[FunctionConfig], ExecutionEnvironment], idle_timeout: float) -> None:
        self._factory = factory
        self.idle_timeout = idle_timeout
        self._idle: dict[PoolKey, list[_Idle]] = {}
        self._busy: set[ExecutionEnvironment] = set()
        self._pinned: set[str] = set()  # ids of provisioned environments
        self._lock = threading.Lock()

    def acquire(self, fn: FunctionConfig) -> tuple[ExecutionEnvironment, bool]:
        """A warm idle environment of this exact configuration, or a new one; True when new (cold)."""
        stale: list[ExecutionEnvironment] = []
        chosen: ExecutionEnvironment | None = None
        with self._lock:
            idle = self._idle.get(fn.pool_key, [])
            while idle:
                candidate = idle.pop().env
                if candidate.closed or candidate.fn.fingerprint != fn.fingerprint:
                    stale.append(candidate)
                    continue
                chosen = candidate
                break
            if chosen is not None:
                self._busy.add(chosen)
        for env in stale:
            env.kill()
        if chosen is not None:
            return chosen, False
        env = self._factory(fn)
        with self._lock:
            self._busy.add(env)
        return env, True

    def adopt(self, env: ExecutionEnvironment, idle: bool, pinned: bool = False) -> None:
        """Take an environment opened outside an invocation: idle and warm, or killed.

        A pinned one (provisioned concurrency) is never reaped for idleness until unpinned.
        """
        if not idle or env.closed:
            env.kill()
            return
        with self._lock:
            self._idle.setdefault(env.fn.pool_key, []).append(_Idle(env, time.monotonic()))
            if pinned:
                self._pinned.add(env.id)

    def unpin(self, env_ids: list[str]) -> None:
        """Let these environments be reaped like any other once idle."""
        with self._lock:
            self._pinned.difference_update(env_ids)

    def release(self, env: ExecutionEnvironment, reusable: bool) -> None:
        """Return an environment after an invocation; one that cannot be reused is killed."""
        with self._lock:
            owned = env in self._busy
            self._busy.discard(env)
            keep = owned and reusable and not env.closed
            if keep:
                self._idle.setdefault(env.fn.pool_key, []).append(_Idle(env, time.monotonic()))
        if not keep:
            env.kill()

    def reap(self) -> int:
        """Kill environments idle for longer than ``idle_timeout``; how many were killed."""
        cutoff = time.monotonic() - self.idle_timeout
        expired: list[ExecutionEnvironment] = []
        with self._lock:
            for key, idle in list(self._idle.items()):
                keep = [
                    entry for entry in idle if (entry.since >= cutoff or entry.env.id in self._pinned) and not entry.env.closed
                ]
                expired.extend(entry.env for entry in idle if entry not in keep)
                if keep:
                    self._idle[key] = keep
                else:
                    del self._idle[key]
        for env in expired:
            env.kill()
        return len(expired)

    def kill_all(self) -> None:
        """Kill every environment, idle or busy (busy invocations end as crashed)."""
        with self._lock:
            envs = [entry.env for idle in self._idle.values() for entry in idle] + list(self._busy)
            self._idle.clear()
            self._busy.clear()
            self._pinned.clear()
        for env in envs:
            env.kill()

    def environments(self, function_name: str | None = None) -> list[EnvironmentInfo]:
        """The live environments (of one function, or all)."""
        with self._lock:
            entries = [(entry.env, False) for idle in self._idle.values() for entry in idle]
            entries += [(env, True) for env in self._busy]
        return [
            EnvironmentInfo(env.id, env.fn.name, env.fn.version, getattr(env, "pid", None), busy, env.log_stream)
            for env, busy in entries
            if not env.closed and (function_name is None or env.fn.name == function_name)
        ]
