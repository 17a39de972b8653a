"""IAM as moto holds it: AWS managed policies, made from moto's own data the first time one is named."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

AWS_MANAGED_POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy")  # AWS-managed, in every partition


def is_aws_managed_policy(obj: Any) -> bool:
    """Whether ``obj`` is one of moto's AWS managed policy objects (every backend can make it again)."""
    arn = getattr(obj, "arn", None)
    return isinstance(arn, str) and bool(AWS_MANAGED_POLICY_ARN.match(arn)) and type(obj).__name__ == "AWSManagedPolicy"


def aws_managed_policy(account_id: str, partition: str, policy_arn: str) -> Any | None:
    """The AWS managed policy ``policy_arn`` in the account's IAM backend, or None when AWS has none by that ARN."""
    from moto.iam.models import iam_backends

    return ensure_aws_managed_policy(iam_backends[account_id][partition], policy_arn)


def backend_state(backend: Any) -> dict[str, Any]:
    """An IAM backend's attributes to keep: without the AWS managed policies, which a fresh backend makes again."""
    state = dict(vars(backend))
    state.pop("aws_managed_policies", None)
    state.pop("account_summary", None)  # computed from the backend; the fresh one's serves
    state["managed_policies"] = {
        arn: policy for arn, policy in backend.managed_policies.items() if not AWS_MANAGED_POLICY_ARN.match(arn)
    }
    return state


def restore_backend_state(backend: Any, state: dict[str, Any]) -> None:
    """Put ``backend_state``'s attributes back into a fresh IAM backend."""
    state = dict(state)
    backend.managed_policies.update(state.pop("managed_policies"))
    vars(backend).update(state)


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


def patch_managed_policies_on_demand() -> None:
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
