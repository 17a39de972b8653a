"""Properties of alex.guardrails.limits.truncate_utf8."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alex.guardrails import truncate_utf8
from alex.guardrails.limits import DEFAULT_MARKER, utf8_len

pytestmark = pytest.mark.guardrails

# Text rich in multi-byte characters and grapheme clusters: accents (decomposed too),
# CJK, emoji with skin tones and ZWJ sequences, flags, Hangul jamo, CRLF.
CLUSTERS = [
    "a",
    "é",
    "e\u0301",
    "ñ",
    "日本",
    "山",
    "€",
    "𝐀",
    "😀",
    "👍🏽",
    "👨\u200d👩\u200d👧",
    "🏳️\u200d🌈",
    "🇫🇷",
    "🇯🇵",
    "\u1100\u1161\u11a8",
    "\r\n",
    "\n",
    " ",
    "ق",
    "Ω",
    "❤️",
    "z\u0308\u0301",
]
texts = st.one_of(
    st.text(),
    st.lists(st.sampled_from(CLUSTERS), max_size=60).map("".join),
)
markers = st.one_of(st.sampled_from([DEFAULT_MARKER, "", "…", "✂️", "[cut]"]), st.text(max_size=6))

EXTENDERS = ("Mn", "Me", "Mc")


def _is_extender(ch: str) -> bool:
    cp = ord(ch)
    return (
        unicodedata.category(ch) in EXTENDERS
        or ch == "\u200d"
        or 0xFE00 <= cp <= 0xFE0F
        or 0x1F3FB <= cp <= 0x1F3FF
        or 0x1160 <= cp <= 0x11FF
    )


@given(texts, st.integers(0, 400), markers)
def test_never_exceeds_the_bound_and_is_valid_utf8(text: str, max_bytes: int, marker: str) -> None:
    out = truncate_utf8(text, max_bytes, marker)
    encoded = out.encode("utf-8")  # raises on a lone surrogate: never happens
    assert len(encoded) <= max_bytes
    assert encoded.decode("utf-8") == out


@given(texts, st.integers(0, 400), markers)
def test_identity_when_it_fits(text: str, max_bytes: int, marker: str) -> None:
    if len(text.encode("utf-8")) <= max_bytes:
        assert truncate_utf8(text, max_bytes, marker) == text


@given(texts, st.integers(0, 400), markers)
def test_cut_is_a_prefix_on_a_grapheme_boundary(text: str, max_bytes: int, marker: str) -> None:
    out = truncate_utf8(text, max_bytes, marker)
    if out == text:
        return
    prefix = out[: -len(marker)] if marker and out.endswith(marker) else out
    assert text.startswith(prefix)
    k = len(prefix)
    if 0 < k < len(text):
        assert not _is_extender(text[k]), (text, k)
        assert text[k - 1] != "\u200d"
        assert not (text[k - 1] == "\r" and text[k] == "\n")
        # regional indicators come in pairs: an even number of them before the cut
        run = 0
        while run < k and 0x1F1E6 <= ord(text[k - 1 - run]) <= 0x1F1FF:
            run += 1
        if 0x1F1E6 <= ord(text[k]) <= 0x1F1FF:
            assert run % 2 == 0
    # the marker is used whenever it fits
    if marker and utf8_len(marker) <= max_bytes:
        assert out.endswith(marker)


@given(st.text(alphabet=st.characters(categories=("Cs", "L", "Zs")), max_size=40), st.integers(0, 100))
def test_lone_surrogates_never_reach_the_output(text: str, max_bytes: int) -> None:
    out = truncate_utf8(text, max_bytes)
    out.encode("utf-8")
    assert len(out.encode("utf-8")) <= max_bytes


def test_examples() -> None:
    assert truncate_utf8("héllo", 100) == "héllo"
    assert truncate_utf8("日本語テキスト", 10, marker="…") == "日本…"  # 6 bytes of text + 3 of marker
    assert truncate_utf8("👨\u200d👩\u200d👧 family", 8, marker="") == ""  # no half-family
    assert truncate_utf8("abc", 0) == ""
    with pytest.raises(ValueError):
        truncate_utf8("abc", -1)
