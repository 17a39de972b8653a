"""The load tooling's logic, without Locust or a stack: shapes, the CSV report, the journal,
the job accounting rules, the throttling verdict and the Locust command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.alexkit.load.accounting import QUEUE_REFUSED, account
from harness.alexkit.load.cli import LocustRun, locust_command, throttle_verdict, worker_command
from harness.alexkit.load.journal import Journal, JournalSummary, summarise
from harness.alexkit.load.report import Thresholds, check_thresholds, headline, read_stats
from harness.alexkit.load.shapes import parse_duration, shape_tick

pytestmark = pytest.mark.load


# -- shapes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90.0), ("30s", 30.0), ("2m", 120.0), ("1h30m", 5400.0), (45, 45.0), (None, None), ("", None)]
)
def test_durations_read_like_locusts_run_time(text, seconds) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["ten", "5x", "3m2"])
def test_a_malformed_duration_is_refused(text) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_ramp_climbs_in_four_steps_then_holds_and_ends() -> None:
    users = [shape_tick("ramp", t, peak=20, duration=100)[0] for t in (0, 19, 20, 40, 60, 80, 99)]
    assert users == [5, 5, 10, 15, 20, 20, 20]
    assert shape_tick("ramp", 100, peak=20, duration=100) is None


def test_spike_jumps_to_the_peak_in_the_middle_and_falls_back() -> None:
    before, during, after = (shape_tick("spike", t, peak=50, duration=60) for t in (10, 25, 40))
    assert before is not None and during is not None and after is not None
    assert before[0] == after[0] == 10 and during == (50, 50.0)  # everyone within a second
    assert shape_tick("spike", 60, peak=50, duration=60) is None


def test_soak_ramps_quickly_then_holds_the_peak() -> None:
    assert shape_tick("soak", 0, peak=30, duration=600)[0] < 30
    assert all(shape_tick("soak", t, peak=30, duration=600)[0] == 30 for t in (60, 300, 599))
    assert shape_tick("soak", 600, peak=30, duration=600) is None
    assert shape_tick("soak", 1000, peak=30) is not None  # 30 minutes without -t


def test_constant_keeps_the_users_and_spawn_rate_given() -> None:
    assert shape_tick("constant", 5, peak=7, spawn_rate=2, duration=10) == (7, 2.0)


def test_an_unknown_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown shape"):
        shape_tick("sawtooth", 0, peak=1)


# -- the CSV report ------------------------------------------------------------------------------

HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,"
    "Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,"
    "99.99%,100%"
)


def _stats_csv(tmp_path: Path, *rows: str) -> Path:
    prefix = tmp_path / "locust"
    Path(f"{prefix}_stats.csv").write_text("\n".join((HEADER,) + rows) + "\n")
    return prefix


def test_the_report_reads_rows_and_the_aggregate_from_locusts_csv(tmp_path) -> None:
    prefix = _stats_csv(
        tmp_path,
        "GET,/api/user,200,0,12,14.5,3,90,300,20.1,0.0,12,13,14,15,20,31,40,55,80,90,90",
        "POST,/api/analyze,10,1,110,120,80,400,100,1.0,0.1,110,120,130,140,150,390,400,400,400,400,400",
        ",Aggregated,210,1,13,20.0,3,400,290,21.1,0.1,13,14,15,16,22,40,120,300,400,400,400",
    )
    stats = read_stats(prefix)
    assert [r.name for r in stats.rows] == ["/api/user", "/api/analyze"]
    user = stats.row("/api/user", "GET")
    assert user is not None and (user.median_ms, user.p95_ms, user.p99_ms, user.rps) == (12, 31, 55, 20.1)
    assert stats.total is not None and stats.total.failure_ratio == pytest.approx(1 / 210)
    assert headline(stats).startswith("p50 13 ms, p95 40 ms, p99 300 ms, 21.1 req/s")
    assert check_thresholds(stats, Thresholds(max_failure_ratio=0.01, max_p95_ms=100)) == []
    breaches = check_thresholds(stats, Thresholds(max_failure_ratio=0.001, max_p95_ms=30))
    assert len(breaches) == 2 and "failure ratio" in breaches[0] and "p95 40 ms > 30 ms" in breaches[1]


def test_a_run_without_requests_breaches_the_thresholds(tmp_path) -> None:
    prefix = _stats_csv(tmp_path, ",Aggregated,0,0,0,0,0,0,0,0,0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A")
    assert check_thresholds(read_stats(prefix), Thresholds()) == ["too few requests: 0 (at least 1)"]


# -- the journal ------------------------------------------------------------------------------------


def test_the_journal_gathers_every_processs_lines(tmp_path) -> None:
    first, second = Journal(tmp_path), Journal(tmp_path)
    first.write("submitted", job_id="a", user="u1", status=202)
    first.close()
    second._handle = open(tmp_path / "journal-other-2.jsonl", "a", buffering=1)  # another worker's file
    second.write("submitted", job_id="b", user="u2", status=503)
    second.write("job_end", job_id="a", status="completed", seconds=3.2)
    second.write("burst", requests=400, ok=250, throttled=150, other=0, seconds=2.0)
    second.write("polite", requests=1, throttled=0)
    second.close()
    (tmp_path / "journal-cut-3.jsonl").write_text('{"kind": "submitted", "job_id"')  # a killed process's last line
    summary = summarise(tmp_path)
    assert set(summary.submitted) == {"a"} and set(summary.refused) == {"b"} and set(summary.ends_seen) == {"a"}
    assert (summary.hammer_requests, summary.hammer_throttled, summary.hammer_rate) == (400, 150, 200.0)
    assert (summary.polite_requests, summary.polite_throttled) == (1, 0)


def test_without_a_journal_directory_nothing_is_written(tmp_path) -> None:
    Journal(None).write("submitted", job_id="x")
    assert list(tmp_path.iterdir()) == []


# -- the accounting rules ------------------------------------------------------------------------------


def _job(
    job_id: str,
    status: str,
    reason: str | None = None,
    created: str = "2026-01-01 10:00:00",
    completed: str | None = "2026-01-01 10:00:30",
) -> dict:
    return {
        "id": job_id,
        "status": status,
        "error_message": reason,
        "created_at": created,
        "completed_at": completed if status in ("completed", "failed") else None,
    }


def _journal(*submitted: str, refused: tuple[str, ...] = ()) -> JournalSummary:
    return JournalSummary(submitted={j: {"job_id": j} for j in submitted}, refused={j: {"job_id": j} for j in refused})


def test_a_clean_run_is_accounted_for_with_its_throughput_and_latency() -> None:
    rows = [
        _job("a", "completed", completed="2026-01-01 10:00:20"),
        _job("b", "completed", created="2026-01-01 10:00:10", completed="2026-01-01 10:01:00"),
        _job("c", "failed", "planner: after 3 attempts: ServiceUnavailable"),
    ]
    result = account(rows, _journal("a", "b", "c"), ["c"])
    assert result.ok, result.problems()
    assert (result.completed, result.failed, result.dlq_messages) == (2, 1, 1)
    assert result.jobs_per_minute == pytest.approx(2.0)  # 2 completed between 10:00:00 and 10:01:00
    assert result.latency_p50 == pytest.approx(35.0)
    assert "accounting: OK" in result.summary_lines()


def test_lost_stuck_unexplained_and_misfiled_jobs_are_each_reported() -> None:
    rows = [
        _job("pending1", "pending"),
        _job("running1", "running"),
        _job("silent", "failed", ""),
        _job("done", "completed"),
        _job("undead", "failed", "tagger: timeout"),
    ]
    result = account(
        rows, _journal("pending1", "running1", "silent", "done", "undead", "vanished"), ["silent", "done", "other-run"]
    )
    assert not result.ok
    assert result.lost == ["vanished"]
    assert sorted(result.stuck) == [("pending1", "pending"), ("running1", "running")]
    assert result.failed_without_reason == ["silent"]
    assert result.missing_from_dlq == ["undead"]
    assert result.unexpected_in_dlq == ["done"]
    assert result.foreign_in_dlq == 1  # another run's message: noted, not judged
    assert len(result.problems()) == 5


def test_a_job_the_queue_refused_is_failed_by_the_api_and_never_expected_in_the_dlq() -> None:
    rows = [_job("r", "failed", f"{QUEUE_REFUSED}: EndpointConnectionError: ...")]
    result = account(rows, _journal(refused=("r",)), [])
    assert result.ok and result.refused == 1


def test_a_job_no_client_read_the_answer_of_still_counts() -> None:
    result = account([_job("a", "completed"), _job("late", "pending")], _journal("a"), [])
    assert result.unacknowledged == ["late"] and result.stuck == [("late", "pending")] and not result.ok


# -- the throttling verdict and the command line ----------------------------------------------------------


def _run_with(summary: JournalSummary) -> LocustRun:
    return LocustRun(0, Path("x"), Path("x.html"), Path("j"), 1.0, journal_summary=summary)


def test_the_throttling_proof_needs_a_fast_hammer_its_429s_and_untouched_polite_users() -> None:
    good = JournalSummary(
        bursts=[{"requests": 600, "ok": 400, "throttled": 200, "seconds": 3.0}], polite=[{"requests": 1, "throttled": 0}] * 20
    )
    assert throttle_verdict(_run_with(good)) == []
    slow = JournalSummary(
        bursts=[{"requests": 150, "ok": 150, "throttled": 0, "seconds": 3.0}], polite=[{"requests": 1, "throttled": 1}]
    )
    problems = throttle_verdict(_run_with(slow))
    assert any("only 50 req/s" in p and "more than 167 req/s" in p and "proves nothing" in p for p in problems)
    assert any("polite users got 1 429" in p for p in problems)
    # 108 req/s for 11 s never empties 200 tokens refilled at 100/s (what a busy machine manages):
    # no verdict on the throttle, but against a 20/s plan with 40 tokens the same hammer must be refused
    busy = JournalSummary(
        bursts=[{"requests": 1188, "ok": 1188, "throttled": 0, "seconds": 11.0}], polite=[{"requests": 1, "throttled": 0}]
    )
    assert "proves nothing" in throttle_verdict(_run_with(busy))[0]
    assert throttle_verdict(_run_with(busy), rate_limit=20, burst_limit=40) == ["the hammering user was never answered 429"]
    assert throttle_verdict(_run_with(JournalSummary()))[0].startswith("the throttling scenario made no burst")


def test_the_locust_command_is_headless_bounded_and_distributed_on_loopback() -> None:
    command = locust_command(
        Path("locustfiles/api.py"),
        host="http://127.0.0.1:9",
        users=5,
        spawn_rate=2,
        run_time="20s",
        csv_prefix=Path("o/locust"),
        html=Path("o/r.html"),
        shape="spike",
        tags=["read", "write"],
        master_port=5557,
        expect_workers=2,
    )
    text = " ".join(command)
    for part in (
        "-m locust -f locustfiles/api.py --headless --host http://127.0.0.1:9",
        "-u 5 -r 2 -t 20s",
        "--csv o/locust",
        "--html o/r.html",
        "--shape spike",
        "--tags read write",
        "--master --master-bind-host 127.0.0.1 --master-bind-port 5557 --expect-workers 2",
    ):
        assert part in text
    worker = " ".join(worker_command(Path("locustfiles/api.py"), 5557))
    assert "--worker --master-host 127.0.0.1 --master-port 5557" in worker


def test_alex_harness_load_refuses_an_unbounded_or_empty_run(capsys) -> None:
    from harness.alexkit.cli import main

    assert main(["load", "--run-time", "0"]) == 2
    assert "--run-time must be a positive duration" in capsys.readouterr().err
    assert main(["load", "--users", "0"]) == 2


def test_the_load_package_never_imports_locust() -> None:
    """Locust patches the standard library with gevent on import: the stack's process (and pytest's)
    must stay unpatched, so harness.alexkit.load only starts Locust processes and reads their files."""
    import subprocess
    import sys

    code = (
        "import sys, harness.alexkit.load.cli, harness.alexkit.load.accounting, harness.alexkit.load.report, harness.alexkit.load.stack; "
        "print(sorted(m for m in ('locust', 'gevent') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"


def test_summary_json_shape_is_serialisable() -> None:
    result = account([_job("a", "completed")], _journal("a"), [])
    assert json.loads(json.dumps(result.to_json(), default=str))["ok"] is True
