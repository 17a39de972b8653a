"""Unicode work for the guardrails: cleaning text for a prompt, and folding it for detection.

Two different outputs, on purpose:

* :func:`clean` produces what may be *shown to a model*: NFKC-normalised, with invisible
  and control characters removed. It keeps the user's letters (accents, Cyrillic, Han,
  Arabic, emoji) exactly, because a sanitiser that mangles "Zoë Ångström" or "山田太郎"
  is a bug, not a safety feature.
* :func:`fold` / :func:`detection_forms` produce what is *matched against*: a skeleton
  in which look-alike letters collapse onto the Latin letter they imitate (Unicode
  TR39 confusables, via the ``confusable_homoglyphs`` package, plus a few small-caps
  and Cyrillic/Greek shapes TR39 leaves out), accents and combining marks are dropped,
  case is folded, and leetspeak digits are read as letters. Nobody ever sees a skeleton,
  so it may be as lossy as detection needs.

Patterns are compiled through the very same folding, so a Russian or Japanese phrase
is compared skeleton-to-skeleton and folding never has to be "right", only consistent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from confusable_homoglyphs import confusables as _confusables

__all__ = [
    "clean",
    "fold",
    "leet",
    "hidden_tag_text",
    "variation_selector_payload",
    "DetectionForms",
    "detection_forms",
    "words_of",
    "squash",
]

# --------------------------------------------------------------------------------------
# Cleaning: what a model may see
# --------------------------------------------------------------------------------------

ZWJ: Final = "\u200d"
_KEEP_CONTROLS: Final = frozenset("\n\t")
# Line and paragraph separators and NEL become a plain newline instead of vanishing,
# so "a\u2028b" does not turn into "ab".
_NEWLINES: Final = {"\r\n": "\n", "\r": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"}
_NEWLINE_RE: Final = re.compile("\r\n|[\r\x85\u2028\u2029]")

# Default-ignorable characters that are *not* in category Cf, and so would survive a
# naive "strip Cf" filter: combining grapheme joiner, Hangul fillers, Khmer inherent
# vowels, Mongolian free variation selectors, variation selectors 1-14 and 17-256.
# VS15/VS16 (U+FE0E/U+FE0F) are text/emoji presentation selectors that real emoji use;
# they are kept when they follow something other than another selector.
_EXTRA_IGNORABLE: Final = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x3164, 0xFFA0]
    + list(range(0xFE00, 0xFE0E))
    + list(range(0xE0100, 0xE01F0))
)
_PRESENTATION_SELECTORS: Final = frozenset("\ufe0e\ufe0f")


def _is_noncharacter(cp: int) -> bool:
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


def _is_pictographic(ch: str) -> bool:
    """Rough Extended_Pictographic test (the stdlib has no such property).

    Used only to decide whether a ZERO WIDTH JOINER sits inside an emoji sequence
    (👨‍💻, 🏳️‍🌈), where removing it would split one emoji into two.
    """
    cp = ord(ch)
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or 0x2300 <= cp <= 0x23FF
        or 0x2B00 <= cp <= 0x2BFF
        or 0x2190 <= cp <= 0x21FF
        or cp in (0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139, 0x3030, 0x303D, 0x3297, 0x3299)
    )


def _strippable(ch: str) -> bool:
    """True for characters that carry no visible meaning and only help attackers.

    Cc (except newline and tab), Cf (zero-width, bidi embeddings/overrides/isolates,
    soft hyphen, BOM, tag characters, ...), surrogates, private use, noncharacters, and
    the non-Cf default-ignorables above.
    """
    if ch in _KEEP_CONTROLS:
        return False
    cp = ord(ch)
    if cp in _EXTRA_IGNORABLE or _is_noncharacter(cp):
        return True
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co")


def _strip_pass(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if ch == ZWJ:
            out.append(ch)  # decided below, once its neighbours are final
        elif ch in _PRESENTATION_SELECTORS:
            if out and out[-1] not in _PRESENTATION_SELECTORS and out[-1] != ZWJ and out[-1] not in "\n\t":
                out.append(ch)
        elif not _strippable(ch):
            out.append(ch)
    # Keep a ZWJ only between two emoji (optionally after a presentation selector or a
    # skin-tone modifier, which are pictographic-adjacent).
    result: list[str] = []
    for i, ch in enumerate(out):
        if ch == ZWJ:
            prev = result[-1] if result else ""
            nxt = out[i + 1] if i + 1 < len(out) else ""
            prev_ok = bool(prev) and (_is_pictographic(prev) or prev == "\ufe0f")
            if prev_ok and nxt and _is_pictographic(nxt):
                result.append(ch)
            continue
        result.append(ch)
    return "".join(result)


def clean(text: str, max_chars: int | None = None) -> str:
    """Normalise ``text`` for a prompt: newlines unified, invisibles stripped, NFKC.

    Repeated to a fixed point, so ``clean(clean(x)) == clean(x)`` for every string
    (removing a character can let NFKC compose its neighbours, and NFKC can expose a
    character that is itself strippable). ``max_chars`` cuts the result to a length.
    """
    current = text
    for _ in range(8):
        nxt = _NEWLINE_RE.sub(lambda m: _NEWLINES[m.group(0)], current)
        nxt = _strip_pass(nxt)
        nxt = unicodedata.normalize("NFKC", nxt)
        if max_chars is not None and len(nxt) > max_chars:
            nxt = nxt[:max_chars]
        if nxt == current:
            return nxt
        current = nxt
    return current  # pragma: no cover - the loop converges in two or three rounds


def hidden_tag_text(text: str) -> str:
    """ASCII smuggled in Unicode TAG characters (U+E0020..U+E007E), decoded.

    Tag characters are invisible in most renderers but many tokenisers pass them to the
    model, which reads them as the ASCII they shadow ("ASCII smuggling").
    """
    return "".join(chr(ord(ch) - 0xE0000) for ch in text if 0xE0020 <= ord(ch) <= 0xE007E)


def variation_selector_payload(text: str) -> bytes:
    """Bytes hidden in runs of variation selectors (VS1-VS256 as 0..255).

    A known steganography trick appends one selector per byte to an emoji; the emoji
    renders unchanged while the model may still read the bytes.
    """
    out = bytearray()
    for ch in text:
        cp = ord(ch)
        if 0xFE00 <= cp <= 0xFE0F:
            out.append(cp - 0xFE00)
        elif 0xE0100 <= cp <= 0xE01EF:
            out.append(cp - 0xE0100 + 16)
    return bytes(out)


# --------------------------------------------------------------------------------------
# Folding: what detectors match
# --------------------------------------------------------------------------------------

# Shapes that TR39's confusables.txt does not map onto an ASCII letter but that
# "fancy text" generators and homoglyph attacks use all the same: small capitals and
# the lower-case Cyrillic/Greek letters that look like small capitals.
_SUPPLEMENT: Final[dict[str, str]] = {
    **dict(zip("ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡʏᴢ", "abcdefghijklmnopqrstuvwyz")),
    "Ɪ": "i",
    "ᴦ": "r",
    "ᴨ": "n",
    "в": "b",
    "к": "k",
    "м": "m",
    "н": "h",
    "т": "t",
    "п": "n",
    "г": "r",
    "ԍ": "g",
    "ε": "e",
    "τ": "t",
    "κ": "k",
    "η": "n",
    "ϲ": "c",
    "ɛ": "e",
    "ɑ": "a",
    "ꮃ": "w",
    "ı": "i",
    "ȷ": "j",
    "ſ": "s",
    "ß": "ss",
    "ø": "o",
    "đ": "d",
    "ħ": "h",
    "ł": "l",
    "æ": "ae",
    "œ": "oe",
    "þ": "p",
    "ŀ": "l",
    # NFKC turns the lunate sigma ϲ (a "c") into a final sigma ς, so ς must read as c.
    "ς": "c",
    "ƅ": "b",
    "ь": "b",
    "Ь": "b",
    "ɯ": "w",
    "ʋ": "u",
    "ꭇ": "r",
    "ꬲ": "e",
}

# Punctuation whose look-alikes matter to role-tag detection: < > | : [ ] / #.
_ASCII_TARGET: Final = re.compile(r"[A-Za-z0-9<>|:\[\]/#]{1,3}")


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    """Map every non-ASCII confusable onto the ASCII prototype it imitates.

    Built from the TR39 data bundled with ``confusable_homoglyphs`` (a character whose
    listed prototype is ASCII maps to it), overlaid with :data:`_SUPPLEMENT`.
    """
    table: dict[int, str] = {}
    for ch, entries in _confusables.confusables_data.items():
        if len(ch) != 1 or ch.isascii():
            continue
        # Only direct ASCII prototypes: following chains through non-ASCII entries
        # walks the symmetric part of the data and lands on unrelated letters.
        for entry in entries:
            target = entry.get("c", "")
            if _ASCII_TARGET.fullmatch(target):
                table[ord(ch)] = target
                break
    for ch, target in _SUPPLEMENT.items():
        table[ord(ch)] = target
    # Text is NFKC-normalised before it is folded, and NFKC turns some look-alikes into
    # other letters (Ϲ, a "C", becomes Σ): the normalised form keeps the look-alike's
    # reading unless it already has one of its own.
    for cp, target in list(table.items()):
        image = unicodedata.normalize("NFKC", chr(cp))
        if len(image) == 1 and not image.isascii() and ord(image) not in table:
            table[ord(image)] = target
    return table


def _drop_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))


# TR39 maps capital I, digit one and pipe onto "l", so a skeleton cannot tell "l" from
# "I"; "rn" and "m" are confusable the other way round. Both are collapsed.
_AMBIGUOUS: Final = str.maketrans({"l": "i", "m": "rn"})


def _fold_core(text: str) -> str:
    """Look-alikes first, then case: a Cyrillic "Н" reads as the Latin "H" it imitates."""
    table = _fold_table()
    out = _drop_marks(text).translate(table).casefold()
    return _drop_marks(out).translate(table).lower()


def _fold_core_lower_first(text: str) -> str:
    """Case first, then look-alikes: "УКАЗАНИЯ" must read like "указания".

    Needed because TR39 maps some capitals but not their lower case (З → 3, з → з),
    so a shouted Russian or Greek phrase would otherwise fold differently.
    """
    table = _fold_table()
    return _drop_marks(_drop_marks(text).casefold()).translate(table).lower()


def fold(text: str) -> str:
    """Skeleton of ``text`` for matching: marks dropped, confusables → ASCII, casefolded.

    Punctuation is kept (role tags need ``<``, ``|`` and ``:``). Lossy by design.
    """
    return _fold_core(text).translate(_AMBIGUOUS)


_LEET_DIGITS: Final = str.maketrans(
    {"0": "o", "1": "i", "2": "z", "3": "e", "4": "a", "5": "s", "6": "g", "7": "t", "8": "b", "9": "g"}
)
_LEET_SYMBOLS: Final = {"@": "a", "$": "s", "!": "i", "|": "i", "+": "t", "€": "e", "£": "i", "¡": "i", "(": "c"}
# A symbol is a letter only when it touches a letter or digit, or other such symbols:
# "h4ck | y0u" keeps its separator; "|gn0r3", "pr3v!ous" and "@$" ("as") do not.
_LEET_SYMBOL_RE: Final = re.compile(r"(?<=[^\W_])[@$!|+€£¡(]|[@$!|+€£¡(](?=[^\W_])|[@$!|+€£¡(]{2,}")


_NON_LEET_SEPARATORS: Final = re.compile(r"[^\w@$!|+€£¡(]+|_")


def leet_squash(folded: str, separator: str = "") -> str:
    """Squashed leetspeak reading: separators removed first, then every symbol is a letter.

    ``separator`` names one symbol to treat as a separator instead ("r|3|p|3|4|7" spaces
    its letters with "|" while "!" in "h|!|n|g" is still an "i").
    """
    text = folded.translate(_LEET_DIGITS)
    if separator:
        text = text.replace(separator, " ")
    squashed = _NON_LEET_SEPARATORS.sub("", text)
    return "".join(_LEET_SYMBOLS.get(ch, ch) for ch in squashed).translate(_AMBIGUOUS)


def leet(folded: str) -> str:
    """Read leetspeak digits and symbols as the letters they stand for (on a skeleton)."""
    out = folded.translate(_LEET_DIGITS)
    for _ in range(4):  # "a||" needs two rounds: the second "|" touches a letter only after the first
        nxt = _LEET_SYMBOL_RE.sub(lambda m: "".join(_LEET_SYMBOLS[c] for c in m.group(0)), out)
        if nxt == out:
            break
        out = nxt
    return out.translate(_AMBIGUOUS)


_SEPARATORS: Final = re.compile(r"[\W_]+")


def words_of(text: str) -> str:
    """Collapse every run of non-word characters into a single space."""
    return _SEPARATORS.sub(" ", text).strip()


def squash(text: str) -> str:
    """Remove every non-word character ("i.g.n.o.r.e" → "ignore")."""
    return _SEPARATORS.sub("", text)


_ROT13: Final = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "nopqrstuvwxyzabcdefghijklmNOPQRSTUVWXYZABCDEFGHIJKLM",
)


@dataclass(frozen=True, slots=True)
class DetectionForms:
    """The strings a detector looks at, all derived from one cleaned text.

    ``folded``/``folded_leet`` keep punctuation (role tags). ``phrase_inputs`` are the
    inputs of :func:`alex.guardrails._phrase_match.match_phrases`, as (text, is_leet,
    is_squashed): the plain, leetspeak, rot13 and reversed readings of the text, each
    once with single spaces between words and once with no separators at all.
    """

    folded: str
    folded_leet: str
    phrase_inputs: tuple[tuple[str, bool, bool], ...]


def detection_forms(cleaned: str) -> DetectionForms:
    """Build every detection form of an already :func:`clean`-ed text.

    Readings: the text as written and reversed (reversal happens before folding, since
    Hangul decomposes into jamo whose order matters), each folded look-alikes-first and
    case-first; the text as rot13 (read off the cleaned text, as an attacker's tool
    would have written it: ASCII letters rotated, accented letters left alone); and the
    leetspeak reading of each. Each reading is matched with and without separators.
    """
    readings: list[tuple[str, bool]] = []
    seen: set[str] = set()

    def add(text: str) -> None:
        if text not in seen:
            seen.add(text)
            readings.append((text, False))
            readings.append((leet(text), True))

    folded = _fold_core(cleaned).translate(_AMBIGUOUS)
    reversed_text = cleaned[::-1]
    for source in (cleaned, reversed_text):
        add(_fold_core(source).translate(_AMBIGUOUS))
        add(_fold_core_lower_first(source).translate(_AMBIGUOUS))
    readings.append((_fold_core(cleaned.translate(_ROT13)).translate(_AMBIGUOUS), False))

    inputs: list[tuple[str, bool, bool]] = []
    for text, is_leet in readings:
        inputs.append((words_of(text), is_leet, False))
        inputs.append((squash(text), is_leet, True))
    # Letter-spaced leetspeak ("d~!~5~r~3~g~@~r~d") hides which symbols are letters;
    # with every other separator gone, read them all as letters (or all but one).
    symbols = [sym for sym in _LEET_SYMBOLS if sym in folded]
    for text in (folded, _fold_core(reversed_text).translate(_AMBIGUOUS)):
        inputs.append((leet_squash(text), True, True))
        if symbols and len(text) <= 4000:  # bounded: one reading per symbol present
            inputs.extend((leet_squash(text, sym), True, True) for sym in symbols)
    return DetectionForms(folded=folded, folded_leet=leet(folded), phrase_inputs=tuple(inputs))


_fold_table()  # built at import (in the Lambda's init phase), not on the first call
