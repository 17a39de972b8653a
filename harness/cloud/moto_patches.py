"""Small corrections to moto where its emulation lags behind today's AWS.

Applied once, when a LocalCloud starts; each patch says which AWS behaviour it restores.
"""

from __future__ import annotations

import functools
import json
from typing import Any

# Since December 2023 the Data API works on Aurora PostgreSQL Serverless v2 and
# provisioned clusters from these minor versions on ("Data API availability" in the
# Aurora user guide). moto 5.2.5 still only accepts Serverless v1 versions.
DATA_API_MIN_VERSIONS = {13: 12, 14: 9, 15: 4, 16: 1}

_applied = False


def data_api_supported(engine: str, engine_mode: str, engine_version: str) -> bool:
    """Whether AWS would honour EnableHttpEndpoint for a new Aurora PostgreSQL cluster."""
    if engine != "aurora-postgresql" or engine_mode != "provisioned":
        return False
    try:
        major, minor = (int(part) for part in engine_version.split(".")[:2])
    except ValueError:
        return False
    if major > max(DATA_API_MIN_VERSIONS):
        return True
    return major in DATA_API_MIN_VERSIONS and minor >= DATA_API_MIN_VERSIONS[major]


def apply() -> None:
    """Install the patches (idempotent)."""
    global _applied
    if _applied:
        return
    from moto.rds.models import DBCluster

    _aws_managed_policies_on_demand()

    original: Any = DBCluster.enable_http_endpoint

    def _set_http_endpoint(self: Any, val: bool | None) -> None:
        original.fset(self, val)
        if val and data_api_supported(self.engine, self.engine_mode, str(self.engine_version)):
            self._enable_http_endpoint = True

    DBCluster.enable_http_endpoint = property(original.fget, _set_http_endpoint)  # type: ignore[method-assign,assignment]
    _refuse_duplicate_clusters()
    _refuse_unknown_runtimes()
    _applied = True


@functools.cache
def _aws_managed_policy_data() -> dict[str, dict[str, Any]]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return json.loads(aws_managed_policies_data)


def ensure_aws_managed_policy(backend: Any, policy_arn: Any) -> Any | None:
    """The AWS managed policy ``policy_arn`` in ``backend`` (an IAMBackend), created from moto's data the
    first time it is named; None when no AWS managed policy has that ARN (name and path both count)."""
    if not isinstance(policy_arn, str):
        return None
    if policy_arn in backend.managed_policies:
        return backend.managed_policies[policy_arn]
    from moto.iam.models import AWSManagedPolicy

    prefix, _, name = policy_arn.rpartition("/")
    data = _aws_managed_policy_data().get(name)
    if data is None or not prefix.endswith(":iam::aws:policy" + (data.get("Path") or "/").rstrip("/")):
        return None
    policy = AWSManagedPolicy.from_data(name, backend.account_id, backend.region_name, data)
    if policy.arn != policy_arn:
        return None
    return backend.managed_policies.setdefault(policy.arn, policy)


def _aws_managed_policies_on_demand() -> None:
    """AWS managed IAM policies (AWSLambdaBasicExecutionRole, ...) exist in every account, so Terraform's
    aws_iam_role_policy_attachment of one succeeds. moto either builds all ~1,400 of them in every
    IAMBackend's constructor (slow, and a half-built backend is visible to other threads meanwhile) or
    none: here each one is created from moto's own data the first time a call names its ARN."""
    import inspect
    from functools import wraps

    from moto.iam.models import IAMBackend

    def on_demand(method: Any) -> Any:
        position = list(inspect.signature(method).parameters).index("policy_arn")

        @wraps(method)
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            ensure_aws_managed_policy(self, kwargs.get("policy_arn", args[position - 1] if len(args) >= position else None))
            return method(self, *args, **kwargs)

        return call

    for name, method in list(vars(IAMBackend).items()):
        if callable(method) and "policy_arn" in inspect.signature(method).parameters:
            setattr(IAMBackend, name, on_demand(method))


def _refuse_duplicate_clusters() -> None:
    """CreateDBCluster with an identifier in use fails with DBClusterAlreadyExistsFault (moto replaced the cluster)."""
    from moto.rds.exceptions import RDSClientError
    from moto.rds.models import RDSBackend

    original = RDSBackend.create_db_cluster

    def create_db_cluster(self: Any, kwargs: dict[str, Any]) -> Any:
        identifier = kwargs.get("db_cluster_identifier")
        if identifier in self.clusters:
            raise RDSClientError("DBClusterAlreadyExistsFault", "DB Cluster already exists")
        # a deleted cluster's automated backups went with it (moto keeps them, and its new one's name clashes)
        for name in [n for n in self.cluster_snapshots if str(n).startswith(f"rds:{identifier}-")]:
            del self.cluster_snapshots[name]
        return original(self, kwargs)

    RDSBackend.create_db_cluster = create_db_cluster  # type: ignore[method-assign]


# Runtimes AWS no longer lets a function be created or updated with ("Runtime deprecation
# policy" in the Lambda developer guide); their names stay in the API's enum.
BLOCKED_RUNTIMES = {"python2.7": "python3.13", "python3.6": "python3.13", "python3.7": "python3.13",
                    "python3.8": "python3.13"}


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
            "updating functions.")


def _refuse_unknown_runtimes() -> None:
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
