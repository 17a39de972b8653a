"""Three of Alex's scenarios replayed on the hybrid (LocalStack's SQS, redrive and Secrets Manager; the
harness's Lambda, event source mapping, Data API and scripted model), checked as on moto: the happy
path, a Bedrock outage that dead-letters the job (and fires the DLQ alarm), and a duplicate delivery."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.alexkit.cli import main
from harness.alexkit.scenarios.environment import ScenarioStack, scenario_stack
from harness.alexkit.scenarios.report import format_table
from harness.alexkit.scenarios.runner import run_scenario
from harness.alexkit.scenarios.spec import load
from tests.localstack.support import free_port

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ("happy_path", "bedrock_outage_dlq", "duplicate_delivery")


@pytest.fixture(scope="module")
def hybrid_stack(localstack) -> Iterator[ScenarioStack]:
    """The hybrid scenario stack with every function's init run before the first scenario's clock
    starts (as tests/alex does): five cold inits inside happy_path's 120 s outlasted it under load."""
    with scenario_stack(localstack_url=localstack.url) as ss:
        for arn in ss.stack.function_arns.values():
            ss.runtime.prepare(arn)
        yield ss


@pytest.mark.localstack
@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_replays_on_the_hybrid(hybrid_stack, localstack, name: str) -> None:
    assert hybrid_stack.stack.jobs_queue_url.startswith(localstack.url)
    assert ":000000000000:" in hybrid_stack.stack.secret_arn
    result = run_scenario(hybrid_stack, load(ROOT / "scenarios" / f"{name}.yaml"), ROOT / "cassettes", "none")
    assert result.passed, format_table([result])


def test_replay_on_the_hybrid_without_a_localstack_says_how_to_start_one(capsys, tmp_path):
    """`alex-harness replay --backend hybrid` with nothing at the URL: exit 1 before starting anything."""
    url = f"http://127.0.0.1:{free_port()}"
    assert (
        main(
            [
                "replay",
                "--backend",
                "hybrid",
                "--localstack-url",
                url,
                "--output",
                str(tmp_path),
                "--scenarios-dir",
                str(ROOT / "scenarios"),
                "happy_path",
            ]
        )
        == 1
    )
    assert "alex-harness localstack start" in capsys.readouterr().err
