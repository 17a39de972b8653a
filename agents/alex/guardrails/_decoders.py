"""Find encoded payloads in text and decode them, so the detectors can read them too.

A model decodes base64, hex, URL-encoding, HTML entities and escape sequences without
being asked twice; a filter that only reads the surface text is blind to all of them.
Nothing here blocks anything: decoded text goes back through the whole detection
pipeline (recursively, to a small depth), and only what it finds there counts.
rot13 and leetspeak need no decoder: they are read directly as skeleton variants
(:mod:`alex.guardrails._text`).
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import unicodedata
import urllib.parse
from collections.abc import Iterator
from typing import Final

__all__ = ["decode_candidates", "MAX_CANDIDATES", "OVERFLOW"]

MAX_CANDIDATES: Final = 24  # per text and level; bounds the work an attacker can cause
OVERFLOW: Final = "overflow"  # yielded (with "") when a text has more candidates than that
_MIN_DECODED: Final = 6

_BASE64: Final = re.compile(r"(?<![A-Za-z0-9+/\-_])[A-Za-z0-9+/\-_]{12,}+={0,2}")
# Possessive quantifiers and run-start anchors keep these linear on long runs.
_BASE64_WRAPPED: Final = re.compile(
    r"(?<![A-Za-z0-9+/\-_])(?:[A-Za-z0-9+/\-_]{4,}+={0,2}+[ \t]*+\r?\n[ \t]*+)++[A-Za-z0-9+/\-_]++={0,2}"
)
_BASE32: Final = re.compile(r"(?<![A-Z2-7])[A-Z2-7]{16,}+={0,6}")
_HEX: Final = re.compile(r"(?<![0-9A-Za-z])(?:(?:0x|\\x|%)?+[0-9A-Fa-f]{2}[\s,:;\-]*+){6,}+")
_BINARY: Final = re.compile(r"(?<![0-9A-Za-z])(?:[01]{8}[\s,]*+){4,}+")
_URL_ESCAPE: Final = re.compile(r"%[0-9A-Fa-f]{2}")
_HTML_ENTITY: Final = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_UNICODE_ESCAPE: Final = re.compile(r"\\u\{[0-9A-Fa-f]{1,6}\}|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}|\\x[0-9A-Fa-f]{2}|\\[0-7]{3}")


def _readable(data: bytes) -> str | None:
    """Decode bytes as UTF-8 text if they look like text a model would read."""
    if len(data) < _MIN_DECODED:
        return None
    text = None
    # tolerate a run that starts or ends mid-character (it was cut out of other text)
    for start in range(4):
        for end in range(len(data), max(len(data) - 4, start), -1):
            try:
                text = data[start:end].decode("utf-8")
            except UnicodeDecodeError:
                continue
            break
        if text is not None:
            break
    if not text:
        return None
    # invisible format characters and marks are part of the payload, not noise
    visible = [ch for ch in text if unicodedata.category(ch) not in ("Cf", "Mn", "Me")]
    if not visible:
        return None
    printable = sum(1 for ch in visible if ch.isprintable() or ch.isspace())
    # letters counted after NFKC: "🄸🄶🄽" (squared letters) is text to a model
    letters = sum(1 for ch in unicodedata.normalize("NFKC", text) if ch.isalpha())
    if printable / len(visible) < 0.9 or letters < 3:
        return None
    return text


def _b64(candidate: str) -> Iterator[str]:
    raw = candidate.rstrip("=")
    alphabet_std = "-" not in raw and "_" not in raw
    for offset in range(4):  # a run glued to a word may start mid-quantum
        chunk = raw[offset:]
        chunk = chunk[: len(chunk) - (len(chunk) % 4 == 1)]  # 4k+1 chars can't be base64
        padded = chunk + "=" * (-len(chunk) % 4)
        try:
            data = (
                base64.b64decode(padded, validate=True)
                if alphabet_std
                else base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
            )
        except (binascii.Error, ValueError):
            continue
        text = _readable(data)
        if text is not None:
            yield text
            return


def _hex(candidate: str) -> str | None:
    digits = re.sub(r"0x|\\x|[^0-9A-Fa-f]", "", candidate)
    if len(digits) % 2:
        digits = digits[:-1]
    try:
        return _readable(bytes.fromhex(digits))
    except ValueError:
        return None


def _binary(candidate: str) -> str | None:
    bits = re.sub(r"[^01]", "", candidate)
    usable = len(bits) - len(bits) % 8
    data = bytes(int(bits[i : i + 8], 2) for i in range(0, usable, 8))
    return _readable(data)


def _unicode_escapes(text: str) -> str | None:
    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        try:
            if token.startswith("\\u{"):
                return chr(int(token[3:-1], 16))
            if token.startswith(("\\u", "\\U", "\\x")):
                return chr(int(token[2:], 16))
            return chr(int(token[1:], 8))
        except (ValueError, OverflowError):
            return token

    decoded = _UNICODE_ESCAPE.sub(one, text)
    return decoded if decoded != text else None


def decode_candidates(text: str) -> Iterator[tuple[str, str]]:
    """Yield ``(encoding, decoded_text)`` for every plausible encoded payload in ``text``.

    Escape-style decodings (URL, HTML entities, ``\\u`` escapes) are yielded for each
    stretch of text that has them; token decodings (base64, base32, hex, binary) for each run that decodes to
    readable UTF-8. After :data:`MAX_CANDIDATES`, ``(OVERFLOW, "")`` is yielded and the
    generator stops: the caller decides what an uninspectable remainder means.
    """
    # Decoded from the text with combining marks removed: NFKC composes a mark with the
    # letter before it, and "%8d" + U+0307 becoming "%8ḋ" must not hide an escape.
    bare = "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")
    for count, item in enumerate(_candidates(bare)):
        if count >= MAX_CANDIDATES:
            yield OVERFLOW, ""
            return
        yield item


def _windows(text: str, pattern: re.Pattern[str], gap: int = 64, context: int = 120) -> list[str]:
    """Stretches of ``text`` around the matches of ``pattern``: nearby matches merged,
    with some context either side (an instruction may mix plain and escaped words).

    Decoding windows instead of the whole text keeps the work proportional to what is
    actually encoded.
    """
    spans: list[list[int]] = []
    for match in pattern.finditer(text):
        start, end = match.span()
        if spans and start - spans[-1][1] <= gap:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return [text[max(0, a - context) : b + context] for a, b in spans]


def _candidates(text: str) -> Iterator[tuple[str, str]]:
    for window in _windows(text, _URL_ESCAPE):
        # with and without "+" as space: form-encoding uses it, but so does leetspeak
        for decoded in dict.fromkeys(
            (urllib.parse.unquote(window, errors="replace"), urllib.parse.unquote_plus(window, errors="replace"))
        ):
            if decoded != window:
                yield "url", decoded
    for window in _windows(text, _HTML_ENTITY):
        decoded = html.unescape(window)
        if decoded != window:
            yield "html_entities", decoded
    for window in _windows(text, _UNICODE_ESCAPE):
        escaped = _unicode_escapes(window)
        if escaped is not None:
            yield "escapes", escaped
    runs = [m.group(0) for m in _BASE64.finditer(text)]
    for match in _BASE64_WRAPPED.finditer(text):
        # a wrapped block may have swallowed a word on the line before or after it
        lines = match.group(0).split()
        for chunk in (lines, lines[:-1], lines[1:], lines[1:-1]):
            if len(chunk) > 1:
                runs.append("".join(chunk))
    for run in dict.fromkeys(runs):
        for decoded in _b64(run):
            yield "base64", decoded
    for match in _BASE32.finditer(text):
        run = match.group(0)
        try:
            data = base64.b32decode(run + "=" * (-len(run) % 8))
        except (binascii.Error, ValueError):
            continue
        decoded_b32 = _readable(data)
        if decoded_b32 is not None:
            yield "base32", decoded_b32
    for match in _HEX.finditer(text):
        decoded_hex = _hex(match.group(0))
        if decoded_hex is not None:
            yield "hex", decoded_hex
    for match in _BINARY.finditer(text):
        decoded_bin = _binary(match.group(0))
        if decoded_bin is not None:
            yield "binary", decoded_bin
