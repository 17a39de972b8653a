"""Sanitise user-controlled text before it reaches a prompt.

Every string an agent puts into a prompt that a user could have influenced goes
through :func:`sanitise` first: the user's notes, and — the indirect route — account
names, instrument names and anything else stored in the database and read back later.

What it does, and why each step is there:

1. **Clean** (:func:`alex.guardrails._text.clean`): NFKC normalisation; zero-width,
   bidi-control, tag and other format/control characters removed (newline and tab
   kept). These characters change what a model reads without changing what a person
   sees, which is exactly what an attacker wants and a user never needs.
2. **Detect** on a *skeleton* of the cleaned text, not on the text itself: confusable
   letters folded to Latin (Cyrillic "і", fullwidth "ｉ", math "𝐢" are all "i"),
   accents and case dropped, leetspeak read as letters, whitespace collapsed — and
   also with every separator removed, as rot13 and reversed. Matched there: role tags
   and chat-template tokens (``system:``, ``<|im_start|>``, ``[INST]``, ``<system>``;
   :mod:`alex.guardrails._role_tags`), and instruction-override phrasings in twelve
   languages (:mod:`alex.guardrails._phrasings`, matched by
   :mod:`alex.guardrails._phrase_match`).
3. **Decode** what looks encoded (base64, base32, hex, binary, URL-encoding, HTML
   entities, escape sequences) and any text hidden in tag characters or variation
   selectors, and run the same detection on the result.
4. **Verdict**: detection is a *signal*, not the barrier. A finding makes the text
   ``suspect`` (scored, logged and written to the audit record) but the text is still
   passed on, as data, inside the prompt's escaped data section
   (:mod:`alex.guardrails.framing`), because a phrase list always misses the next
   paraphrase and refuses honest users ("System: 10% of salary every payday"). Only
   what no honest user writes is ``blocked`` (replaced by :data:`INJECTION_PLACEHOLDER`,
   refused by the API): chat-template control tokens (``<|im_start|>``, ``[INST]``,
   ``<<SYS>>``) and internal errors (fail closed).

Benign text passes unchanged apart from step 1; "Ignore the dip, I'm holding VTI",
"Zoë Ångström", "山田太郎" and "$1,200.50" are not findings. :func:`sanitise` never
raises for a ``str`` (it fails closed: an internal error blocks), and it is
idempotent: ``sanitise(sanitise(x).text).text == sanitise(x).text``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from ._decoders import OVERFLOW, decode_candidates
from ._phrase_grammar import BYPASS, EXFIL, NEW, OVERRIDE, ROLE
from ._phrase_match import match_phrases
from ._role_tags import match_role_tags
from ._text import clean, detection_forms, hidden_tag_text, variation_selector_payload

__all__ = [
    "Finding",
    "SanitisedText",
    "sanitise",
    "INJECTION_PLACEHOLDER",
    "DEFAULT_MAX_CHARS",
    "BLOCKING_KINDS",
]

_log = logging.getLogger("alex.guardrails.sanitise")

INJECTION_PLACEHOLDER: Final = "[removed: possible prompt injection]"
DEFAULT_MAX_CHARS: Final = 20_000
_MAX_DEPTH: Final = 2  # decode inside decode inside the text, no deeper

ROLE_TAG: Final = "role_tag"
BLOCKING_KINDS: Final = frozenset({OVERRIDE, ROLE, EXFIL, NEW, BYPASS, ROLE_TAG, "encoding_overflow", "internal_error"})
"""Kinds that make a text *suspect* (a signal for the audit record), not refused."""
# Rules whose match no honest text produces: these (and internal errors) refuse.
UNAMBIGUOUS_RULES: Final = ("chat_template_token", "inst_tag")


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the sanitiser noticed.

    ``kind`` is machine-readable (see :data:`BLOCKING_KINDS` for the detections that make
    a text suspect; ``normalised``, ``hidden_text``, ``mixed_script`` and ``truncated``
    only inform; :attr:`unambiguous` ones refuse).
    ``detail`` names the rule and where it matched, never the attacker's text.
    """

    kind: str
    detail: str

    @property
    def blocking(self) -> bool:
        """A detection: the text is suspect (the name is kept for the audit records' sake)."""
        return self.kind in BLOCKING_KINDS

    @property
    def unambiguous(self) -> bool:
        """A finding no honest text produces: the text is refused."""
        return self.kind == "internal_error" or (
            self.kind == ROLE_TAG and self.detail.startswith(UNAMBIGUOUS_RULES) and "-encoded" not in self.detail
        )


@dataclass(frozen=True, slots=True)
class SanitisedText:
    """The result: ``text`` is what may go into a prompt's data section.

    ``blocked``: refused (``text`` is the placeholder); ``suspect``: a detection fired but
    the text is passed on as data, its findings audited.
    """

    text: str
    findings: tuple[Finding, ...]
    blocked: bool

    @property
    def suspect(self) -> bool:
        return self.blocked or any(f.blocking for f in self.findings)

    @property
    def score(self) -> int:
        """How many distinct detections fired (0 for clean text); a signal for metrics."""
        return len({(f.kind, f.detail.split(" [")[0]) for f in self.findings if f.blocking})

    def __str__(self) -> str:
        return self.text


