"""Lambda's control plane as moto holds it: a function version's configuration, read in process."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class MotoFunction:
    """One version of a function as moto's Lambda backend holds it (what an invoke needs of it)."""

    version: str
    handler: str
    runtime: str | None
    package_type: str
    timeout: float
    memory_size: int
    environment: dict[str, str]
    code_bytes: bytes
    code_digest: str  # "" when moto kept none
    reserved_concurrency: int | None
    max_retry_attempts: int | None  # of the function's event invoke config, if it has one
    tags: dict[str, str] = field(default_factory=dict)


def function(account_id: str, region: str, name: str, qualifier: str | None = None) -> MotoFunction | None:
    """The version ``qualifier`` (a version or alias; None for ``$LATEST``) of function ``name``, or None."""
    from moto.awslambda.models import lambda_backends
    from moto.core.exceptions import JsonRESTError

    backend = lambda_backends[account_id][region]
    try:
        fn = backend.get_function(name, qualifier)
    except (JsonRESTError, KeyError, ValueError):
        return None
    if fn is None:
        return None
    return MotoFunction(
        version=str(fn.version),
        handler=str(fn.handler),
        runtime=fn.run_time,
        package_type=str(getattr(fn, "package_type", "Zip")),
        timeout=float(fn.timeout),
        memory_size=int(fn.memory_size),
        environment={str(k): str(v) for k, v in (fn.environment_vars or {}).items()},
        code_bytes=getattr(fn, "code_bytes", b"") or b"",
        code_digest=str(getattr(fn, "code_digest", "") or ""),
        reserved_concurrency=None if fn.reserved_concurrency is None else int(fn.reserved_concurrency),
        max_retry_attempts=_max_retry_attempts(fn),
        tags={str(k): str(v) for k, v in (getattr(fn, "tags", None) or {}).items()},
    )


def reserved_concurrencies(account_id: str, region: str) -> dict[str, int]:
    """Each function of the account in ``region`` that reserves concurrency, and how much."""
    from moto.awslambda.models import lambda_backends

    return {
        str(fn.function_name): int(fn.reserved_concurrency)
        for fn in lambda_backends[account_id][region].list_functions()
        if fn.reserved_concurrency is not None
    }


def _max_retry_attempts(fn: Any) -> int | None:
    """MaximumRetryAttempts of the function's event invoke config (PutFunctionEventInvokeConfig), if any."""
    configs = getattr(fn, "event_invoke_config", None) or []
    if not configs:
        return None
    value = configs[-1].config.get("MaximumRetryAttempts")
    return None if value is None else int(value)


# Runtimes AWS no longer lets a function be created or updated with ("Runtime deprecation
# policy" in the Lambda developer guide); their names stay in the API's enum.
BLOCKED_RUNTIMES = {"python2.7": "python3.13", "python3.6": "python3.13", "python3.7": "python3.13", "python3.8": "python3.13"}


def check_runtime(runtime: str | None) -> None:
    """CreateFunction/UpdateFunctionConfiguration's check of ``Runtime``: a name outside the API's enum
    is a ValidationException, a blocked deprecated one an InvalidParameterValueException."""
    from botocore.session import get_session
    from moto.awslambda.exceptions import (
        InvalidParameterValueException,
        ValidationException,
    )

    if runtime is None:
        return
    allowed = get_session().get_service_model("lambda").shape_for("Runtime").enum
    if runtime not in allowed:
        raise ValidationException(runtime, "runtime", f"Member must satisfy enum value set: [{', '.join(allowed)}]")
    if runtime in BLOCKED_RUNTIMES:
        raise InvalidParameterValueException(
            f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda "
            f"functions. We recommend you use the new runtime ({BLOCKED_RUNTIMES[runtime]}) while creating or "
            "updating functions."
        )


def patch_refuse_unknown_runtimes() -> None:
    """moto accepts any Runtime string; AWS refuses unknown and blocked deprecated ones."""
    from moto.awslambda.models import LambdaBackend, LambdaFunction

    create, update = LambdaBackend.create_function, LambdaFunction.update_configuration

    def create_function(self: Any, spec: dict[str, Any]) -> Any:
        check_runtime(spec.get("Runtime"))
        return create(self, spec)

    def update_configuration(self: Any, config_updates: dict[str, Any]) -> Any:
        check_runtime(config_updates.get("Runtime"))
        return update(self, config_updates)

    LambdaBackend.create_function = create_function  # type: ignore[method-assign]
    LambdaFunction.update_configuration = update_configuration  # type: ignore[method-assign]
