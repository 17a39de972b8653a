"""Work every execution environment's first call would otherwise repeat, done at import instead.

With SnapStart (and the harness's templates) the init phase runs once per version and every
environment starts from it, so what is built here is built once; without, it still moves the
cost from the first invocation (which a user waits on) to the init. Nothing here opens a
connection or starts a thread: a boto3 client makes no request until it is used.
"""

from __future__ import annotations

import inspect
import logging
import os

log = logging.getLogger("alex.warmup")


def complete_litellm_models() -> None:
    """LiteLLM's response types (ModelResponse, Usage, ...) are pydantic models with forward
    references that pydantic completes on first use: about 1.4 s in the first model call."""
    import pydantic
    from litellm.types import utils

    for cls in list(vars(utils).values()):
        if inspect.isclass(cls) and issubclass(cls, pydantic.BaseModel) and not cls.__pydantic_complete__:
            try:
                cls.model_rebuild()
            except Exception:  # a model that cannot be completed yet is completed on use, as before
                log.debug("could not complete %s", cls.__name__)


def load_litellm_cost_map() -> None:
    """LiteLLM's Bedrock tool handling reads its bundled model map (a ~1 MB JSON file, parsed
    once behind an lru_cache) on the first call that offers tools: about 0.2 s otherwise."""
    try:
        from litellm.llms.bedrock.common_utils import _get_local_model_cost_map

        _get_local_model_cost_map()
    except Exception:  # a LiteLLM without it loads what it needs on first use, as before
        log.debug("could not preload LiteLLM's model map")


def load_service_models(*services: str) -> None:
    """Load (and cache in boto3's default session) the service models the handler's first client
    needs: about 0.7 s for the Data API client otherwise. Skipped when no region is configured."""
    if not (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")):
        return
    import boto3

    for service in services:
        try:
            boto3.client(service)
        except Exception:  # the handler's own client reports any real problem
            log.debug("could not load the %s service model", service)
