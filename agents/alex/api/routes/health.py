"""``GET /health``: public liveness for API Gateway, load balancers and ``alex-harness up``. Touches no dependency."""

from __future__ import annotations

from datetime import datetime, UTC
from typing import Any

from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, Any]:
    return {
        "status": "healthy",
        "service": "alex-api",
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
    }
