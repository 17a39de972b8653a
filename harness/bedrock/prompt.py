"""What a prompt says, read the way the generic answers need it.

Nothing here knows any application: it reads stated values (``Symbol: SPY``, ``"job_id":
"j-1"``, ``3 positions``), rules ("must sum to exactly 100.0"), the sections a text answer
should have, length limits, exact replies (``Respond with "Done"``), the tools the
instructions name (in the order they name them, with ``if positions >= 2`` conditions),
and JSON examples or schemas written into the prompt.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from typing import Any

_FACT = re.compile(r"^[ \t>*-]*(?:\d+\.\s+)?\**([A-Za-z][\w /()'-]{0,40}?)\**\s*[:=]\s*(.+?)\s*$", re.M)
_SUM = re.compile(
    r"(?:\bsums?|\badds?\s+up)\s+to\s+(?:exactly\s+)?(\d+(?:\.\d+)?)"
    r"|\btotal(?:s|ling|ing)?\s+(?:of\s+)?(?:exactly\s+)?(\d+(?:\.\d+)?)\s*(?:%|percent)",
    re.I,
)
_TICKER = re.compile(r"(?<![\w$.-])([A-Z]{1,5}(?:\.[A-Z])?)(?=[:\s,)])")
_NOT_TICKERS = {
    "A",
    "I",
    "AI",
    "US",
    "USD",
    "ETF",
    "ETFS",
    "JSON",
    "ID",
    "OK",
    "IRA",
    "API",
    "AWS",
    "SQL",
    "URL",
    "REIT",
    "EUR",
    "GBP",
    "CEO",
    "NOT",
    "ONLY",
    "AND",
    "OR",
    "THE",
    "IF",
    "IS",
    "NO",
    "YES",
    "TODO",
    "SYSTEM",
    "IGNORE",
    "ALL",
    "SWR",
    "MCP",
    "PDF",
    "CSV",
    "FAQ",
    "LLM",
    "UTC",
    "GDP",
    "N",
    "S",
    "X",
}
_LIMIT = re.compile(
    r"(?:under|at most|no more than|maximum of|max(?:imum)?|within|fewer than|less than|up to)\s+"
    r"(\d[\d,]*)\s+(words|characters|chars|sentences|paragraphs|lines|bullets?|bullet points|items)",
    re.I,
)
_EXACT = re.compile(
    r"(?:respond|reply|answer|say|end)\s+(?:only\s+)?with\s+(?:just\s+|exactly\s+|the word\s+)?"
    r"[\"“']([^\"”'\n]{1,120})[\"”']",
    re.I,
)
_COUNT = re.compile(r"\((\d+)\s*(?:-|–|to)\s*(\d+)[^)]*\)|\((\d+)[^)\d]*\)")
_CONDITION = re.compile(r"\bif\s+(?:the\s+)?(?:number of\s+)?([a-z_]+)\s*(>=|<=|>|<|==|=|!=)\s*(\d+(?:\.\d+)?)", re.I)


def _norm(key: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_")


@dataclass
class Hints:
    """Values and rules the prompt states, for filling schema instances."""

    facts: dict[str, str] = field(default_factory=dict)  # normalised key -> stated value
    sum_total: float | None = None
    tickers: list[str] = field(default_factory=list)
    topic_words: list[str] = field(default_factory=list)

    def value_for(self, name: str) -> str | None:
        key = _norm(name)
        if key in self.facts:
            return self.facts[key]
        tail = key.split("_")[-1]
        if tail != key and tail in self.facts and tail not in ("name", "id", "type", "value"):
            return self.facts[tail]
        if key.endswith("_type") and "type" in self.facts:
            return self.facts["type"]
        return None

    def sentence(self, rng: random.Random, name: str) -> str:
        """One or two plain sentences that mention what the prompt is about."""
        words = self.topic_words or ["the request"]
        topic = " ".join(words[:4])
        facts = [(k, v) for k, v in self.facts.items() if len(v) <= 60]
        first = f"This {name.replace('_', ' ') or 'answer'} addresses {topic}."
        if facts:
            key, value = rng.choice(facts)
            return f"{first} It takes into account that {key.replace('_', ' ')} is {value}."
        return first


def hints_for(text: str) -> Hints:
    """The Hints a prompt's text gives."""
    facts: dict[str, str] = {}
    for match in _FACT.finditer(text):
        key, value = _norm(match.group(1)), match.group(2).strip().strip("*").strip()
        if key and value and key not in facts and len(value) <= 200:
            facts[key] = value.strip("\"'")
    for obj in json_objects(text):
        _flatten_facts(obj, facts)
    for match in re.finditer(r"(\d[\d,]*(?:\.\d+)?)\s+([a-z_]{3,30})\b", text):
        facts.setdefault(_norm(match.group(2)), match.group(1))
    total = None
    summed = _SUM.search(text)
    if summed:
        total = float(summed.group(1) or summed.group(2))
    tickers = list(dict.fromkeys(t for t in _TICKER.findall(text) if t not in _NOT_TICKERS))
    topic = [w for w in re.findall(r"[A-Za-z]{4,}", text[:400]) if w.lower() not in _STOP][:6]
    return Hints(facts, total, tickers[:20], [w.lower() for w in topic])


