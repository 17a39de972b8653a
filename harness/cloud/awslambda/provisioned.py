"""Provisioned concurrency (Put/Get/DeleteProvisionedConcurrencyConfig): N environments kept ready.

moto has no provisioned concurrency, so the edge answers these operations here. As on
AWS, a config applies to a published version or an alias (not ``$LATEST``), starts
``IN_PROGRESS`` and becomes ``READY`` once its environments are initialised; they are
kept warm (never reaped for idleness) until the config is deleted.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from harness.cloud.awslambda import errors
from harness.cloud.awslambda.errors import LambdaApiError
from harness.cloud.edge import AwsRequestContext
from harness.cloud.routes import json_response
from harness.cloud.service_model import OperationRouter

_OPERATIONS = OperationRouter(
    "lambda",
    [  # paths and methods: botocore's (List is Get's path with ?List=ALL)
        "PutProvisionedConcurrencyConfig",
        "GetProvisionedConcurrencyConfig",
        "DeleteProvisionedConcurrencyConfig",
        "ListProvisionedConcurrencyConfigs",
    ],
)

ConfigKey = tuple[str, str, str, str]  # account, region, function name, qualifier
Provision = Callable[[str, int, str, str], tuple[int, list[str], str | None]]  # -> (allocated, env ids, failure)


@dataclass
class ProvisionedConfig:
    requested: int
    allocated: int = 0
    status: str = "IN_PROGRESS"
    reason: str | None = None
    env_ids: list[str] = field(default_factory=list)
    last_modified: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"))

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "RequestedProvisionedConcurrentExecutions": self.requested,
            "AvailableProvisionedConcurrentExecutions": self.allocated,
            "AllocatedProvisionedConcurrentExecutions": self.allocated,
            "Status": self.status,
            "LastModified": self.last_modified,
        }
        if self.reason:
            doc["StatusReason"] = self.reason
        return doc


class ProvisionedConcurrency:
    """The configs, and the edge handler for their three operations."""

    def __init__(self, provision: Provision, release: Callable[[list[str]], None]) -> None:
        self._provision = provision
        self._release = release
        self._configs: dict[ConfigKey, ProvisionedConfig] = {}
        self._lock = threading.Lock()

    def __call__(self, request: Request, ctx: AwsRequestContext) -> Response | None:
        called = _OPERATIONS.route(request)
        if called is None:
            return None  # the rest of Lambda's API: moto's
        key = (ctx.account_id, ctx.region, called.params["FunctionName"], called.params.get("Qualifier", ""))
        try:
            if called.name == "PutProvisionedConcurrencyConfig":
                body = json.loads(request.get_data() or b"{}")
                return json_response(self.put(key, int(body.get("ProvisionedConcurrentExecutions", 0))), 202)
            if called.name == "GetProvisionedConcurrencyConfig":
                return json_response(self.get(key))
            if called.name == "ListProvisionedConcurrencyConfigs":
                return json_response({"ProvisionedConcurrencyConfigs": self.list(key)})
            self.delete(key)
            return Response(status=204)
        except LambdaApiError as err:
            return err.response()

    def put(self, key: ConfigKey, count: int) -> dict[str, Any]:
        account, region, name, qualifier = key
        if not qualifier or qualifier == "$LATEST":
            raise errors.invalid_parameter("Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
        if count < 1:
            raise errors.invalid_parameter(
                "1 validation error detected: Value '0' at 'provisionedConcurrentExecutions' failed to satisfy "
                "constraint: Member must have value greater than or equal to 1"
            )
        config = ProvisionedConfig(requested=count)
        with self._lock:
            old = self._configs.get(key)
            self._configs[key] = config
        if old is not None:
            self._release(old.env_ids)

        def run() -> None:
            allocated, env_ids, failure = self._provision(f"{name}:{qualifier}", count, account, region)
            with self._lock:
                current = self._configs.get(key) is config
                config.allocated, config.env_ids = allocated, env_ids
                config.status, config.reason = ("FAILED", failure) if failure else ("READY", None)
            if not current:
                self._release(env_ids)

        threading.Thread(target=run, name="lambda-provisioned", daemon=True).start()
        return config.document()

    def get(self, key: ConfigKey) -> dict[str, Any]:
        with self._lock:
            config = self._configs.get(key)
        if config is None:
            raise LambdaApiError(
                "ProvisionedConcurrencyConfigNotFoundException",
                f"No Provisioned Concurrency Config found for this function: {key[2]}:{key[3]}",
            )
        return config.document()

    def list(self, key: ConfigKey) -> list[dict[str, Any]]:
        """Every config of the function ``key`` names (its qualifier ignored), each with its FunctionArn."""
        account, region, name, _ = key
        arn = name if name.startswith("arn:") else f"arn:aws:lambda:{region}:{account}:function:{name}"
        with self._lock:
            found = [(k[3], c.document()) for k, c in self._configs.items() if k[:3] == key[:3]]
        return [{"FunctionArn": f"{arn}:{qualifier}", **doc} for qualifier, doc in sorted(found, key=lambda f: f[0])]

    def delete(self, key: ConfigKey) -> None:
        with self._lock:
            config = self._configs.pop(key, None)
        if config is None:
            raise LambdaApiError(
                "ProvisionedConcurrencyConfigNotFoundException",
                f"No Provisioned Concurrency Config found for this function: {key[2]}:{key[3]}",
            )
        self._release(config.env_ids)

    def clear(self) -> None:
        with self._lock:
            self._configs.clear()
