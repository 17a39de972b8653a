"""A function's configuration, read in-process from moto's Lambda control plane.

moto stays the owner of functions (CreateFunction, UpdateFunctionConfiguration,
PutFunctionConcurrency, ...); the data plane reads what it needs at invoke time, so a
changed configuration or code is picked up by the next invoke, as on AWS.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from harness.cloud.awslambda import errors
from harness.cloud.moto_adapter import awslambda as moto_lambda

_FULL_ARN = re.compile(r"^arn:[^:]+:lambda:(?P<region>[^:]+):(?P<account>\d{12}):function:(?P<rest>.+)$")
_PARTIAL_ARN = re.compile(r"^(?P<account>\d{12}):function:(?P<rest>.+)$")


@dataclass(frozen=True)
class FunctionConfig:
    """What an execution environment needs to run one version of a function."""

    account_id: str
    region: str
    name: str
    arn: str
    version: str
    invoked_arn: str
    handler: str
    runtime: str
    timeout: float
    memory_size: int
    environment: dict[str, str]
    code_sha256: str
    reserved_concurrency: int | None
    max_retry_attempts: int | None
    code_bytes: bytes = field(repr=False, compare=False)
    tags: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def pool_key(self) -> tuple[str, str, str, str]:
        """Environments are shared per function version, as Lambda scales each version separately."""
        return (self.account_id, self.region, self.name, self.version)

    @property
    def fingerprint(self) -> str:
        """Changes whenever code or configuration changes: warm environments of an old one are retired."""
        material = [
            self.handler,
            self.runtime,
            self.timeout,
            self.memory_size,
            sorted(self.environment.items()),
            self.code_sha256,
        ]
        return hashlib.sha256(json.dumps(material).encode()).hexdigest()

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.name}"


def split_name(name_or_arn: str, account_id: str, region: str) -> tuple[str, str | None, str, str]:
    """(name, qualifier in the name, account, region) from a name, ``name:qualifier``, or a full/partial ARN."""
    match = _FULL_ARN.match(name_or_arn)
    if match:
        account_id, region, rest = match["account"], match["region"], match["rest"]
    else:
        match = _PARTIAL_ARN.match(name_or_arn)
        rest = name_or_arn
        if match:
            account_id, rest = match["account"], match["rest"]
    name, _, qualifier = rest.partition(":")
    return name, qualifier or None, account_id, region


def resolve_function(name_or_arn: str, qualifier: str | None, account_id: str, region: str) -> FunctionConfig:
    """The function version an invoke targets, or ResourceNotFoundException as Invoke raises it."""
    name, name_qualifier, account_id, region = split_name(name_or_arn, account_id, region)
    qualifier = qualifier or name_qualifier
    unqualified_arn = f"arn:aws:lambda:{region}:{account_id}:function:{name}"
    invoked_arn = f"{unqualified_arn}:{qualifier}" if qualifier else unqualified_arn
    fn = moto_lambda.function(account_id, region, name, qualifier)
    latest = moto_lambda.function(account_id, region, name) if fn is not None else None
    if fn is None or latest is None:
        raise errors.function_not_found(invoked_arn if qualifier else f"{unqualified_arn}:$LATEST")
    if fn.package_type != "Zip" or not str(fn.runtime or "").startswith("python"):
        raise errors.invalid_runtime(fn.runtime)
    return FunctionConfig(
        account_id=account_id,
        region=region,
        name=name,
        arn=unqualified_arn,
        version=fn.version,
        invoked_arn=invoked_arn,
        handler=fn.handler,
        runtime=str(fn.runtime),
        timeout=fn.timeout,
        memory_size=fn.memory_size,
        environment=fn.environment,
        code_sha256=fn.code_digest or hashlib.sha256(fn.code_bytes).hexdigest(),
        reserved_concurrency=latest.reserved_concurrency,
        max_retry_attempts=latest.max_retry_attempts,
        code_bytes=fn.code_bytes,
        tags=latest.tags,
    )


def reserved_total(account_id: str, region: str, excluding: str | None = None) -> int:
    """Sum of reserved concurrency over the account's functions in a region (taken from its unreserved pool)."""
    return sum(reserved for name, reserved in moto_lambda.reserved_concurrencies(account_id, region).items() if name != excluding)
