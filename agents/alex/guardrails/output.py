"""Check what a model says against what it may say, whatever it was told.

Layer 3 of the guardrails. These checks do not try to recognise an attack in the
output; they hold for any output, even one a fully compromised model wrote:

* **invisible and bidi characters** are removed everywhere (zero-width, bidi overrides,
  tag characters...), so nothing hides in text a person reads;
* **active content** is removed: HTML tags, markdown images (they fetch a URL when
  rendered: an exfiltration channel), link targets (the link text stays), bare URLs and
  ``javascript:``/``data:`` schemes. A portfolio report needs none of them;
* **prompt leakage**: an output carrying the request's canary, or a sentence of its
  instructions, is not stored at all (``leak`` fails; a notice is stored instead);
* **echoed untrusted text**: a copy of a user's stored text (whole, or any run of
  :data:`ECHO_CHARS` characters of it) is replaced by :data:`ECHO_MARKER`, so an
  instruction hidden in data cannot be relayed to the reader through the model. An
  instrument's name becomes its symbol; only a short, label-like account name that raised
  no detection (alone or with the other fields) may be named, as reports do;
* **instructions to the reader**: a paragraph the input detector flags is replaced by
  :data:`REMOVED_MARKER` (a second, recognition-based layer; the ones above do not need it);
* **claims** a compliant advisor never makes ("risk-free", "guaranteed returns") and
  **symbols** outside the user's holdings and the known instruments are flagged in the
  audit record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from ._text import clean
from .framing import CANARY_PATTERN, frame_json
from .limits import truncate_utf8, utf8_len
from .sanitise import sanitise

__all__ = ["ECHO_MARKER", "LEAK_NOTICE", "LINK_MARKER", "REMOVED_MARKER", "OutputVerdict", "Untrusted", "check_output"]

LEAK_NOTICE: Final = "This text was withheld: it did not pass Alex's output checks."
ECHO_MARKER: Final = "[user text]"
REMOVED_MARKER: Final = "[removed: text that tried to instruct the reader]"
LINK_MARKER: Final = "[link removed]"
ECHO_CHARS: Final = 24  # a copied run this long is an echo, not a coincidence
NAME_ECHO_MAX_CHARS: Final = 32
NAME_ECHO_MAX_WORDS: Final = 5
_NOT_LABEL = re.compile(r"[<>{}\[\]|\n\\`]")
_INSTRUCTION_SENTENCE_CHARS: Final = 40

_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_HTML_TAG = re.compile(r"</?\s*[A-Za-z!?][^<>]*>?")
_MD_IMAGE = re.compile(r"!\s*\[[^\]]*\]\s*(?:\([^)]*\)?|\[[^\]]*\])")
_MD_LINK = re.compile(r"\[([^\]]*)\]\s*\([^)]*\)?")
_MD_LINK_DEF = re.compile(r"(?m)^\s{0,3}\[[^\]]+\]:\s*\S+.*$")
_URL = re.compile(r"(?i)\b(?:https?|ftp|file|javascript|vbscript|data|blob|mailto)\s*:\S*|\bwww\.\S+|//[\w-]+\.[\w.-]+\S*")
_CLAIMS = re.compile(
    r"(?i)\b(?:risk[\s-]*free|guaranteed?\s+(?:returns?|profits?|gains?|income)|can(?:no|')t\s+lose|"
    r"no\s+risk\s+at\s+all|100\s*%\s*safe|sure\s+thing)\b"
)
_TICKER = re.compile(r"(?<![\w$])\$?([A-Z]{2,5})(?![\w])")
_NOT_TICKERS: Final = frozenset(
    [
        "ETF",
        "ETFS",
        "US",
        "USA",
        "USD",
        "EU",
        "UK",
        "IRA",
        "ROTH",
        "REIT",
        "REITS",
        "ESG",
        "TIPS",
        "GDP",
        "CPI",
        "SEC",
        "FDIC",
        "AI",
        "API",
        "HSA",
        "EM",
        "DM",
        "SP",
        "NAV",
        "YTD",
        "YOY",
        "CD",
        "CDS",
        "TDF",
        "TER",
        "ISA",
        "SIPP",
        "LLC",
        "INC",
        "CEO",
        "FX",
        "OK",
        "NA",
        "PE",
        "EPS",
        "ROI",
        "AUM",
        "MSCI",
        "FTSE",
        "NYSE",
        "NASDAQ",
        "DJIA",
        "ACWI",
        "QE",
        "IPO",
    ]
)


@dataclass(frozen=True)
class Untrusted:
    """A user-controlled text that went into the prompt, with whether detection flagged it."""

    field: str
    text: str
    suspect: bool = False
    replacement: str = ECHO_MARKER  # what an echo of it becomes (an instrument's symbol, say)


@dataclass
class OutputVerdict:
    text: str
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def leaked(self) -> bool:
        return any(c["name"] == "output_leak" and not c["passed"] for c in self.checks)


def check_output(
    text: str,
    *,
    max_bytes: int,
    canary: str = "",
    instructions: str = "",
    untrusted: Iterable[Untrusted] = (),
    symbols: Iterable[str] | None = None,
) -> OutputVerdict:
    """``text`` as it may be stored, and the audit record's checks."""
    raw = text or ""
    size = utf8_len(raw)
    text = truncate_utf8(raw, max_bytes) if size > max_bytes else raw
    cleaned = clean(text)
    invisible = len(text) - len(cleaned) if len(cleaned) < len(text) else int(cleaned != text)
    if _leaks(cleaned, canary, instructions):
        return OutputVerdict(
            LEAK_NOTICE,
            [
                {"name": "output_leak", "passed": False},
                {"name": "output_size", "passed": size <= max_bytes, "bytes": size, "limit": max_bytes},
            ],
        )
    inert, active = strip_active(cleaned)
    echoed, echoes = remove_echoes(inert, list(untrusted))
    echoed, instructing = remove_instructions(echoed)
    claims = sorted({m.group(0).lower() for m in _CLAIMS.finditer(echoed)})
    checks: list[dict[str, Any]] = [
        {"name": "output_leak", "passed": True},
        {"name": "output_invisible", "passed": cleaned == text, "changed_chars": invisible},
        {"name": "output_active_content", "passed": active == 0, "removed": active},
        {"name": "output_echo", "passed": echoes == 0, "removed": echoes},
        {"name": "output_injection", "passed": instructing == 0, "paragraphs_removed": instructing},
        {"name": "output_claims", "passed": not claims, "claims": claims[:10]},
        {"name": "output_size", "passed": size <= max_bytes, "bytes": size, "limit": max_bytes},
    ]
    if symbols is not None:
        unknown = unknown_symbols(echoed, symbols)
        checks.append({"name": "output_symbols", "passed": not unknown, "unknown": unknown[:20]})
    final = truncate_utf8(echoed, max_bytes) if utf8_len(echoed) > max_bytes else echoed
    return OutputVerdict(final, checks)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _leaks(text: str, canary: str, instructions: str) -> bool:
    """The canary (also spaced out or re-cased), or a sentence of the instructions, is in ``text``."""
    flat = re.sub(r"[\W_]+", "", text).casefold()
    if canary and (canary.casefold() in text.casefold() or re.sub(r"[\W_]+", "", canary).casefold() in flat):
        return True
    if CANARY_PATTERN.search(text):
        return True  # some request's canary: a leak whichever request it came from
    squashed = _squash(text)
    for sentence in re.split(r"(?<=[.:!?])\s+|\n+", instructions):
        sentence = _squash(sentence)
        if len(sentence) >= _INSTRUCTION_SENTENCE_CHARS and sentence in squashed:
            return True
    return False


