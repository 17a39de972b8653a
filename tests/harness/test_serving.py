"""Every server the harness starts refuses to listen beyond loopback."""

from __future__ import annotations

import pytest

from harness.alexkit.api_server import ApiServer
from harness.auth import LocalIssuer
from harness.cloud import LocalCloud
from harness.alexkit.dashboard.server import DashboardServer
from harness.serving import require_loopback


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1"])
def test_loopback_hosts_are_accepted(host: str) -> None:
    assert require_loopback(host, "x") == host


@pytest.mark.parametrize(
    ("make", "what"),
    [
        (lambda host, tmp: LocalCloud(host=host), "the local cloud"),
        (lambda host, tmp: LocalIssuer(tmp, host=host), "the local issuer"),
        (lambda host, tmp: DashboardServer(None, host=host), "the dashboard"),  # type: ignore[arg-type]
        (lambda host, tmp: ApiServer(host=host, app=object()), "the local API"),
    ],
)
@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com"])
def test_every_server_refuses_a_host_beyond_loopback(make, what: str, host: str, tmp_path) -> None:
    with pytest.raises(ValueError, match=f"{what} serves loopback only, not '{host}'"):
        make(host, tmp_path)
