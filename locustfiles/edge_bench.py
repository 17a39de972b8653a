"""``benchmarks/edge_overhead.py``'s load: closed-loop ``GET /api/user`` as fast as the server answers.

Each user has its own token (``$ALEX_HARNESS_STATE_DIR``'s issuer keys) and sends it with
``X-Bench-User`` (read only by the benchmark's app without the edge) and the dev frontend's
``Origin``, so the edge's CORS middleware does its work on every request.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from locust import FastHttpUser, constant, task

from harness.auth import KeyStore

_keys = KeyStore.load(os.environ.get("ALEX_HARNESS_STATE_DIR") or str(Path.home() / ".alex-harness"))


class UserProfileReader(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        user = f"bench-{secrets.token_hex(5)}"
        self.headers = {"Authorization": f"Bearer {_keys.mint(user)}", "X-Bench-User": user, "Origin": "http://localhost:3000"}
        self.client.get("/api/user", headers=self.headers, name="first GET /api/user")  # creates the profile

    @task
    def profile(self) -> None:
        self.client.get("/api/user", headers=self.headers)
