"""Alex's API on Lambda behind API Gateway (HTTP API, payload v2), through Mangum, as the original Alex does.

The app is built once per execution environment, on the first invocation (the cold
start), and reused while the environment is warm; building it at import would make a
mere ``import`` need the whole configuration. Settings come from the function's
environment: CLERK_JWKS_URL, CLERK_ISSUER, JWT_AUDIENCE, AURORA_CLUSTER_ARN,
AURORA_SECRET_ARN, DATABASE_NAME, SQS_QUEUE_URL.
"""

from __future__ import annotations

import threading
from typing import Any

from mangum import Mangum

_handler: Mangum | None = None
_lock = threading.Lock()


def _build() -> Mangum:
    from alex.api.app import create_app

    # API Gateway strips nothing from the path for the $default stage; lifespan is unused.
    return Mangum(create_app(), lifespan="off")


def get_handler() -> Mangum:
    global _handler
    if _handler is None:
        with _lock:
            if _handler is None:
                _handler = _build()
    return _handler


def reset() -> None:
    """Forget the built app (tests that change the environment between invocations)."""
    global _handler
    with _lock:
        _handler = None


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return get_handler()(event, context)  # type: ignore[no-any-return]
