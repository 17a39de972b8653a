"""Small corrections to moto where its emulation lags behind today's AWS.

Applied once, when a LocalCloud starts; each patch lives with its service's module and says which
AWS behaviour it restores.
"""

from __future__ import annotations

from harness.cloud.moto_adapter import awslambda, iam, rds

_applied = False


def apply() -> None:
    """Install the patches (idempotent)."""
    global _applied
    if _applied:
        return
    iam.patch_managed_policies_on_demand()
    rds.patch_http_endpoint()
    rds.patch_refuse_duplicate_clusters()
    awslambda.patch_refuse_unknown_runtimes()
    _applied = True