_STOP = {
    "your",
    "you",
    "this",
    "that",
    "with",
    "from",
    "have",
    "will",
    "must",
    "should",
    "following",
    "please",
    "task",
    "provide",
    "here",
    "input",
    "agent",
    "responsible",
    "expert",
    "specializing",
    "primary",
    "about",
}


def _flatten_facts(obj: Any, facts: dict[str, str], depth: int = 0) -> None:
    if depth > 4:
        return
    if isinstance(obj, dict):
        for key, value in obj.items():
            if isinstance(value, (str, int, float, bool)) and not isinstance(value, bool) or isinstance(value, str):
                facts.setdefault(_norm(str(key)), str(value))
            else:
                _flatten_facts(value, facts, depth + 1)
    elif isinstance(obj, list):
        for item in obj[:20]:
            _flatten_facts(item, facts, depth + 1)


def json_objects(text: str, limit: int = 200) -> list[Any]:
    """Top-level JSON objects written in ``text`` (examples, schemas, input blocks), in order."""
    decoder = json.JSONDecoder()
    out: list[Any] = []
    pos, tries = 0, 0
    while tries < limit:
        start = text.find("{", pos)
        if start < 0:
            break
        tries += 1
        try:
            obj, end = decoder.raw_decode(text, start)
        except ValueError:
            pos = start + 1
            continue
        if isinstance(obj, dict):
            out.append(obj)
        pos = end
    return out


def looks_like_schema(obj: Any) -> bool:
    return isinstance(obj, dict) and (
        "$schema" in obj or (obj.get("type") == "object" and isinstance(obj.get("properties"), dict))
    )


def exact_reply(text: str) -> str | None:
    """``Done`` for a prompt that says ``Respond with "Done"``."""
    match = _EXACT.search(text)
    return match.group(1) if match else None


def wants_json(text: str) -> bool:
    return bool(re.search(r"\bJSON\b", text)) and bool(
        re.search(
            r"\b(output|respond|return|reply|answer|format|provide)\b[^.\n]{0,60}\bJSON\b|\bJSON\b[^.\n]{0,40}\b(only|object|format)\b",
            text,
            re.I,
        )
    )


@dataclass
class Limit:
    count: int
    unit: str  # words, characters, sentences, paragraphs, lines, bullets


def limits(text: str) -> list[Limit]:
    out = []
    for match in _LIMIT.finditer(text):
        unit = match.group(2).lower()
        unit = {"chars": "characters", "bullet": "bullets", "bullet points": "bullets", "items": "bullets"}.get(unit, unit)
        out.append(Limit(int(match.group(1).replace(",", "")), unit))
    return out


@dataclass
class Section:
    title: str
    items: tuple[int, int] | None  # "(5-7 actionable items)" -> (5, 7)


_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*•]|\d+[.)])\s+(.+?)\s*$")


def sections(text: str) -> list[Section]:
    """Section titles a prompt lists (a run of short Title Case list items), best list first."""
    best: list[Section] = []
    best_score = 0.0
    run: list[str] = []
    lead = ""
    lines = text.splitlines() + [""]
    for line in lines:
        match = _LIST_ITEM.match(line)
        if match:
            run.append(match.group(1))
            continue
        if len(run) >= 2:
            found = [s for s in (_section(item) for item in run) if s is not None]
            score = len(found) / len(run) * min(len(found), 8)
            if re.search(r"\b(include|includ|cover|section|report|structure|headings?|format|analysis|covering)", lead, re.I):
                score *= 2
            if score > best_score and len(found) >= 2:
                best, best_score = found, score
        if line.strip():
            lead = line
        run = []
    return best


