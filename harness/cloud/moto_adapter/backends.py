"""moto's backends as a whole: every account's and region's state of a service, captured and put back.

What ``harness.cloud.persistence`` pickles: each backend's attributes (``vars``), service by service.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from harness.cloud.moto_adapter import iam


def each_backend(backends: Any) -> Iterator[tuple[str, str, Any]]:
    """(account, region, backend) of every backend a service's ``BackendDict`` has made, on a snapshot of it."""
    for account_id, regions in list(backends.items()):
        for region, backend in list(regions.items()):
            yield account_id, region, backend


Captured = dict[str, dict[str, dict[str, dict[str, Any]]]]  # service -> account -> region -> backend attributes


def _backend_dicts(services: Iterable[str]) -> dict[str, Any]:
    """The BackendDict of every named service that holds an account's state."""
    from moto.backends import get_backend

    found = {}
    for service in services:
        backends = get_backend(service)  # type: ignore[call-overload]
        if len(backends):
            found[service] = backends
    return found


def capture(services: Iterable[str]) -> Captured:
    """service -> account -> region -> the backend's attributes (what a pickle then holds)."""
    captured: Captured = {}
    for service, backends in _backend_dicts(services).items():
        for account, region, backend in each_backend(backends):
            state = iam.backend_state(backend) if service == "iam" else dict(vars(backend))
            captured.setdefault(service, {}).setdefault(account, {})[region] = state
    return captured


def restore(captured: Captured) -> None:
    """Put saved attributes back into freshly made backends (the fresh ones supply what was not saved)."""
    from moto.backends import get_backend

    for service, accounts in captured.items():
        backends = get_backend(service)  # type: ignore[call-overload]
        for account, regions in accounts.items():
            for region, state in regions.items():
                backend = backends[account][region]
                if service == "iam":
                    iam.restore_backend_state(backend, state)
                else:
                    vars(backend).update(state)
