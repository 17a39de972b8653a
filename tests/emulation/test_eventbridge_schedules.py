"""EventBridge rules and Scheduler schedules invoke their Lambda targets, driven by a test clock.

moto stores schedules and never fires them; AWS fires a ``rate(...)`` rule once per period,
a ``cron(...)`` rule at the matching UTC minutes, and a Scheduler ``at(...)`` schedule once.
The session cloud runs schedules on a test clock: ``POST /_harness/clock/advance`` moves it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.cloud.events.expressions import InvalidExpression, parse
from tests.lambda_code import create_function

pytestmark = [pytest.mark.emulation]

WITNESS = """
import json, os
def handler(event, context):
    with open(os.environ["WITNESS"], "a") as out:
        out.write(json.dumps(event) + "\\n")
"""


def _events(path: Path, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= count:
            return [json.loads(line) for line in lines]
        time.sleep(0.05)
    return [json.loads(line) for line in (path.read_text().splitlines() if path.exists() else [])]


def _advance(cloud: Any, seconds: float) -> dict[str, Any]:
    response = httpx.post(f"{cloud.url}/_harness/clock/advance", json={"seconds": seconds})
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.fixture
def witness_function(cloud: Any, lambda_role: str, tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "events.jsonl"
    arn = create_function(
        cloud.client("lambda"), lambda_role, "scheduled", WITNESS, Environment={"Variables": {"WITNESS": str(path)}}
    )["FunctionArn"]
    return arn, path


def test_rate_rule_fires_its_lambda_target_once_per_period(cloud: Any, witness_function: tuple[str, Path]) -> None:
    """A rule with rate(1 minute) invokes its Lambda target every minute with the Scheduled Event
    document (source aws.events, detail-type "Scheduled Event", the rule's ARN in resources)."""
    arn, path = witness_function
    events = cloud.client("events")
    rule_arn = events.put_rule(Name="every-minute", ScheduleExpression="rate(1 minute)")["RuleArn"]
    events.put_targets(Rule="every-minute", Targets=[{"Id": "1", "Arn": arn}])
    _advance(cloud, 30)  # the rule is first seen here: the first firing is a period later
    assert _events(path, 1, timeout=0.5) == []
    fired = _advance(cloud, 3 * 60)["fired"]
    assert len(fired) == 3
    got = _events(path, 3)
    assert len(got) == 3
    assert {e["detail-type"] for e in got} == {"Scheduled Event"}
    assert got[0]["source"] == "aws.events" and got[0]["resources"] == [rule_arn] and got[0]["detail"] == {}


def test_cron_rule_fires_at_matching_minutes_with_its_input(cloud: Any, witness_function: tuple[str, Path]) -> None:
    """cron(0/15 * * * ? *) fires at minutes 0, 15, 30 and 45 (UTC); a target's Input replaces the event."""
    arn, path = witness_function
    events = cloud.client("events")
    events.put_rule(Name="quarterly", ScheduleExpression="cron(0/15 * * * ? *)")
    events.put_targets(Rule="quarterly", Targets=[{"Id": "1", "Arn": arn, "Input": '{"job": "sweep"}'}])
    _advance(cloud, 1)
    fired = _advance(cloud, 60 * 60)["fired"]
    assert len(fired) == 4
    assert {f["scheduled_for"][14:16] for f in fired} == {"00", "15", "30", "45"}
    assert _events(path, 4) == [{"job": "sweep"}] * 4


def test_disabled_rule_does_not_fire(cloud: Any, witness_function: tuple[str, Path]) -> None:
    """A DISABLED rule keeps its schedule but invokes nothing."""
    arn, _path = witness_function
    events = cloud.client("events")
    events.put_rule(Name="off", ScheduleExpression="rate(1 minute)", State="DISABLED")
    events.put_targets(Rule="off", Targets=[{"Id": "1", "Arn": arn}])
    _advance(cloud, 1)
    assert _advance(cloud, 5 * 60)["fired"] == []


def test_scheduler_at_schedule_fires_once_with_its_input(
    cloud: Any, witness_function: tuple[str, Path], lambda_role: str
) -> None:
    """An EventBridge Scheduler one-time schedule at(...) invokes its target once, with the target's Input."""
    arn, path = witness_function
    now = _advance(cloud, 0)["now"]
    at = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.mktime(time.strptime(now[:19], "%Y-%m-%dT%H:%M:%S")) + 120))
    cloud.client("scheduler").create_schedule(
        Name="once",
        ScheduleExpression=f"at({at})",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": arn, "RoleArn": lambda_role, "Input": '{"once": true}'},
    )
    _advance(cloud, 1)
    assert len(_advance(cloud, 10 * 60)["fired"]) == 1
    assert _advance(cloud, 10 * 60)["fired"] == []
    assert _events(path, 1) == [{"once": True}]


def test_the_wall_clock_cannot_be_advanced() -> None:
    """Only a test clock moves on request; ``up`` without --test-clocks refuses (409 at the endpoint)."""
    from harness.cloud.events.clock import Clock

    with pytest.raises(RuntimeError, match="test clock"):
        Clock().advance(60)


@pytest.mark.parametrize(
    "expression",
    [
        "rate(0 minutes)",
        "rate(1 minutes)",
        "rate(5 minute)",
        "cron(* * * * *)",
        "cron(0 12 * * MON *)",
        "cron(0 12 ? * ? *)",
        "every minute",
        "cron(0 12 ? * 8 *)",
    ],
)
def test_invalid_schedule_expressions_are_refused(expression: str) -> None:
    """EventBridge refuses malformed expressions: rate needs a positive value with the right unit
    form, cron six fields with exactly one '?' day field and day-of-week 1-7."""
    with pytest.raises(InvalidExpression):
        parse(expression)
