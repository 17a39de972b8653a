"""Work done in a function's init phase (so once per template), not in its first invocation."""

from __future__ import annotations

import inspect

import pydantic


def test_importing_the_model_module_completes_litellms_response_models() -> None:
    """LiteLLM's response types would otherwise be completed by pydantic inside the first model
    call (seconds in a new environment); importing alex.llm, as every agent's init does, completes them."""
    import alex.llm  # noqa: F401
    from litellm.types import utils

    for name in ("ModelResponse", "Usage", "Message", "Choices"):
        cls = getattr(utils, name)
        assert inspect.isclass(cls) and issubclass(cls, pydantic.BaseModel)
        assert cls.__pydantic_complete__, name


def test_service_models_are_skipped_without_a_region(monkeypatch) -> None:
    """Outside a configured environment (no region) the warm-up creates no client rather than failing."""
    import boto3

    from alex.warmup import load_service_models

    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    made: list[str] = []
    monkeypatch.setattr(boto3, "client", lambda service, *a, **k: made.append(service))
    load_service_models("rds-data")
    assert made == []
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    load_service_models("rds-data", "lambda")
    assert made == ["rds-data", "lambda"]