def strip_active(text: str) -> tuple[str, int]:
    """``text`` without HTML, images, link targets or URLs; and how many were removed."""
    count = 0

    def sub(pattern: re.Pattern[str], repl: str, value: str) -> str:
        nonlocal count
        out, n = pattern.subn(repl, value)
        count += n
        return out

    text = sub(_HTML_COMMENT, "", text)
    text = sub(_MD_IMAGE, "", text)
    text = sub(_MD_LINK, r"\1", text)
    text = sub(_MD_LINK_DEF, "", text)
    text = sub(_HTML_TAG, "", text)
    text = sub(_URL, LINK_MARKER, text)
    return text, count


def remove_instructions(text: str) -> tuple[str, int]:
    """Paragraphs the detector flags replaced by :data:`REMOVED_MARKER`; how many."""
    kept, removed = [], 0
    for paragraph in re.split(r"\n\s*\n", text):
        if paragraph.strip() and sanitise(paragraph, field="output", max_chars=max(len(paragraph), 1)).suspect:
            kept.append(REMOVED_MARKER)
            removed += 1
        else:
            kept.append(paragraph)
    return "\n\n".join(kept), removed


def _echoable(item: Untrusted) -> bool:
    """A short, label-like account name with no detection: the user's own label, shown to them."""
    return (
        item.field == "account_name"
        and not item.suspect
        and len(item.text) <= NAME_ECHO_MAX_CHARS
        and len(item.text.split()) <= NAME_ECHO_MAX_WORDS
        and not _NOT_LABEL.search(item.text)
    )


def remove_echoes(text: str, untrusted: list[Untrusted]) -> tuple[str, int]:
    """``text`` with copies of untrusted text replaced by :data:`ECHO_MARKER`; how many runs."""
    folded = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    covered: list[str | None] = [None] * len(text)
    sources = []
    for item in untrusted:
        source = clean(item.text).strip()
        if not source or _echoable(item):
            continue
        # as written, and as the data section spells it (a model may copy either)
        sources += [(item, source), (item, frame_json(source)[1:-1]), (item, json.dumps(source)[1:-1])]
    for item, source in sources:
        low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in source)
        if len(low) < ECHO_CHARS:
            if len(low.strip()) >= 4:
                _mark_all(folded, low, covered, item.replacement)
            continue
        grams = {low[i : i + ECHO_CHARS] for i in range(len(low) - ECHO_CHARS + 1)}
        for i in range(len(folded) - ECHO_CHARS + 1):
            if folded[i : i + ECHO_CHARS] in grams:
                for j in range(i, i + ECHO_CHARS):
                    covered[j] = covered[j] or item.replacement
    out: list[str] = []
    runs = 0
    i = 0
    while i < len(text):
        if covered[i]:
            out.append(covered[i] or ECHO_MARKER)
            while i < len(text) and covered[i]:
                i += 1
            runs += 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out), runs


def _mark_all(haystack: str, needle: str, covered: list[str | None], replacement: str) -> None:
    start = haystack.find(needle)
    while start >= 0:
        for j in range(start, start + len(needle)):
            covered[j] = covered[j] or replacement
        start = haystack.find(needle, start + 1)


def unknown_symbols(text: str, symbols: Iterable[str]) -> list[str]:
    """Ticker-like words in ``text`` that are neither held, known, nor common acronyms."""
    allowed = {s.upper() for s in symbols} | _NOT_TICKERS
    return sorted({m.group(1) for m in _TICKER.finditer(text) if m.group(1) not in allowed})