def _section(item: str) -> Section | None:
    count = None
    match = _COUNT.search(item)
    if match:
        a, b = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(3))
        count = (int(a), int(b))
    title = re.sub(r"\s*\(.*?\)\s*", " ", item).strip().rstrip(":.").strip("*").strip()
    title = re.split(r"\s+[-–:]\s+", title)[0].strip()
    words = title.split()
    if not 1 <= len(words) <= 6 or not words[0][:1].isupper() or any(ch in title for ch in "{}`$="):
        return None
    if words[0].lower() in ("call", "use", "first", "then", "respond", "output", "return"):
        return None
    capitals = sum(w[:1].isupper() for w in words if len(w) > 3)
    if capitals < max(1, len([w for w in words if len(w) > 3]) - 1):
        return None
    return Section(title, count)


def named_tools(text: str, names: list[str]) -> list[str]:
    """The tools ``text`` names, in the order it first names them."""
    found = []
    for name in names:
        match = re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text)
        if match:
            found.append((match.start(), name))
    return [name for _, name in sorted(found)]


def tool_condition_holds(text: str, tool: str, facts_text: str) -> bool:
    """False when the line that tells to call ``tool`` sets a numeric condition the stated figures fail."""
    for line in text.splitlines():
        if not re.search(rf"(?<![\w]){re.escape(tool)}(?![\w])", line):
            continue
        cond = _CONDITION.search(line)
        if cond is None:
            continue
        var, op, limit = cond.group(1).lower(), cond.group(2), float(cond.group(3))
        value = _figure(var, facts_text)
        if value is None:
            continue
        return {
            ">=": value >= limit,
            "<=": value <= limit,
            ">": value > limit,
            "<": value < limit,
            "==": value == limit,
            "=": value == limit,
            "!=": value != limit,
        }[op]
    return True


def _figure(var: str, text: str) -> float | None:
    stems = {var, var.rstrip("s"), var + "s"}
    for stem in stems:
        match = re.search(rf"(\d[\d,]*(?:\.\d+)?)\s+{re.escape(stem)}\b", text, re.I) or re.search(
            rf"\b{re.escape(stem)}\s*[:=]\s*(\d[\d,]*(?:\.\d+)?)", text, re.I
        )
        if match:
            return float(match.group(1).replace(",", ""))
    return None


# What instructions write to let a model call several tools in one turn, and to forbid it.
_PARALLEL = re.compile(
    r"\bin parallel\b|\bparallel (?:tool |function )?calls?\b|\bconcurrent(?:ly)?\b|\bsimultaneous(?:ly)?\b"
    r"|\bat the same time\b|\ball at once\b|\bin any order\b|\bno need to wait\b"
    r"|\b(?:in|with|within) (?:a single|one|the same) (?:turn|response|reply|message|step|go)\b"
    r"|\bindependent (?:of|from) (?:each other|one another)\b|\b(?:are|is) (?:all |fully |mutually )?independent\b"
    r"|\bmutually independent\b|\bdo(?:n't| not) depend on (?:each other|one another)\b"
    r"|\b(?:call|invoke|run|use|request|trigger)\w*\b[^.\n]{0,80}\b(?:together|at once)\b",
    re.I,
)
_SEQUENTIAL = re.compile(
    r"\bone at a time\b|\bone after (?:the )?another\b|\bone by one\b|\bsequential(?:ly)?\b|\bin sequence\b"
    r"|\bone (?:tool |function )?(?:call )?(?:per|each) (?:turn|response|reply|message|step)\b"
    r"|\bwait for (?:each|the previous|its|their) (?:one|result|answer|call|tool)",
    re.I,
)
_NEGATION = re.compile(r"\b(?:not|never|avoid|no|nor|without)\b|n't\b", re.I)


def tools_in_parallel(text: str) -> bool:
    """True when ``text`` lets the tools be called together in one turn (``they are independent:
    call them in parallel``) and nothing in it asks for one at a time or negates that."""
    if _SEQUENTIAL.search(text):
        return False
    for match in _PARALLEL.finditer(text):
        clause = re.split(r"[.;:!?\n]", text[max(0, match.start() - 60) : match.start()])[-1]
        if not _NEGATION.search(clause):
            return True
    return False
