"""Request matching that survives volatile content.

Two Converse calls are the same call when their method, model id and operation match and
their JSON bodies are equal once volatile values are replaced: UUIDs (job ids), ISO
timestamps, tool-use ids, AWS request ids, per-request canaries (``canary-`` + 16 hex). Bodies are compared as JSON structures (key
order and whitespace never matter), and text that itself holds JSON (an agent's
``<input>`` block) is compared after the same normalisation. Hosts are never compared, so
a cassette recorded against one endpoint replays against another.

A failed match raises AssertionError naming the first differing path, which vcrpy puts
in its "nearest recorded request" report.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

_VOLATILE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"), "<uuid>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?\b"), "<timestamp>"),
    (re.compile(r"\btooluse_[A-Za-z0-9_-]+"), "<tool-use-id>"),
    (re.compile(r"\bcall_[A-Za-z0-9]{8,}\b"), "<tool-use-id>"),
    (re.compile(r"\bcanary-[0-9a-f]{16}\b"), "<canary>"),  # a per-request random marker in a prompt
)
_PATH = re.compile(r"^/model/(?P<model>[^/]+)/(?P<operation>[^/?]+)")


def normalise_text(text: str) -> str:
    for pattern, placeholder in _VOLATILE:
        text = pattern.sub(placeholder, text)
    return text


def normalise(value: Any) -> Any:
    """``value`` with every volatile string replaced, recursively."""
    if isinstance(value, str):
        return normalise_text(value)
    if isinstance(value, dict):
        return {normalise_text(str(k)): normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


def _body_text(body: bytes | str | None) -> str | None:
    if body is None or body == b"" or body == "":
        return None
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else body


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def body_json(body: bytes | str | None) -> Any:
    text = _body_text(body)
    return None if text is None else _json_or_text(text)


def model_operation(path: str) -> tuple[str, str] | None:
    match = _PATH.match(path)
    return (unquote(match["model"]), match["operation"]) if match else None


def first_difference(recorded: Any, current: Any, path: str = "$") -> str | None:
    """The first path where two normalised JSON values differ, described for a person."""
    if type(recorded) is not type(current):
        return f"{path}: recorded {_show(recorded)}, now {_show(current)}"
    if isinstance(recorded, dict):
        for key in sorted(set(recorded) | set(current)):
            if key not in current:
                return f"{path}.{key}: recorded {_show(recorded[key])}, now absent"
            if key not in recorded:
                return f"{path}.{key}: not recorded, now {_show(current[key])}"
            found = first_difference(recorded[key], current[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(recorded, list):
        for index, (a, b) in enumerate(zip(recorded, current)):
            found = first_difference(a, b, f"{path}[{index}]")
            if found:
                return found
        if len(recorded) != len(current):
            return f"{path}: recorded {len(recorded)} items, now {len(current)}"
        return None
    if recorded != current:
        if isinstance(recorded, str) and isinstance(current, str):
            at = next((i for i, (a, b) in enumerate(zip(recorded, current)) if a != b), min(len(recorded), len(current)))
            return (
                f"{path}: text differs at character {at}: recorded …{recorded[max(0, at - 40) : at + 40]!r}…, "
                f"now …{current[max(0, at - 40) : at + 40]!r}…"
            )
        return f"{path}: recorded {_show(recorded)}, now {_show(current)}"
    return None


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


# vcrpy matchers: raise AssertionError with the reason, return None on a match --------------
def model_path(r1: Any, r2: Any) -> None:
    """Same model id and operation (``/model/{id}/converse``), whatever the host."""
    a, b = model_operation(r1.path), model_operation(r2.path)
    if a is None or b is None:
        assert r1.path == r2.path, f"path {r1.path!r} != {r2.path!r}"
        return
    assert a == b, f"model/operation {a[0]}/{a[1]} != {b[0]}/{b[1]}"


@lru_cache(maxsize=1024)
def _normalised(body: bytes | str | None) -> Any:
    """The normalised JSON of a body, cached and shared: callers must not change it.

    The volatile patterns are replaced in the raw text, in one pass each, before it is
    parsed: none of them can match a JSON escape or span two tokens, so this equals
    ``normalise(body_json(body))`` at a fraction of the cost of walking every string."""
    text = _body_text(body)
    return None if text is None else _json_or_text(normalise_text(text))


@lru_cache(maxsize=1024)
def canonical(body: bytes | str | None) -> str:
    """The normalised body as canonical JSON, cached: vcrpy compares each request with every
    recorded one, three times a call, and the recorded bodies never change."""
    return json.dumps(_normalised(body), sort_keys=True, ensure_ascii=False)


@lru_cache(maxsize=1024)
def _difference(recorded: bytes | str | None, current: bytes | str | None) -> str:
    return first_difference(_normalised(recorded), _normalised(current)) or "bodies differ"


def normalised_body(r1: Any, r2: Any) -> None:
    """Equal JSON bodies once volatile values are normalised."""
    if canonical(r1.body) != canonical(r2.body):
        # vcrpy passes (request being played, recorded request)
        raise AssertionError(_difference(r2.body, r1.body))