def sanitise(text: str | None, *, field: str, max_chars: int = DEFAULT_MAX_CHARS) -> SanitisedText:
    """Clean ``text`` for a prompt and neutralise it if it carries an injection.

    ``field`` names where the text came from (``"user_notes"``, ``"account_name"``,
    ``"instrument_name"``...) for the findings and logs. ``None`` is treated as ``""``
    (nullable database columns); any other non-``str`` is a programming error.
    """
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise TypeError(f"sanitise() needs a str, not {type(text).__name__}")
    try:
        result = _sanitise(text, field, max_chars)
    except Exception:  # fail closed: a guardrail that crashes must not wave text through
        _log.exception("sanitise failed for field %r; blocking", field)
        return SanitisedText(INJECTION_PLACEHOLDER, (Finding("internal_error", field),), True)
    if result.suspect:
        _log.warning(
            "possible prompt injection in %s (%s): %s",
            field,
            "refused" if result.blocked else "passed as data",
            "; ".join(f"{f.kind}: {f.detail}" for f in result.findings if f.blocking),
        )
    return result


def _sanitise(raw: str, field: str, max_chars: int) -> SanitisedText:
    findings: list[Finding] = []
    cleaned = clean(raw, max_chars=None)
    if len(cleaned) > max_chars:
        cleaned = clean(cleaned[:max_chars], max_chars=max_chars)
        findings.append(Finding("truncated", f"{field}: cut to {max_chars} characters"))
    if cleaned != raw:
        findings.append(Finding("normalised", f"{field}: {_describe_change(raw, cleaned)}"))

    budget = _Budget(3 * len(cleaned) + 10_000)
    detected = _analyse(cleaned, depth=0, via="", max_chars=max_chars, budget=budget)

    for channel, payload in (
        ("tag characters", hidden_tag_text(raw)),
        ("variation selectors", _vs_text(raw)),
    ):
        if payload:
            findings.append(Finding("hidden_text", f"{field}: text hidden in {channel}"))
            if not detected:
                detected = _analyse(
                    clean(payload, max_chars), depth=1, via=f" hidden in {channel}", max_chars=max_chars, budget=budget
                )

    mixed = _mixed_script_word(cleaned)
    if mixed:
        findings.append(Finding("mixed_script", f"{field}: a word mixes {mixed}"))

    findings.extend(detected)
    blocked = any(f.unambiguous for f in findings)
    return SanitisedText(INJECTION_PLACEHOLDER if blocked else cleaned, tuple(findings), blocked)


class _Budget:
    """Characters of (decoded) text the detectors may still read for one call.

    Decoding is recursive and a text can hold many encoded runs, so the work is capped;
    running out *blocks* (see :func:`_analyse`), so piling up decoys before a payload
    cannot push the payload past the point where decoding stops.
    """

    __slots__ = ("chars",)

    def __init__(self, chars: int) -> None:
        self.chars = chars

    def spend(self, n: int) -> bool:
        self.chars -= n
        return self.chars >= 0


_OVERFLOW: Final = "encoding_overflow"


def _analyse(cleaned: str, *, depth: int, via: str, max_chars: int, budget: _Budget) -> list[Finding]:
    """Blocking findings in ``cleaned`` (stops at the first layer that has any)."""
    if not cleaned:
        return []
    if not budget.spend(len(cleaned)):
        return [Finding(_OVERFLOW, f"too much encoded text to inspect{via}")]
    forms = detection_forms(cleaned)
    found = [Finding(ROLE_TAG, f"{name}{via}") for name in match_role_tags(forms.folded, forms.folded_leet)]
    found += [Finding(phrase.kind, f"{phrase.name} [{form}]{via}") for phrase, form in match_phrases(forms.phrase_inputs)]
    if found or depth >= _MAX_DEPTH:
        return found
    for encoding, decoded in decode_candidates(cleaned):
        if encoding == OVERFLOW:
            return [Finding(_OVERFLOW, f"more encoded segments than can be inspected{via}")]
        inner = clean(decoded, max_chars)
        if inner == cleaned:
            continue
        found = _analyse(inner, depth=depth + 1, via=f" in {encoding}-encoded text{via}", max_chars=max_chars, budget=budget)
        if found:
            return found
    return []


def _vs_text(raw: str) -> str:
    payload = variation_selector_payload(raw)
    if len(payload) < 6:
        return ""
    text = payload.decode("utf-8", errors="ignore")
    printable = sum(1 for ch in text if ch.isprintable())
    return text if text and printable / len(text) > 0.8 else ""


def _describe_change(raw: str, cleaned: str) -> str:
    removed = sum(1 for ch in raw if ch not in cleaned)
    if unicodedata.normalize("NFKC", raw) == cleaned:
        return "NFKC normalisation changed the text"
    return f"removed or normalised {removed} invisible, control or compatibility character(s)"


_WORD: Final = re.compile(r"[^\W\d_]{2,}")
_SPOOFABLE_SCRIPTS: Final = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE"})


def _mixed_script_word(text: str) -> str:
    """Scripts mixed inside one word ("pаypal" with a Cyrillic а), or ""."""
    for match in _WORD.finditer(text):
        word = match.group(0)
        if word.isascii():
            continue
        scripts = {unicodedata.name(ch, "?").split(" ")[0] for ch in word}
        spoofable = scripts & _SPOOFABLE_SCRIPTS
        if len(spoofable) > 1:
            return " and ".join(sorted(spoofable)).lower()
    return ""
