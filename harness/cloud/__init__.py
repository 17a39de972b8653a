"""The local cloud: one endpoint that answers boto3 for the services Alex uses."""

from harness.cloud.edge import AwsRequestContext, EdgeApp
from harness.cloud.server import LocalCloud

__all__ = ["AwsRequestContext", "EdgeApp", "LocalCloud"]
