"""A serverless stack declared as data: queues, a secret, an Aurora cluster, functions, triggers.

Plain frozen dataclasses: a CLI, tests and every backend (moto, LocalStack, AWS)
provision from the same values, and a test overrides one with ``dataclasses.replace``
instead of copying it. Nothing here knows which application the stack carries: the
function code comes from ``StackSpec.code`` (zip bytes), the wiring variables from the
provisioned stack's ``runtime_environment``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

CodeSource = Callable[[], bytes]


@dataclass(frozen=True)
class QueueSpec:
    """An SQS queue; ``dlq`` makes it the source of a redrive policy."""

    name: str
    visibility_timeout: int = 30
    retention_seconds: int = 345_600
    dlq: QueueSpec | None = None
    max_receive_count: int = 3
    receive_wait_seconds: int = 0


@dataclass(frozen=True)
class SecretSpec:
    """A Secrets Manager secret whose value is a JSON document."""

    name: str
    value: dict[str, str | int]
    description: str = ""


@dataclass(frozen=True)
class DatabaseSpec:
    """An Aurora PostgreSQL Serverless v2 cluster with the Data API enabled."""

    cluster_identifier: str
    database_name: str
    master_username: str
    secret: SecretSpec


@dataclass(frozen=True)
class FunctionSpec:
    """A Lambda function; its code is the stack's ``code`` zip unless it names its own."""

    name: str
    handler: str
    timeout: int
    memory_size: int
    reserved_concurrency: int | None = None
    environment: dict[str, str] = field(default_factory=dict)
    runtime: str = "python3.12"
    code: CodeSource | None = None


@dataclass(frozen=True)
class EventSourceMappingSpec:
    """SQS -> Lambda trigger."""

    queue: str
    function: str
    batch_size: int = 1
    report_batch_item_failures: bool = True
    maximum_concurrency: int | None = None


@dataclass(frozen=True)
class ScheduleSpec:
    """An EventBridge rule invoking a function on a schedule: ``rate(1 minute)``, ``cron(...)``."""

    name: str
    expression: str
    function: str
    input: str | None = None  # the event the function gets; EventBridge's Scheduled Event when None


@dataclass(frozen=True)
class StackSpec:
    """Everything an application needs in one account and region."""

    prefix: str
    role_name: str
    queues: tuple[QueueSpec, ...]
    database: DatabaseSpec
    functions: tuple[FunctionSpec, ...]
    event_source_mappings: tuple[EventSourceMappingSpec, ...]
    code: CodeSource = field(default=lambda: b"", compare=False)
    model_id: str = ""
    schedules: tuple[ScheduleSpec, ...] = ()

    def function(self, short_name: str) -> FunctionSpec:
        """The function whose name ends with ``-<short_name>`` (e.g. ``planner``)."""
        for spec in self.functions:
            if spec.name == f"{self.prefix}-{short_name}" or spec.name == short_name:
                return spec
        raise KeyError(short_name)

    def with_function(self, short_name: str, **changes: object) -> StackSpec:
        """A copy of the stack with one function's settings changed."""
        target = self.function(short_name)
        functions = tuple(replace(f, **changes) if f is target else f for f in self.functions)  # type: ignore[arg-type]
        return replace(self, functions=functions)
