"""Lambda test helpers: a deployment package from source text, and create/invoke shorthands."""

from __future__ import annotations

import io
import json
import textwrap
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def zip_source(source: str, module: str = "handler", **extra_files: str) -> bytes:
    """A zip holding ``<module>.py`` with ``source`` (dedented) and any ``extra_files`` (path -> text)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{module}.py", textwrap.dedent(source))
        for path, text in extra_files.items():
            archive.writestr(path, textwrap.dedent(text))
    return buffer.getvalue()


def create_function(
    lam: Any, role: str, name: str, source: str, *, handler: str = "handler.handler", timeout: int = 3, **kwargs: Any
) -> dict[str, Any]:
    """CreateFunction for a python3.12 function whose handler module is ``source``."""
    return lam.create_function(  # type: ignore[no-any-return]
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler=handler,
        Code={"ZipFile": zip_source(source)},
        Timeout=timeout,
        **kwargs,
    )


def invoke_json(lam: Any, name: str, event: Any = None, **kwargs: Any) -> tuple[dict[str, Any], Any]:
    """Invoke with a JSON event; the response and its decoded JSON payload."""
    payload = json.dumps({} if event is None else event).encode()
    response = lam.invoke(FunctionName=name, Payload=payload, **kwargs)
    body = response["Payload"].read()
    return response, json.loads(body) if body else None


@contextmanager
def cold_starts(cloud: Any, mode: str) -> Iterator[None]:
    """Run a block with the Lambda runtime's cold-start mode set ("template" or "full")."""
    from harness.cloud.awslambda import LambdaRuntime

    runtime = cloud.component(LambdaRuntime)
    before, runtime.cold_starts = runtime.cold_starts, mode
    try:
        yield
    finally:
        runtime.cold_starts = before
