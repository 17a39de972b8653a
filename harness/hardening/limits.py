"""The bounds every local endpoint applies to what a client sends, and the JSON nesting check.

Why these numbers: a client gets 15 s to send its request line and headers and 30 s for its
body (a body that never arrives must not hold a connection and a thread for ever); headers
may total 32 KiB (API Gateway allows 10 KiB, SigV4 and S3 metadata stay far below); JSON
may nest 128 deep (no AWS or Alex document nests a tenth of that, and Python's parser
raises RecursionError near 1,000, which would be a 500).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEADER_SECONDS = 15.0
BODY_SECONDS = 30.0
WRITE_SECONDS = 60.0
MAX_HEADER_BYTES = 32 * 1024
MAX_JSON_DEPTH = 128
DEPTH_SCAN_BYTES = 1024 * 1024  # nesting is judged on the first MiB; deeper structure needs that many brackets

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\Z)', re.DOTALL)  # an unterminated one runs to the end
_BRACKET = re.compile(rb"[\[\]{}]")


@dataclass(frozen=True)
class Limits:
    """One server's bounds (tests shorten the deadlines)."""

    header_seconds: float = HEADER_SECONDS
    body_seconds: float = BODY_SECONDS
    write_seconds: float = WRITE_SECONDS
    max_header_bytes: int = MAX_HEADER_BYTES
    max_json_depth: int = MAX_JSON_DEPTH


def looks_like_json(body: bytes) -> bool:
    return body.lstrip()[:1] in (b"{", b"[")


def json_depth(body: bytes) -> int:
    """How deep ``body`` nests arrays and objects (brackets inside strings do not count).

    Works on a prefix too: an unterminated string at the end is ignored, so the depth of a
    prefix never exceeds the depth of the whole document.
    """
    text = _STRING.sub(b'""', body)
    depth = deepest = 0
    for match in _BRACKET.finditer(text):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when ``body`` is JSON-looking and nests deeper than ``limit`` within its first MiB."""
    return looks_like_json(body) and json_depth(body[:DEPTH_SCAN_BYTES]) > limit
