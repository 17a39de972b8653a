"""Which cassettes the Lambda environments use: a cloud component and its control file.

The component writes the selection (a directory, a record mode, what recordings are made
against) to a small JSON file whose path every execution environment gets in
``HARNESS_CASSETTE_CONTROL``; the wrapper around each invocation reads it, so switching
cassettes between scenarios needs no redeploy and keeps environments warm. Misses (a
request a cassette cannot answer) are appended by the environments to a JSON-lines file
beside it, which the component reads back.

Over HTTP on the edge: ``POST /_harness/cassettes {"dir": ..., "record_mode": "none"}``,
``DELETE /_harness/cassettes``, ``GET /_harness/cassettes`` (selection and misses).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from harness.cassettes.selection import CONTROL_VARIABLE, Selection, misses_path, read_selection
from harness.cloud.routes import Route, json_body, json_error, json_response

if TYPE_CHECKING:
    from harness.cloud.host import CloudHost

WRAPPER = "harness.cassettes.lambda_wrapper:wrap"


class CassetteControl:
    """CloudComponent: selects the cassettes every Lambda environment records or replays."""

    def __init__(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="alex-cassettes-"))
        self.control_path = self._dir / "selection.json"
        self.control_path.write_text("{}")
        self._cloud: CloudHost | None = None

    # CloudComponent
    def attach(self, cloud: CloudHost) -> None:
        from harness.cloud.awslambda.runtime import LambdaRuntime

        self._cloud = cloud
        with contextlib.suppress(LookupError):
            runtime = cloud.component(LambdaRuntime)
            runtime.extension_environment.update(
                {
                    CONTROL_VARIABLE: str(self.control_path),
                    "HARNESS_HANDLER_WRAPPER": WRAPPER,
                    "DISABLE_AIOHTTP_TRANSPORT": "True",
                }
            )
        assert cloud.edge is not None
        cloud.edge.add_routes(self.routes())

    def start(self) -> None:
        pass

    def stop(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)

    def reset(self) -> None:
        self.select(None)

    # selection
    @property
    def selection(self) -> Selection | None:
        return read_selection(str(self.control_path))

    def select(self, selection: Selection | None) -> None:
        """Use ``selection`` from the next invocation on (None: no cassettes, calls go to the endpoint)."""
        if selection is not None and selection.record_mode == "all":
            # "all" records afresh: start the scenario's cassettes empty, then every invocation appends
            target = Path(selection.directory)
            for old in target.glob("*.yaml"):
                old.unlink()
            selection = Selection(**{**asdict(selection), "record_mode": "new_episodes"})
        tmp = self.control_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(selection) if selection else {}))
        os.replace(tmp, self.control_path)
        if selection is not None:  # a new selection starts a new record of misses; None keeps the last one readable
            misses_path(str(self.control_path)).unlink(missing_ok=True)

    @contextlib.contextmanager
    def using(self, directory: str | os.PathLike[str], record_mode: str = "none", **extra: Any) -> Iterator[CassetteControl]:
        self.select(Selection(str(directory), record_mode, **extra))
        try:
            yield self
        finally:
            self.select(None)

    def misses(self) -> list[dict[str, Any]]:
        path = misses_path(str(self.control_path))
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    # HTTP control on the edge
    def routes(self) -> list[Route]:
        return [
            Route("GET", "cassettes", self._get),
            Route("DELETE", "cassettes", self._delete),
            Route("POST", "cassettes", self._post),
        ]

    def _get(self, request: Request) -> Response:
        current = self.selection
        return json_response({"selection": asdict(current) if current else None, "misses": self.misses()})

    def _delete(self, request: Request) -> Response:
        self.select(None)
        return json_response({"selection": None})

    def _post(self, request: Request) -> Response:
        try:
            body = json_body(request)
            selection = Selection(str(body.pop("dir")), **body)
        except (ValueError, KeyError, TypeError) as err:
            return json_error(400, f'body must be JSON like {{"dir": "cassettes/happy_path", "record_mode": "none"}}: {err}')
        self.select(selection)
        return json_response({"selection": asdict(selection)})
