"""Response size limits that respect UTF-8 and user-perceived characters.

Every boundary Alex has is measured in bytes — a Lambda response (6 MB), an SQS
message (256 KiB), a JSONB column we choose to cap — while Python slices strings by
code point. Cutting ``text.encode()[:n]`` splits a multi-byte character and stores
invalid UTF-8; cutting ``text[:n]`` ignores the byte bound altogether. Cutting
between a base letter and its accent, inside an emoji ZWJ sequence or between the two
halves of a flag changes what the user sees. :func:`truncate_utf8` avoids all three.
"""

from __future__ import annotations

import unicodedata
from typing import Final

__all__ = ["truncate_utf8", "utf8_len", "DEFAULT_MARKER"]

DEFAULT_MARKER: Final = "…[truncated]"
_ZWJ: Final = "\u200d"


def utf8_len(text: str) -> int:
    """Length of ``text`` in UTF-8 bytes (lone surrogates counted as U+FFFD)."""
    return len(_encodable(text).encode("utf-8"))


def _encodable(text: str) -> str:
    """Replace lone surrogates, which have no UTF-8 encoding, by U+FFFD."""
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)


def _extends(ch: str) -> bool:
    """True if ``ch`` attaches to the character before it (same grapheme cluster)."""
    cp = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or ch == _ZWJ
        or 0xFE00 <= cp <= 0xFE0F  # variation selectors
        or 0xE0100 <= cp <= 0xE01EF
        or 0x1F3FB <= cp <= 0x1F3FF  # emoji skin-tone modifiers
        or 0xE0020 <= cp <= 0xE007F  # emoji tag sequences (subdivision flags)
        or 0x1160 <= cp <= 0x11FF  # Hangul jungseong/jongseong (conjoining jamo)
    )


def _is_regional_indicator(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _safe_cut(text: str, end: int) -> int:
    """Move a cut at ``end`` (a code-point index) left to a grapheme boundary."""
    while end > 0 and end < len(text):
        nxt, prev = text[end], text[end - 1]
        if _extends(nxt) or prev == _ZWJ or (prev == "\r" and nxt == "\n"):
            end -= 1
            continue
        if _is_regional_indicator(nxt) and _is_regional_indicator(prev):
            # flags are pairs: keep an even number of indicators before the cut
            run = 0
            i = end - 1
            while i >= 0 and _is_regional_indicator(text[i]):
                run += 1
                i -= 1
            if run % 2:
                end -= 1
                continue
        break
    return end


def _prefix_within(text: str, max_bytes: int) -> str:
    """Longest grapheme-safe prefix of ``text`` whose UTF-8 fits in ``max_bytes``."""
    if max_bytes <= 0:
        return ""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    # decode the byte-cut prefix, dropping a partial trailing character
    end = len(encoded[:max_bytes].decode("utf-8", "ignore"))
    return text[: _safe_cut(text, end)]


def truncate_utf8(text: str, max_bytes: int, marker: str = DEFAULT_MARKER) -> str:
    """``text`` cut so that its UTF-8 encoding is at most ``max_bytes`` bytes.

    * identity when it already fits (for text without lone surrogates, which have no
      UTF-8 form and are replaced by U+FFFD first);
    * otherwise a prefix ending on a character — and, where the rules above can tell,
      grapheme — boundary, followed by ``marker`` when the marker fits;
    * when even the marker does not fit, just the prefix (and ``""`` at ``max_bytes=0``).

    The result always encodes to valid UTF-8. ``max_bytes`` must be >= 0.
    """
    if max_bytes < 0:
        raise ValueError("max_bytes must be >= 0")
    text = _encodable(text)
    marker = _encodable(marker)
    if len(text) <= max_bytes // 4 or len(text.encode("utf-8")) <= max_bytes:
        return text
    marker_bytes = len(marker.encode("utf-8"))
    if marker and marker_bytes <= max_bytes:
        return _prefix_within(text, max_bytes - marker_bytes) + marker
    return _prefix_within(text, max_bytes)
