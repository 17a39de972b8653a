"""Fixtures for the edge-security tests.

``issuer``: one local Clerk stand-in for the session (its JWKS on a loopback port).
``make_edge(**settings)``: a fresh test API behind ``install_security`` on its own uvicorn
server, with its own fake clock; every test gets fresh rate-limit and JWKS-cache state.
``edge``: one with the default test settings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from harness.alexkit.api_server import ApiServer
from harness.auth import LocalIssuer
from harness.hardening import LocalAccessPolicy
from tests.security.edge_support import (
    Edge,
    FakeClock,
    build_app,
    settings_for,
)


@pytest.fixture(scope="session")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalIssuer]:
    with LocalIssuer(tmp_path_factory.mktemp("issuer-state")) as running:
        yield running


@pytest.fixture
def fresh_issuer(tmp_path) -> Iterator[LocalIssuer]:
    """An issuer of its own, for tests that rotate or retire keys."""
    with LocalIssuer(tmp_path / "issuer-state") as running:
        yield running


@pytest.fixture(scope="session")
def _stopping_servers() -> Iterator[list[ApiServer]]:
    """Servers asked to stop after their test; joined once at the end, so no test waits for uvicorn's shutdown."""
    servers: list[ApiServer] = []
    yield servers
    for server in servers:
        server.join()


@pytest.fixture
def make_edge(issuer: LocalIssuer, _stopping_servers: list[ApiServer]) -> Iterator[Callable[..., Edge]]:
    started: list[tuple[ApiServer, httpx.Client]] = []

    def make(*, token_issuer: LocalIssuer | None = None, **overrides: Any) -> Edge:
        settings = settings_for(token_issuer or issuer, **overrides)
        clock = FakeClock()
        app = build_app(settings, clock)
        # The app's own edge is under test here, as it answers on AWS; the local server's origin
        # allow-list in front of it (tests/security/test_local_endpoints.py) would answer first.
        server = ApiServer(app=app, access_policy=LocalAccessPolicy(disabled=True)).start()
        client = httpx.Client(base_url=server.url, timeout=10)
        started.append((server, client))
        return Edge(url=server.url, client=client, clock=clock, settings=settings, app=app)

    yield make
    for server, client in started:
        client.close()
        server.request_stop()
        _stopping_servers.append(server)


@pytest.fixture
def edge(make_edge: Callable[..., Edge]) -> Edge:
    return make_edge()
