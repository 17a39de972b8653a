"""Invoke another agent's Lambda synchronously through boto3, as the planner does on AWS.

A ``FunctionError`` (the agent raised, timed out or crashed) becomes an
:class:`AgentInvocationError` naming the function and the error type, so the planner's
reason for failing a job says which agent failed and how.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
from botocore.config import Config

from agents import custom_span


class AgentInvocationError(RuntimeError):
    def __init__(self, function: str, error_type: str, message: str) -> None:
        super().__init__(f"{function} failed: {error_type}: {message}")
        self.function = function
        self.error_type = error_type


def function_name(agent: str) -> str:
    """The deployed name of ``agent``, from ``<AGENT>_FUNCTION`` (set by the stack)."""
    name = os.environ.get(f"{agent.upper()}_FUNCTION")
    if not name:
        raise RuntimeError(f"{agent.upper()}_FUNCTION is not set: the planner does not know the {agent} Lambda")
    return name


class LambdaInvoker:
    """One boto3 Lambda client per execution environment; no SDK retries (ours decide)."""

    def __init__(self, client: Any = None, read_timeout: float | None = None) -> None:
        timeout = read_timeout or float(os.environ.get("AGENT_INVOKE_TIMEOUT_SECONDS", "900"))
        self.client = client or boto3.client(
            "lambda", config=Config(read_timeout=timeout, connect_timeout=5, retries={"max_attempts": 1})
        )

    def invoke(self, agent: str, payload: dict[str, Any]) -> dict[str, Any]:
        name = function_name(agent)
        with custom_span(f"invoke {agent}", data={"function": name}) as span:
            response = self.client.invoke(
                FunctionName=name, InvocationType="RequestResponse", Payload=json.dumps(payload).encode()
            )
            body = response["Payload"].read()
            try:
                result = json.loads(body or b"null")
            except ValueError:
                result = {"errorType": "InvalidResponse", "errorMessage": body[:200].decode("utf-8", "replace")}
            if response.get("FunctionError"):
                error_type = str(result.get("errorType", "Unhandled")) if isinstance(result, dict) else "Unhandled"
                message = str(result.get("errorMessage", ""))[:500] if isinstance(result, dict) else ""
                span.span_data.data["error_type"] = error_type
                raise AgentInvocationError(name, error_type, message)
            return result if isinstance(result, dict) else {"result": result}
