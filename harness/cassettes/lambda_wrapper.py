"""Runs around every invocation inside a Lambda execution environment (the harness's
``HARNESS_HANDLER_WRAPPER``), replaying or recording the function's Bedrock cassette.

The cassette is ``<selected dir>/<function name>.yaml``. In replay (``none``) a cassette
with no provenance, or a request it cannot answer, fails the invocation with
``CassetteMissError`` (and the miss is written for the harness to report), whatever the
handler did with the error on the way, and no connection may leave loopback.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.cassettes.selection import CONTROL_VARIABLE, misses_path, read_selection


class CassetteMissError(RuntimeError):
    """A model call the selected cassette does not hold (record mode ``none``)."""


def wrap(handler: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def invoke(event: Any, context: Any) -> Any:
        control = os.environ.get(CONTROL_VARIABLE)
        selection = read_selection(control)
        if selection is None:
            return handler(event, context)
        from harness.cassettes.network_guard import loopback_only
        from harness.cassettes.recorder import Provenance, require_provenance, use_cassette

        function = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "function")
        path = Path(selection.directory) / f"{function}.yaml"
        provenance = Provenance(recorded_against=selection.recorded_against, scenario=selection.scenario, function=function)
        result: Any = None
        error: BaseException | None = None
        with use_cassette(path, selection.record_mode, provenance) as active:
            if selection.record_mode == "none" and path.exists():
                try:
                    require_provenance(active)
                except ValueError as exc:
                    _report(control, str(path), str(exc))
                    raise CassetteMissError(str(exc)) from None
            guard = loopback_only() if selection.record_mode == "none" else contextlib.nullcontext()
            try:
                with guard:
                    result = handler(event, context)
            except BaseException as exc:  # noqa: BLE001 - re-raised below unless a miss explains it
                error = exc
        if active.misses:
            for miss in active.misses:
                _report(control, miss.cassette, miss.message)
            raise CassetteMissError(active.misses[0].message)
        if error is not None:
            raise error
        return result

    return invoke


def _report(control: str | None, cassette: str, message: str) -> None:
    if not control:
        return
    with open(misses_path(control), "a", encoding="utf-8") as out:
        out.write(
            json.dumps({"cassette": cassette, "function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"), "message": message}) + "\n"
        )
