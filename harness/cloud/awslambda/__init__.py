"""Lambda's data plane for the local cloud: Invoke really runs Python handlers, without Docker.

moto keeps the control plane; ``LambdaRuntime`` (runtime.py) executes functions in warm
worker processes (or threads, in "inprocess" mode). See runtime.py for the API.
"""

from harness.cloud.awslambda.errors import LambdaApiError
from harness.cloud.awslambda.records import InvocationRecord
from harness.cloud.awslambda.runtime import InvokeResult, LambdaRuntime

__all__ = ["InvocationRecord", "InvokeResult", "LambdaApiError", "LambdaRuntime"]
