"""One scenario stack for the whole scenario suite (environments stay warm between scenarios)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.cloud import LocalCloud
from harness.alexkit.scenarios.environment import ScenarioStack, scenario_stack


@pytest.fixture(scope="module")
def scenarios_stack(local_cloud: LocalCloud) -> Iterator[ScenarioStack]:
    with scenario_stack(local_cloud) as ss:
        yield ss
    local_cloud.reset()
