"""Forward Converse calls to real Amazon Bedrock, for ``alex-harness record --live``.

The Lambdas keep their fake credentials and keep calling the edge; the edge re-signs each
model call with the user's own AWS credentials (boto3's default chain, or a named profile)
and sends it to ``https://bedrock-runtime.<region>.amazonaws.com``. The user's credentials
never enter an execution environment, and the cassette wrapper records what Bedrock
answered (scrubbed, as always). This is the one path where traffic leaves loopback, and
only when a user asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from werkzeug.wrappers import Response

FORWARDED_HEADERS = ("content-type", "x-amzn-errortype", "x-amzn-requestid")


@dataclass
class LiveBedrock:
    """Where and as whom live calls go; ``endpoint`` overrides the regional one (tests)."""

    region: str
    credentials: Any
    endpoint: str | None = None
    timeout: float = 120.0

    @classmethod
    def from_profile(cls, region: str, profile: str | None = None, endpoint: str | None = None) -> LiveBedrock:
        session = boto3.Session(profile_name=profile) if profile else boto3.Session()
        credentials = session.get_credentials()
        if credentials is None:
            raise RuntimeError("no AWS credentials found for --live recording (configure a profile or the AWS_* variables)")
        return cls(region=region, credentials=credentials.get_frozen_credentials(), endpoint=endpoint)

    @property
    def base_url(self) -> str:
        return (self.endpoint or f"https://bedrock-runtime.{self.region}.amazonaws.com").rstrip("/")

    @property
    def recorded_against(self) -> str:
        return f"Amazon Bedrock (live, {self.region})" + (f" via {self.endpoint}" if self.endpoint else "")

    def forward(self, path: str, body: bytes) -> Response:
        """Send one bedrock-runtime call (``path`` as sent, e.g. ``/model/{modelId}/converse``) to real Bedrock, signed."""
        url = f"{self.base_url}{path}"
        request = AWSRequest(
            method="POST", url=url, data=body, headers={"Content-Type": "application/json", "Accept": "application/json"}
        )
        SigV4Auth(self.credentials, "bedrock", self.region).add_auth(request)
        answer = httpx.post(url, content=body, headers=dict(request.headers.items()), timeout=self.timeout)
        headers = {k: v for k, v in answer.headers.items() if k.lower() in FORWARDED_HEADERS}
        return Response(answer.content, status=answer.status_code, headers=headers)
