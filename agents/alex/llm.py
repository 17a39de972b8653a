"""The model every agent uses: Bedrock through LiteLLM, retried with backoff.

LiteLLM downloads its model-cost map from GitHub at import unless told not to; a Lambda
(and a test run with no network) must not, so the local map is forced before import.
Model calls are retried by :func:`alex.guardrails.model_retry` (exponential backoff on
throttling and 5xx, never on 4xx); each retry is recorded as a trace span and counted.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from agents import ModelSettings, custom_span  # noqa: E402
from agents.extensions.models.litellm_model import LitellmModel  # noqa: E402

from alex.guardrails import model_retry  # noqa: E402
from alex.guardrails.tools import ToolPolicy  # noqa: E402
from alex.schemas import DEFAULT_MODEL_ID  # noqa: E402
from alex.warmup import complete_litellm_models, load_litellm_cost_map  # noqa: E402

complete_litellm_models()  # in the init phase, not the first model call (alex/warmup.py)
load_litellm_cost_map()


@dataclass(frozen=True)
class ModelConfig:
    """Which model and how hard to try, from the function's environment."""

    model_id: str = DEFAULT_MODEL_ID
    region: str = "us-west-2"
    attempts: int = 4
    retry_base_seconds: float = 1.0
    retry_max_wait_seconds: float = 20.0
    timeout_seconds: float = 60.0
    max_tokens: int = 4096

    @classmethod
    def from_env(cls) -> ModelConfig:
        env = os.environ
        return cls(
            model_id=env.get("BEDROCK_MODEL_ID", DEFAULT_MODEL_ID),
            region=env.get("BEDROCK_REGION", "us-west-2"),
            attempts=int(env.get("MODEL_RETRY_ATTEMPTS", "4")),
            retry_base_seconds=float(env.get("MODEL_RETRY_BASE_SECONDS", "1.0")),
            retry_max_wait_seconds=float(env.get("MODEL_RETRY_MAX_WAIT_SECONDS", "20")),
            timeout_seconds=float(env.get("MODEL_TIMEOUT_SECONDS", "60")),
            max_tokens=int(env.get("MODEL_MAX_TOKENS", "4096")),
        )

    @property
    def litellm_name(self) -> str:
        return f"bedrock/{self.model_id}"

    def settings(self) -> ModelSettings:
        """Bounded output and a per-call timeout; LiteLLM's own retries off (ours wrap the call)."""
        return ModelSettings(
            max_tokens=self.max_tokens,
            extra_args={"timeout": self.timeout_seconds, "num_retries": 0, "aws_region_name": self.region},
        )


class RetryingBedrockModel(LitellmModel):
    """LitellmModel whose every call goes through the guardrails' retry policy, and whose
    answers' tool calls through the role's :class:`~alex.guardrails.tools.ToolPolicy`."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(model=config.litellm_name)
        self.config = config
        self.calls = 0
        self.retries = 0
        self.tool_policy: ToolPolicy | None = None

    async def _sleep(self, seconds: float) -> None:
        self.retries += 1
        with custom_span("model_retry", data={"attempt": self.retries + 1, "wait_seconds": round(seconds, 3)}):
            await asyncio.sleep(seconds)

    async def get_response(self, *args: Any, **kwargs: Any) -> Any:
        parent = super().get_response

        async def once() -> Any:
            self.calls += 1
            return await parent(*args, **kwargs)

        retried = model_retry(
            attempts=self.config.attempts,
            base=self.config.retry_base_seconds,
            max_wait=self.config.retry_max_wait_seconds,
            sleep=self._sleep,
        )(once)
        response = await retried()
        if self.tool_policy is not None:
            response.output = self.tool_policy.filter(list(response.output))
        return response


def bedrock_model(config: ModelConfig | None = None) -> RetryingBedrockModel:
    return RetryingBedrockModel(config or ModelConfig.from_env())
