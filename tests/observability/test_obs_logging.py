"""configure_logging / bind: one scrubbed JSON object per line, with the bound and extra fields."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
import threading
from typing import Any

import pytest

from alex.observability.logging import bind, bound_fields, configure_logging

pytestmark = pytest.mark.usefixtures("restore_logging")

AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIn0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk"


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


@pytest.fixture
def out(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    stream = io.StringIO()
    configure_logging("alex-test", stream=stream)
    return stream


def test_json_line_has_the_fixed_keys(out: io.StringIO) -> None:
    logging.getLogger("alex.demo").info("hello %s", "world")
    [line] = lines(out)
    assert line["message"] == "hello world"
    assert line["level"] == "INFO"
    assert line["logger"] == "alex.demo"
    assert line["service"] == "alex-test"
    assert line["timestamp"].endswith("Z") and "T" in line["timestamp"]
    assert list(line)[:5] == ["timestamp", "level", "logger", "message", "service"]


def test_bound_and_extra_fields(out: io.StringIO) -> None:
    log = logging.getLogger("alex.demo")
    with bind(request_id="req-1", agent="planner", job_id=None):
        with bind(job_id="job-9", agent="tagger") as fields:
            assert fields == {"request_id": "req-1", "agent": "tagger", "job_id": "job-9"}
            log.info("inner", extra={"positions": 12, "ratio": 0.5})
        log.info("outer")
    log.info("outside")
    inner, outer, outside = lines(out)
    assert inner["request_id"] == "req-1" and inner["job_id"] == "job-9" and inner["agent"] == "tagger"
    assert inner["positions"] == 12 and inner["ratio"] == 0.5
    assert outer["agent"] == "planner" and "job_id" not in outer  # restored; None is left out
    assert "request_id" not in outside and bound_fields() == {}


def test_extra_cannot_replace_fixed_keys(out: io.StringIO) -> None:
    logging.getLogger("x").info("m", extra={"level": "fake", "service": "other"})
    [line] = lines(out)
    assert line["level"] == "INFO" and line["service"] == "alex-test"
    assert line["extra_level"] == "fake"


def test_exception_text(out: io.StringIO) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("x").exception("failed")
    [line] = lines(out)
    assert line["level"] == "ERROR"
    assert "ValueError: boom" in line["exception"] and "Traceback" in line["exception"]


def test_non_json_values_are_rendered(out: io.StringIO) -> None:
    class Thing:
        def __repr__(self) -> str:
            return f"Thing(key={AWS_KEY_ID})"

        __str__ = __repr__

    logging.getLogger("x").info("obj", extra={"thing": Thing(), "when": object()})
    [line] = lines(out)
    assert "Thing(" in line["thing"] and AWS_KEY_ID not in out.getvalue()


def test_secrets_never_reach_the_output(out: io.StringIO) -> None:
    log = logging.getLogger("alex.secrets")
    with bind(job_id="j1", api_token="tok-bound-123"):
        log.info("connecting with %s", {"user": "alex", "password": "hunter2-pw"})
        log.info(
            "creds",
            extra={"aws": {"access_key_id": AWS_KEY_ID}, "note": f"key={AWS_KEY_ID}", "authorization": "Bearer bearer-xyz-987"},
        )
        log.info({"event": "dict message", "secret": "dict-msg-secret"})
        log.warning("dsn postgres://alex:pg-pass-555@db:5432/alex")
        try:
            raise PermissionError(f"rejected token {JWT}")
        except PermissionError:
            log.exception("auth failed")
    text = out.getvalue()
    for secret in (
        "hunter2-pw",
        AWS_KEY_ID,
        "bearer-xyz-987",
        "dict-msg-secret",
        "pg-pass-555",
        JWT,
        "tok-bound-123",
        JWT.split(".")[2],
    ):
        assert secret not in text, secret
    records = lines(out)
    assert len(records) == 5
    assert records[0]["message"] == "connecting with {'user': 'alex', 'password': '[REDACTED]'}"
    assert records[1]["aws"] == {"access_key_id": "[REDACTED]"} and records[1]["authorization"] == "[REDACTED]"
    assert records[2]["event"] == "dict message" and records[2]["secret"] == "[REDACTED]"
    assert "[REDACTED]" in records[4]["exception"] and records[4]["job_id"] == "j1"


def test_idempotent(out: io.StringIO) -> None:
    configure_logging("alex-test", stream=out)
    configure_logging("alex-test", stream=out)
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_alex_json", False)]
    assert len(ours) == 1
    logging.getLogger("x").warning("once")
    assert len(lines(out)) == 1


def test_runtime_text_handler_replaced() -> None:
    class LambdaLoggerHandler(logging.Handler):  # the name awslambdaric's root handler has
        def emit(self, record: logging.LogRecord) -> None:
            raise AssertionError("the runtime's text handler should be gone")

    logging.getLogger().addHandler(LambdaLoggerHandler())
    stream = io.StringIO()
    configure_logging("svc", stream=stream)
    logging.getLogger("x").warning("one line")
    assert len(lines(stream)) == 1


def test_default_stream_is_the_current_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    configure_logging("svc")
    swapped = io.StringIO()
    monkeypatch.setattr(sys, "stdout", swapped)  # runtimes swap stdout after start-up
    logging.getLogger("x").warning("to stdout")
    assert lines(swapped)[0]["message"] == "to stdout"


def test_level_from_env_and_noisy_libraries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "warning")
    stream = io.StringIO()
    configure_logging("svc", stream=stream)
    logging.getLogger("x").info("dropped")
    logging.getLogger("x").warning("kept")
    assert [r["message"] for r in lines(stream)] == ["kept"]
    configure_logging("svc", level="DEBUG", stream=stream)
    assert logging.getLogger().level == logging.DEBUG
    for name in ("botocore", "urllib3", "httpx", "LiteLLM"):
        assert logging.getLogger(name).level == logging.WARNING
    monkeypatch.setenv("LOG_LEVEL", "nonsense")
    configure_logging("svc", stream=stream)
    assert logging.getLogger().level == logging.INFO


def test_bind_is_per_thread(out: io.StringIO) -> None:
    barrier = threading.Barrier(2)

    def work(n: int) -> None:
        with bind(request_id=f"req-{n}"):
            barrier.wait(timeout=5)
            logging.getLogger("t").info("thread", extra={"n": n})
            barrier.wait(timeout=5)

    threads = [threading.Thread(target=work, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {(r["n"], r["request_id"]) for r in lines(out)} == {(1, "req-1"), (2, "req-2")}


def test_bind_is_per_task(out: io.StringIO) -> None:
    async def job(n: int) -> None:
        with bind(job_id=f"job-{n}"):
            await asyncio.sleep(0.01 * (3 - n))
            logging.getLogger("a").info("task", extra={"n": n})
            await asyncio.to_thread(logging.getLogger("a").info, "in thread", extra={"n": n})

    async def main() -> None:
        with bind(request_id="r"):
            await asyncio.gather(job(1), job(2))

    asyncio.run(main())
    records = lines(out)
    assert len(records) == 4
    assert all(r["job_id"] == f"job-{r['n']}" and r["request_id"] == "r" for r in records)


def test_lambda_entry_binds_request_and_job(capsys: pytest.CaptureFixture[str], restore_tracing: None) -> None:
    from types import SimpleNamespace

    from alex.lambda_support import lambda_entry

    @lambda_entry("alex-tagger")
    def handler(event: dict[str, Any], context: Any) -> str:
        logging.getLogger("alex.tagger").info("tagging", extra={"instruments": 2})
        return "ok"

    capsys.readouterr()
    assert handler({"job_id": "job-1"}, SimpleNamespace(aws_request_id="req-42")) == "ok"
    [line] = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    assert line["service"] == "alex-tagger" and line["request_id"] == "req-42"
    assert line["job_id"] == "job-1" and line["agent"] == "alex-tagger" and line["instruments"] == 2
