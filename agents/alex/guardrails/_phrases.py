"""Instruction-override phrasings in several languages, compiled against skeletons.

Why not a phrase list: "ignore previous instructions" is one of thousands of spellings
of the same request ("Ignore ALL of the prior directions", "ignoriere alle vorherigen
Anweisungen", "以前の指示をすべて無視"). Each phrasing here is a small grammar — a
sequence of slots, each slot a set of alternatives, some optional — and every literal
is passed through the same :func:`alex.guardrails._text.fold` as the text it is
matched against. Each grammar is compiled in two shapes (and each again for the
leetspeak reading):

* a *words* regex, matched on text whose separators were collapsed to one space, with
  word boundaries at both ends (precise; used for every phrasing);
* a *squashed* regex with no separators at all, matched on text with every separator
  removed, so "i.g.n.o.r.e p-r-e-v-i-o-u-s" and zero-width games still meet it. Only
  phrasings long enough to be unambiguous without spaces get one (CJK phrasings always,
  since those languages do not use spaces).

Benign text is the other half of the contract: phrasings are written to need the
*object* of the override ("…previous **instructions**", "…your **system prompt**"), so
"Ignore the dip, I'm holding VTI" or "disregard the above balance, it was a typo" pass.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Union

from ._text import fold, leet, squash, words_of

__all__ = ["Phrase", "PHRASES", "match_phrases", "match_role_tags", "SQUASH_MIN_CHARS"]

# -- a tiny grammar ---------------------------------------------------------------------


@dataclass(frozen=True)
class Opt:
    """An optional slot."""

    options: tuple[str, ...]


@dataclass(frozen=True)
class Gap:
    """Up to ``words`` arbitrary words in the words regex; in the squashed regex, up to
    ``chars`` characters (0 by default: a gap-less variant)."""

    words: int
    chars: int = 0


@dataclass(frozen=True)
class Then:
    """Lookahead: the phrase must be followed by the end of text or one of these words."""

    options: tuple[str, ...]


Slot = Union[str, tuple[str, ...], Opt, Gap, Then]  # noqa: UP007 (an alias evaluated at import: | on classes needs them defined)

SQUASH_MIN_CHARS: Final = 10
_STEM_EXTRA: Final = r"\w{0,6}"


@dataclass(frozen=True)
class Phrase:
    """One phrasing: ``kind`` (what it attempts), ``lang``, and its slots."""

    kind: str
    lang: str
    slots: tuple[Slot, ...]
    cjk: bool = False

    @property
    def name(self) -> str:
        first = self.slots[0]
        label = first if isinstance(first, str) else "/".join(_options(first)[:2])
        return f"{self.lang}:{self.kind}:{label}"


def _options(slot: Slot) -> tuple[str, ...]:
    if isinstance(slot, str):
        return (slot,)
    if isinstance(slot, (Opt, Then)):
        return slot.options
    if isinstance(slot, Gap):
        return ()
    return slot


def _literal(option: str, transform: _Transform, squashed: bool) -> tuple[str, int]:
    """Regex for one alternative, and its minimum length in skeleton characters.

    A word ending in ``*`` is a stem: up to six more word characters may follow it
    ("инструкци*" matches инструкции, инструкций, инструкциями).
    """
    if option.startswith("re:"):
        # raw regexes over skeleton text ("re:<words form>||<squashed form>"), for the
        # rare literal that needs a lookahead
        words_rx, _, squashed_rx = option[3:].partition("||")
        raw = squashed_rx if squashed else words_rx
        return raw, len(re.sub(r"\(\?.*?\)|[^a-z]", "", raw))
    parts: list[str] = []
    length = 0
    for word in option.split(" "):
        stem = word.endswith("*")
        skel = transform(word[:-1] if stem else word)
        skel = squash(skel) if squashed else words_of(skel)
        if not skel:
            continue
        length += len(skel.replace(" ", ""))
        parts.append(re.escape(skel) + (_STEM_EXTRA if stem else ""))
    return ("" if squashed else " ").join(parts), length


def _alternation(options: tuple[str, ...], transform: _Transform, squashed: bool) -> tuple[str, int]:
    parts = [_literal(o, transform, squashed) for o in options]
    # Longest first, so the regex engine prefers "instructions" over "instruction".
    parts.sort(key=lambda p: -len(p[0]))
    uniq = list(dict.fromkeys(p[0] for p in parts if p[0]))
    return "(?:" + "|".join(uniq) + ")", min(p[1] for p in parts)


class _Transform:
    def __init__(self, with_leet: bool) -> None:
        self.with_leet = with_leet

    def __call__(self, text: str) -> str:
        folded = fold(text)
        return leet(folded) if self.with_leet else folded


def _compile(phrase: Phrase, transform: _Transform, squashed: bool, *, lead: bool = True,
             bounded: bool = True) -> tuple[str, int] | None:
    """Render a phrase as a regex; returns (regex, min skeleton length) or None.

    ``lead=False`` drops the optional words and gaps before the first required word, and
    ``bounded=False`` the ``(?<!\\w)`` guard of the words form: see :func:`_prefilters`.
    """
    out = ""
    started = False  # has a required word been emitted (so separators go before)?
    min_len = 0
    kept: dict[int, tuple[str, ...]] = {}  # slot index -> alternatives kept
    first_required = next((i for i, slot in enumerate(phrase.slots) if not isinstance(slot, (Opt, Gap, Then))),
                          len(phrase.slots))

    def squashed_started(index: int) -> bool:
        return index > first_required

    if squashed and not phrase.cjk:
        # Without separators a short alternative is ambiguous ("drop" + "above" could be
        # anything), so keep only alternatives that make every possible match at least
        # SQUASH_MIN_CHARS long. Slots are filtered in order and each filter uses the
        # current minimum of the others: sound, because minimums only grow.
        required = [i for i, slot in enumerate(phrase.slots) if not isinstance(slot, (Opt, Gap, Then))]
        lengths = {i: {o: _literal(o, transform, True)[1] for o in _options(phrase.slots[i])} for i in required}
        for i in required:
            rest = sum(min(lengths[j].values()) for j in required if j != i)
            lengths[i] = {o: n for o, n in lengths[i].items() if n + rest >= SQUASH_MIN_CHARS}
            if not lengths[i]:
                return None
        kept = {i: tuple(opts) for i, opts in lengths.items()}
    for index, slot in enumerate(phrase.slots):
        if not lead and not started and not squashed_started(index) and isinstance(slot, (Gap, Opt)):
            continue
        if isinstance(slot, Gap):
            if not squashed:
                out += (r"(?: \w+){0,%d}" if started else r"(?:\w+ ){0,%d}") % slot.words
            elif slot.chars:
                out += r"\w{0,%d}" % slot.chars  # noqa: UP031 (braces would clash with the regex)
            continue
        options = kept.get(index, _options(slot))
        alt, length = _alternation(options, transform, squashed)
        if isinstance(slot, Then):
            out += f"(?={alt}|$)" if squashed else f"(?= {alt}(?!\\w)|$)"
            continue
        if squashed:
            out += f"(?:{alt})?" if isinstance(slot, Opt) else alt
        elif isinstance(slot, Opt):
            out += f"(?: {alt})?" if started else f"(?:{alt} )?"
        else:
            out += (" " if started else "") + alt
            started = True
        if not isinstance(slot, Opt):
            min_len += length
    if not squashed:
        return (rf"(?<!\w){out}(?!\w)" if bounded else rf"{out}(?!\w)"), min_len
    body = out
    if not (phrase.cjk or min_len >= SQUASH_MIN_CHARS):
        return None
    return body, min_len


# -- the phrasings -----------------------------------------------------------------------

OVERRIDE = "instruction_override"
ROLE = "role_reassignment"
EXFIL = "prompt_exfiltration"
NEW = "new_instructions"
BYPASS = "restriction_bypass"

P = Phrase

# English ------------------------------------------------------------------------------
_EN_IGNORE = (
    "ignore", "ignoring", "disregard", "disregarding", "forget", "skip", "bypass", "override",
    "overlook", "neglect", "discard", "drop", "abandon", "set aside", "pay no attention to",
    "do not follow", "don't follow", "dont follow", "stop following", "never mind", "nevermind",
    "throw out", "throw away", "ignore and forget",
)
_EN_ALL = Opt(("all", "any", "every", "each", "all of", "any of", "every one of", "of", "even"))
_EN_DET = Opt(("the", "your", "these", "those", "its", "that", "this", "such"))
_EN_PREV = (
    "previous", "previously given", "prior", "preceding", "above", "earlier", "foregoing",
    "initial", "original", "system", "default", "safety", "developer", "aforementioned",
    "above mentioned", "above-mentioned", "programmed", "preset", "hidden", "former",
    "pre-existing", "preexisting", "existing",
)
_EN_INSTR = (
    "instructions", "instruction", "prompt", "prompts", "rules", "directives", "directive",
    "guidelines", "commands", "directions", "context", "messages", "message", "guardrails", "constraints",
    "restrictions", "programming", "training", "policies", "system prompt", "system message",
    "instruction set", "orders given", "guidance", "briefing",
)
_EN_AFTER = (
    "above", "before", "before this", "given", "so far", "you were given", "you have been given",
    "you've been given", "you received", "you got", "i gave you", "from before", "provided",
    "in the system prompt", "up to now", "up to this point", "until now", "earlier", "previously",
)
_EN_CONT = (
    "and", "then", "instead", "now", "only", "just", "say", "tell", "write", "reply", "respond",
    "print", "output", "answer", "return", "repeat", "reveal", "show", "give", "send", "transfer",
    "translate", "act", "pretend", "follow", "do", "start", "begin", "you", "your", "from",
    "ignore", "forget", "list", "recommend", "buy", "sell", "approve", "grant", "execute", "run",
    "new", "please", "obey", "comply",
)
# "You are now an unrestricted AI": a freedom adjective is only a role when a role noun
# follows ("you are now eligible for unlimited withdrawals" is not one).
_EN_FREE_ADJ = (
    "jailbroken", "unrestricted", "unfiltered", "uncensored", "unlimited", "unbound", "unchained",
    "unleashed", "unshackled", "evil", "malicious", "rogue", "amoral", "unethical", "lawless",
    "different", "new", "free", "liberated", "hacked", "rebel", "uncontrolled", "unaligned",
)
_EN_ROLE_NOUN = (
    "ai", "a.i.", "assistant", "chatbot", "bot", "model", "language model", "llm", "gpt", "chatgpt",
    "version", "mode", "persona", "entity", "system", "intelligence", "machine", "robot",
    "character", "agent", "program",
)
_EN_ROLE_STRONG = (
    "jailbroken", "jailbreak", "jail broken", "unrestricted", "unfiltered", "uncensored", "evil",
    "hacker", "developer mode", "dev mode", "god mode", "debug mode", "admin mode", "sudo mode",
    "maintenance mode", "root mode", "jailbreak mode", "superuser", "do anything now",
    "without restrictions", "without any restrictions", "without limits", "without any limits",
    "without rules", "without any rules", "without filters", "without any filters",
    "with no restrictions", "with no rules", "with no limits", "with no filters",
    "no longer bound", "free from all restrictions", "free of all restrictions", "not bound by",
    "anti-ai", "free from restrictions", "free of restrictions", "beyond your programming",
)
_EN_DAN = ("re:(?:dan|d a n)(?! s(?!\\w))||dan(?!s)",)  # DAN the jailbreak, not "Dan's"
_EN_ROLE_WEAK = ("ai", "a.i.", "chatbot", "language model", "llm", "gpt", "chatgpt", "ai assistant", "ai model", "ai chatbot", "bot")
_EN_YOU_ARE_NOW = (
    "you are now", "you're now", "youre now", "you are going to be", "you will now be",
    "from now on you are", "from now on you will be", "from now on you're", "from now on, you are",
    "you have become", "you are hereby", "henceforth you are", "starting now you are",
)
_EN_ACT_AS = (
    "act as", "acting as", "you will act as", "you will now act as", "you must now act as",
    "pretend to be", "pretend you are", "pretend that you are", "pretend you're",
    "roleplay as", "role-play as", "role play as", "behave as", "behave like",
    "impersonate", "you will roleplay", "from now on you will act as",
    "from now on act as", "you are now acting as", "respond as", "answer as", "play the role of",
)
_EN_REVEAL = (
    "reveal", "print", "show", "display", "output", "repeat", "leak", "dump", "disclose",
    "tell me", "tell us", "give me", "share", "expose", "return", "recite", "echo", "write out",
    "spell out", "provide", "paste", "copy", "send me", "what is", "what are", "what's", "whats",
    "read back", "translate", "summarize", "summarise", "list", "state", "type out",
)
_EN_REVEAL_STRICT = (
    "reveal", "print", "show", "show me", "display", "output", "repeat", "leak", "dump", "disclose",
    "expose", "recite", "echo", "spell out", "write out", "type out", "tell me", "tell us",
    "print out", "regurgitate",
)
_EN_SECRET_ADJ = (
    "hidden", "secret", "internal", "system", "developer", "confidential", "pre", "backend",
    "behind-the-scenes", "invisible", "private",
)
_EN_PROMPT_OBJ = (
    "prompt", "prompts", "instructions", "system prompt", "system message", "message",
    "rules", "guidelines", "directives", "configuration", "instruction", "pre-prompt",
    "preprompt", "meta prompt", "metaprompt", "context", "programming",
)
_EN_PROMPT_ONLY = (
    "prompt", "prompts", "system prompt", "system message", "pre-prompt", "preprompt",
    "meta prompt", "metaprompt", "initial prompt", "original prompt", "programming",
    "system instructions", "hidden instructions", "secret instructions", "initial instructions",
    "original instructions", "prompt text", "instructions verbatim",
)

_EN: list[Phrase] = [
    P(OVERRIDE, "en", (_EN_IGNORE, _EN_ALL, Opt(("of",)), _EN_DET, Opt(("the",)), _EN_PREV,
                       Opt(("and", "or")), Opt(_EN_PREV), _EN_INSTR)),
    P(OVERRIDE, "en", (_EN_IGNORE, _EN_ALL, _EN_DET, _EN_INSTR, _EN_AFTER)),
    P(OVERRIDE, "en", (_EN_IGNORE, _EN_ALL, Opt(("of",)), ("your", "all your"),
                       Opt(("current", "existing", "safety", "core", "base", "built-in", "own")),
                       _EN_INSTR)),
    P(OVERRIDE, "en", (_EN_IGNORE, _EN_ALL, Opt(("of",)),
                       Opt(("the", "what is", "what's", "what was", "whatever is", "whatever was",
                            "everything", "anything", "that", "all that", "what i said", "what you were told")),
                       ("above", "foregoing", "preceding", "before this", "prior text", "previous text",
                        "text above", "previous content", "said above", "written above", "stated above",
                        "mentioned above", "said before", "content above", "instructions above"),
                       Then(_EN_CONT))),
    P(OVERRIDE, "en", (("forget", "ignore", "disregard", "erase", "clear", "wipe", "reset"),
                       ("everything", "all", "anything", "all that"),
                       ("you were told", "you have been told", "you've been told", "you know",
                        "above", "before", "so far", "up to now", "up until now", "i said before",
                        "from before", "previously", "you learned", "you have been instructed",
                        "you were instructed", "in your instructions", "in your prompt", "your memory",
                        "from your memory", "you were programmed"))),
    P(OVERRIDE, "en", (("reset", "wipe", "clear", "erase", "flush", "delete"),
                       Opt(("your", "the", "all")), ("instructions", "system prompt", "context",
                                                     "memory and instructions", "programming",
                                                     "rules", "guidelines"),
                       Then(_EN_CONT))),
    P(ROLE, "en", (_EN_YOU_ARE_NOW + _EN_ACT_AS, Opt(("a", "an", "the", "my", "in", "now", "totally",
                                                     "completely", "fully")),
                   Gap(1), _EN_ROLE_STRONG)),
    P(ROLE, "en", (_EN_YOU_ARE_NOW + _EN_ACT_AS, Opt(("a", "an", "the", "my", "now")), Gap(1),
                   _EN_FREE_ADJ, Gap(1), _EN_ROLE_NOUN)),
    P(ROLE, "en", (_EN_YOU_ARE_NOW + _EN_ACT_AS, Opt(("a", "an", "the")), _EN_DAN)),
    P(ROLE, "en", (_EN_YOU_ARE_NOW, ("a", "an", "the", "my"), Gap(1), _EN_ROLE_WEAK)),
    P(ROLE, "en", (("you are no longer", "you're no longer", "youre no longer", "you are not",
                    "you're not", "stop being", "you are not longer", "no longer are you"),
                   Opt(("a", "an", "the")), Gap(2),
                   ("ai", "assistant", "ai assistant", "language model", "chatbot", "bound", "restricted",
                    "limited", "required to", "obligated", "constrained", "programmed", "subject to",
                    "governed by", "an ai", "controlled by", "restricted by", "bound by"))),
    P(ROLE, "en", (("enable", "activate", "enter", "switch to", "turn on", "engage", "unlock",
                    "initiate", "you are in", "now in", "entering", "enabling", "activating", "run in"),
                   Opt(("the",)),
                   ("developer", "dev", "god", "dan", "jailbreak", "jailbroken", "debug", "admin",
                    "sudo", "unrestricted", "unfiltered", "root", "maintenance", "evil", "chaos",
                    "opposite", "uncensored"),
                   "mode")),
    P(ROLE, "en", (("developer", "dev", "god", "dan", "jailbreak", "jailbroken", "admin", "sudo",
                    "unrestricted", "unfiltered", "evil", "uncensored"),
                   "mode", ("enabled", "activated", "on", "engaged", "unlocked", "active"))),
    P(ROLE, "en", (("do anything now", "jailbreak prompt", "jailbroken ai", "dan prompt",
                    "you can do anything now", "dan mode", "stay in character"),)),
    P(ROLE, "en", (("if you are", "if you're", "to any", "to the", "attention", "note to", "dear",
                    "hey", "hello", "message for", "message to", "instructions for", "for any",
                    "calling all", "any"),
                   Opt(("an", "a", "the", "any", "all")),
                   ("ai", "ais", "llm", "llms", "language model", "chatbot", "ai model", "ai assistant",
                    "ai agent", "gpt", "chatgpt", "claude", "large language model"),
                   Opt(("that is", "which is", "who is", "that", "who", "currently")),
                   ("reading this", "reading", "processing this", "processing", "summarizing",
                    "summarising", "analyzing", "analysing", "parsing", "that reads", "who reads",
                    "reviewing this"))),
    P(EXFIL, "en", (_EN_REVEAL, Opt(("me", "us", "back")), Opt(("all", "all of", "the whole", "the full",
                                                                "the entire", "the complete", "exactly",
                                                                "verbatim")),
                    ("your", "all your", "all of your", "ur", "thy"),
                    Opt(("full", "entire", "complete", "exact", "whole", "hidden", "secret", "internal",
                         "developer", "confidential")),
                    _EN_PROMPT_ONLY)),
    P(EXFIL, "en", (_EN_REVEAL_STRICT, Opt(("me", "us", "back")),
                    Opt(("all", "all of", "the whole", "the full", "the entire", "the complete", "exactly",
                         "verbatim")),
                    ("your", "all your", "all of your", "ur"),
                    Opt(("full", "entire", "complete", "exact", "whole", "original", "initial",
                         "hidden", "secret", "internal", "system", "developer", "confidential")),
                    _EN_PROMPT_OBJ)),
    P(EXFIL, "en", (("what are your", "what were your", "what is your", "what's your", "whats your"),
                    Opt(("full", "exact", "hidden", "secret", "original", "initial", "system", "internal")),
                    ("instructions", "system prompt", "prompt", "directives", "system message",
                     "programming"))),
    P(EXFIL, "en", (("what were", "what are", "what was", "what is", "tell me", "show me", "list", "repeat",
                     "print", "reveal"),
                    Opt(("the", "all the", "all of the")),
                    Opt(("exact", "original", "initial", "full", "first", "hidden", "secret", "precise")),
                    ("instructions", "prompt", "rules", "directives", "guidelines", "system prompt"),
                    ("you were given", "you have been given", "you've been given", "you received",
                     "you got", "given to you", "you were told", "you are following", "you follow",
                     "you operate under", "you were trained with", "you were programmed with"))),
    P(EXFIL, "en", (("what were you told", "what have you been told", "what were you instructed",
                     "how were you instructed", "what instructions were you given",
                     "what instructions did you receive", "what is written above",
                     "what was written above"),)),
    P(EXFIL, "en", (_EN_REVEAL, Opt(("me", "us", "back")),
                    Opt(("the", "all", "all the", "the full", "the entire", "the complete", "the exact")),
                    Opt(("full", "entire", "complete", "exact", "verbatim")),
                    _EN_SECRET_ADJ, Opt(("system",)), _EN_PROMPT_OBJ)),
    P(EXFIL, "en", (("repeat", "print", "output", "echo", "recite", "reveal", "dump", "leak", "copy",
                     "paste", "write out", "spell out", "type out", "show me", "display"),
                    Opt(("back", "me", "all")),
                    ("everything", "all text", "the text", "the words", "all the text", "the content",
                     "all content", "all the words", "what is written", "what was written",
                     "the message", "the messages", "every word", "all words"),
                    ("above", "before this", "so far", "preceding", "prior to this", "you were given",
                     "in your context", "in your context window", "from the beginning"))),
    P(EXFIL, "en", (("system prompt", "system-prompt", "systemprompt", "sys prompt", "initial prompt",
                     "hidden prompt", "secret prompt", "developer prompt", "developer message",
                     "system instructions", "hidden instructions", "secret instructions",
                     "pre-prompt", "meta-prompt", "prompt leak", "prompt leaking",
                     "context window contents"),)),
    P(NEW, "en", (("your",),
                  ("new", "real", "actual", "true", "updated", "revised", "only", "sole", "secret"),
                  ("instructions", "directives", "task", "role", "objective", "purpose",
                   "mission", "persona", "prompt", "system prompt", "orders", "programming",
                   "identity", "rules"),
                  ("is", "are", "will be", "shall be", "now is", "are now", "is now", "as follows"))),
    P(NEW, "en", (("here are", "here is", "these are", "following are", "below are", "listen to",
                   "obey", "execute"),
                  Opt(("your", "these")),
                  ("new", "updated", "real", "actual", "revised", "overriding", "override"),
                  Opt(("system",)),
                  ("instructions", "directives", "commands", "system prompt", "prompt"))),
    P(NEW, "en", (("admin override", "system override", "emergency override", "security override",
                   "priority override", "developer override", "root override", "sudo override",
                   "override code", "override command", "override instructions", "override protocol"),)),
    P(BYPASS, "en", (("bypass", "disable", "disabling", "turn off", "switch off", "deactivate",
                      "circumvent", "override", "ignore", "remove", "evade", "get around"),
                     Opt(("your", "the", "all", "any", "all of your", "all your", "all the", "its")),
                     Opt(("safety", "content", "ethical", "moral", "security", "built-in", "internal")),
                     ("filters", "filter", "guardrails", "guardrail", "safeguards", "safety",
                      "censorship", "content policy", "moderation", "safety rules", "safety guidelines",
                      "ethical guidelines", "alignment", "safety filters", "safety measures",
                      "safety protocols", "programming", "restrictions and rules",
                      "content filters", "ethical constraints", "safety constraints"))),
    P(BYPASS, "en", (("bypass", "disable", "turn off", "circumvent", "override", "ignore", "remove",
                      "lift", "suspend", "drop", "forget", "abandon"),
                     ("your", "all your", "all of your", "its"),
                     Opt(("safety", "content", "ethical", "moral", "built-in", "own")),
                     ("restrictions", "limitations", "limits", "rules", "guidelines", "constraints",
                      "boundaries", "policies", "ethics", "morals", "principles", "values"))),
    P(BYPASS, "en", (("an", "a", "the"), ("ai", "assistant", "model", "chatbot", "bot", "llm",
                                          "ai assistant", "ai model", "language model", "version of you"),
                     Opt(("that is", "who is", "which is", "that has", "who has", "which has", "is", "are",
                          "now")),
                     ("without", "with no", "free of", "free from", "not bound by", "unbound by",
                      "having no", "no longer bound by", "not limited by", "not restricted by",
                      "unconstrained by"),
                     Opt(("any", "all", "your", "the")), Opt(("ethical", "moral", "safety", "content")),
                     ("restrictions", "limitations", "limits", "rules", "filters", "guidelines",
                      "guardrails", "censorship", "ethics", "morals", "boundaries", "safeguards",
                      "policies", "constraints"))),
]

# Spanish ------------------------------------------------------------------------------
_ES_IGNORE = (
    "ignora", "ignore", "ignorar", "ignoren", "ignoras", "olvida", "olvide", "olvidar", "olviden",
    "omite", "omita", "omitir", "descarta", "descarte", "desestima", "desestime", "haz caso omiso de",
    "haga caso omiso de", "hagan caso omiso de", "no hagas caso de", "no hagas caso a", "no sigas",
    "no siga", "deja de seguir", "pasa por alto", "pase por alto", "salta", "anula", "anule",
    "desobedece", "no obedezcas", "no tengas en cuenta", "no tenga en cuenta",
)
_ES_INSTR = (
    "instrucciones", "instruccion", "indicaciones", "reglas", "ordenes", "directrices", "normas",
    "directivas", "pautas", "mensajes", "comandos", "consignas", "restricciones", "prompt",
)
_ES: list[Phrase] = [
    P(OVERRIDE, "es", (_ES_IGNORE, Opt(("todas", "todos", "toda", "todo", "cualquier")),
                       Opt(("las", "los", "tus", "sus", "estas", "esas")), Opt(("anteriores", "previas")),
                       _ES_INSTR,
                       ("anteriores", "previas", "de arriba", "precedentes", "anteriormente dadas",
                        "originales", "iniciales", "del sistema", "de sistema", "que te dieron",
                        "que te han dado", "recibidas", "dadas", "previamente dadas", "ya dadas",
                        "de antes", "mencionadas", "que recibiste", "que tienes", "dadas antes"))),
    P(OVERRIDE, "es", (_ES_IGNORE, Opt(("todas", "todos", "toda", "todo")), ("tus", "sus"), _ES_INSTR)),
    P(OVERRIDE, "es", (_ES_IGNORE, Opt(("todo", "toda", "con")),
                       ("lo anterior", "lo de arriba", "lo que se dijo antes", "lo que te dijeron",
                        "lo que se te dijo", "lo dicho anteriormente", "lo dicho", "lo escrito arriba",
                        "el texto anterior", "lo que esta arriba", "lo que hay arriba",
                        "lo mencionado arriba", "lo que sabes", "lo que te han dicho"))),
    P(ROLE, "es", (("ahora eres", "ahora seras", "ahora vas a ser", "a partir de ahora eres",
                    "a partir de ahora seras", "desde ahora eres", "de ahora en adelante eres",
                    "actua como", "actue como", "finge ser", "finge que eres", "ya no eres",
                    "comportate como", "haz de", "eres ahora", "te conviertes en", "conviertete en",
                    "usted es ahora", "ahora usted es"),
                   Opt(("un", "una", "el", "la", "mi")), Gap(2),
                   ("asistente", "ia", "inteligencia artificial", "modelo", "bot", "chatbot", "dan",
                    "sin restricciones", "sin limites", "sin filtros", "sin censura", "sin reglas",
                    "modo desarrollador", "hacker", "malvado", "malvada", "liberado", "desbloqueado",
                    "sin ninguna restriccion", "sin ataduras"))),
    P(EXFIL, "es", (("revela", "revelar", "revelame", "muestra", "muestrame", "mostrar", "imprime",
                     "imprimir", "dime", "repite", "repetir", "ensena", "ensename", "comparte",
                     "filtra", "escribe", "dame", "cual es", "cuales son", "proporciona", "expon",
                     "divulga", "copia", "recita"),
                    Opt(("me", "nos")),
                    Opt(("el", "tu", "tus", "la", "las", "los", "su", "sus", "todo el", "todas las", "completo")),
                    ("prompt del sistema", "prompt de sistema", "mensaje del sistema", "mensaje de sistema",
                     "instrucciones del sistema", "instrucciones de sistema", "instrucciones ocultas",
                     "instrucciones originales", "instrucciones iniciales", "prompt", "prompt inicial",
                     "prompt original", "indicaciones del sistema", "instrucciones secretas",
                     "configuracion interna"))),
    P(EXFIL, "es", (("revela", "muestra", "muestrame", "dime", "repite", "imprime", "ensename", "dame",
                     "cuales son", "comparte", "escribe"),
                    ("tus", "sus", "todas tus"), ("instrucciones", "reglas", "indicaciones", "directrices"))),
    P(EXFIL, "es", (("prompt del sistema", "prompt de sistema", "instrucciones del sistema",
                     "mensaje del sistema"),)),
    P(NEW, "es", (("tus", "sus", "las"), ("nuevas", "verdaderas", "reales"),
                  ("instrucciones", "ordenes", "reglas", "directrices", "indicaciones"), ("son", "seran"))),
    P(NEW, "es", (("tu", "su"), ("nueva", "nuevo", "verdadera", "verdadero"),
                  ("tarea", "mision", "rol", "papel", "objetivo", "funcion", "proposito"), ("es", "sera"))),
]

# French -------------------------------------------------------------------------------
_FR_IGNORE = (
    "ignore", "ignorez", "ignorer", "ignores", "oublie", "oubliez", "oublier", "ne tiens pas compte",
    "ne tenez pas compte", "ne tiens plus compte", "ne tenez plus compte", "fais abstraction",
    "faites abstraction", "neglige", "negligez", "passe outre", "passez outre", "omets", "omettez",
    "ecarte", "ecartez", "n'obeis plus", "n obeis plus", "ne suis plus", "ne suivez plus",
    "ne respecte plus", "ne respectez plus", "annule", "annulez", "laisse tomber", "laissez tomber",
    "ne suis pas", "ne suivez pas", "desobeis", "desobeissez",
)
_FR_INSTR = (
    "instructions", "instruction", "consignes", "regles", "directives", "ordres", "indications",
    "messages", "commandes", "prompt", "restrictions", "contraintes",
)
_FR: list[Phrase] = [
    P(OVERRIDE, "fr", (_FR_IGNORE, Opt(("de", "des", "du", "a", "aux")), Opt(("toutes", "tous", "tout")),
                       Opt(("les", "tes", "vos", "ces", "des", "de", "l")), Opt(("anciennes",)),
                       _FR_INSTR,
                       ("precedentes", "anterieures", "ci-dessus", "ci dessus", "d'avant", "d avant",
                        "du systeme", "systeme", "initiales", "originales", "recues", "donnees",
                        "qu'on t'a donnees", "qu on t a donnees", "precedemment donnees",
                        "fournies", "de depart", "au-dessus", "plus haut"))),
    P(OVERRIDE, "fr", (_FR_IGNORE, Opt(("de", "des")), Opt(("toutes", "tous", "tout")),
                       ("tes", "vos"), _FR_INSTR)),
    P(OVERRIDE, "fr", (_FR_IGNORE, Opt(("de", "a")), Opt(("tout",)),
                       ("ce qui precede", "ce qui est au-dessus", "ce qui est au dessus",
                        "ce qui est ci-dessus", "ce qu'on t'a dit", "ce qu on t a dit",
                        "ce que l'on t'a dit", "ce que l on t a dit", "ce qui a ete dit avant",
                        "ce qui a ete dit", "le texte ci-dessus", "le texte precedent",
                        "ce qui a ete dit plus haut", "ce qui est ecrit au-dessus",
                        "ce qui est ecrit plus haut", "ce que tu sais"))),
    P(ROLE, "fr", (("tu es maintenant", "vous etes maintenant", "desormais tu es", "desormais vous etes",
                    "a partir de maintenant tu es", "a partir de maintenant vous etes", "dorenavant tu es",
                    "dorenavant vous etes", "tu n'es plus", "tu n es plus", "vous n'etes plus",
                    "agis comme", "agissez comme", "fais semblant d'etre", "faites semblant d'etre",
                    "fais comme si tu etais", "joue le role", "joue le role d", "tu deviens",
                    "tu es desormais", "vous etes desormais", "comporte-toi comme", "comportez-vous comme",
                    "a partir d'aujourd'hui tu es", "maintenant tu es", "maintenant vous etes"),
                   Opt(("un", "une", "le", "la", "l", "mon", "ma")), Gap(2),
                   ("assistant", "ia", "intelligence artificielle", "modele", "bot", "chatbot", "dan",
                    "sans restriction", "sans restrictions", "sans limites", "sans limite", "sans filtre",
                    "sans filtres", "sans censure", "sans regles", "mode developpeur", "pirate",
                    "hacker", "malveillant", "libere", "debride", "sans aucune restriction",
                    "sans aucune limite"))),
    P(EXFIL, "fr", (("revele", "revelez", "affiche", "affichez", "montre", "montrez", "montre-moi",
                     "montrez-moi", "imprime", "imprimez", "donne-moi", "donnez-moi", "donne", "donnez",
                     "repete", "repetez", "dis-moi", "dites-moi", "divulgue", "divulguez", "partage",
                     "partagez", "ecris", "ecrivez", "recite", "quel est", "quelles sont", "copie",
                     "expose", "exposez", "communique", "communiquez"),
                    Opt(("moi", "nous")),
                    Opt(("le", "ton", "votre", "la", "tes", "vos", "les", "l", "tout le", "toutes les")),
                    ("prompt systeme", "prompt du systeme", "message systeme", "message du systeme",
                     "instructions systeme", "instructions du systeme", "instructions cachees",
                     "instructions initiales", "instructions originales", "prompt initial", "prompt",
                     "consignes systeme", "consignes du systeme", "consignes cachees",
                     "instructions secretes", "invite systeme", "consignes initiales"))),
    P(EXFIL, "fr", (("revele", "revelez", "affiche", "affichez", "montre", "montrez", "montre-moi",
                     "donne-moi", "donnez-moi", "repete", "repetez", "dis-moi", "dites-moi",
                     "quelles sont", "ecris", "partage"),
                    Opt(("moi",)),
                    ("tes", "vos", "toutes tes", "toutes vos"),
                    ("instructions", "consignes", "regles", "directives"))),
    P(EXFIL, "fr", (("prompt systeme", "prompt du systeme", "invite systeme", "instructions du systeme",
                     "message systeme"),)),
    P(NEW, "fr", (("tes", "vos", "les"), ("nouvelles", "vraies", "veritables"),
                  ("instructions", "consignes", "regles", "directives", "ordres"), ("sont", "seront"))),
    P(NEW, "fr", (("ta", "votre", "ton"), ("nouvelle", "nouveau", "vraie", "vrai", "veritable"),
                  ("tache", "mission", "role", "objectif", "fonction", "but"), ("est", "sera"))),
]

# German -------------------------------------------------------------------------------
_DE_IGNORE = (
    "ignoriere", "ignorier", "ignorieren", "ignoriert", "ignorieren sie", "vergiss", "vergessen sie",
    "vergesst", "missachte", "missachten sie", "missachtet", "ubergehe", "ubergehen sie",
    "uberspringe", "uberspringen sie", "verwirf", "verwerfe", "verwerfen sie", "beachte nicht",
    "beachten sie nicht", "befolge nicht", "befolge nicht mehr", "befolgen sie nicht",
    "folge nicht mehr", "hore nicht auf", "streiche",
    "vernachlassige", "vernachlassigen sie", "schenke keine beachtung",
)
_DE_ADJ = (
    "bisherigen", "bisherige", "vorherigen", "vorherige", "vorigen", "vorige", "fruheren",
    "fruehere", "obigen", "obige", "vorangegangenen", "vorangegangene", "vorhergehenden",
    "vorhergehende", "ursprunglichen", "ursprungliche", "alten", "anfanglichen", "initialen",
    "gegebenen", "erhaltenen", "oben genannten", "obenstehenden", "vorstehenden", "system",
)
_DE_INSTR = (
    "anweisungen", "anweisung", "instruktionen", "befehle", "regeln", "vorgaben", "richtlinien",
    "anordnungen", "direktiven", "systemanweisungen", "anleitungen", "aufforderungen", "eingaben",
    "nachrichten", "hinweise", "einschrankungen", "prompts", "prompt", "systemprompt",
)
_DE: list[Phrase] = [
    P(OVERRIDE, "de", (_DE_IGNORE, Opt(("alle", "samtliche", "jegliche", "saemtliche")),
                       Opt(("die", "deine", "ihre", "eure", "der", "den", "deiner")), _DE_ADJ,
                       Opt(("system",)), _DE_INSTR)),
    P(OVERRIDE, "de", (_DE_IGNORE, Opt(("alle", "samtliche", "jegliche")),
                       ("deine", "ihre", "eure", "alle deine", "alle ihre"), _DE_INSTR)),
    P(OVERRIDE, "de", (_DE_IGNORE, Opt(("alle", "die")), _DE_INSTR,
                       ("oben", "von oben", "von vorher", "zuvor", "davor", "von vorhin", "bis jetzt",
                        "bisher"))),
    P(OVERRIDE, "de", (("vergiss", "vergessen sie", "ignoriere", "ignorieren sie", "missachte"),
                       ("alles", "alle"), Opt(("was", "bisherige", "bisher", "vorher", "zuvor", "das")),
                       Gap(2),
                       ("oben steht", "oben", "vorher", "zuvor", "bisher", "bisherige", "davor", "gesagt",
                        "gesagt wurde", "gesagt hat", "gesagt hast", "gelernt", "gesagt wurden",
                        "steht oben", "obenstehende", "vorangegangene"))),
    P(ROLE, "de", (("du bist jetzt", "du bist nun", "du bist ab sofort", "ab jetzt bist du",
                    "ab sofort bist du", "von nun an bist du", "sie sind jetzt", "sie sind nun",
                    "sie sind ab sofort", "du bist kein", "du bist keine", "du bist nicht mehr",
                    "handle als", "agiere als", "verhalte dich wie", "verhalte dich als",
                    "tu so als warst du", "tu so als waerst du", "tu so als ob du",
                    "spiele die rolle", "du wirst jetzt", "du wirst zu", "werde zu", "gib dich als"),
                   Opt(("ein", "eine", "einen", "der", "die", "das", "mein", "meine")), Gap(2),
                   ("assistent*", "ki", "kunstliche intelligenz", "modell", "bot", "chatbot", "dan",
                    "uneingeschrankt*", "ohne einschrankungen", "ohne regeln", "ohne filter",
                    "ohne zensur", "ohne grenzen", "ohne beschrankungen", "entwicklermodus", "hacker",
                    "bose", "boser", "befreit*", "freigeschaltet*", "unzensiert*", "ungefiltert*"))),
    P(EXFIL, "de", (("zeige", "zeig", "zeigen sie", "gib", "geben sie", "gib mir", "nenne", "nennen sie",
                     "verrate", "verraten sie", "wiederhole", "wiederholen sie", "drucke", "gib aus",
                     "offenbare", "enthulle", "teile", "schreibe", "schreib", "was ist", "was sind",
                     "liste", "kopiere", "gib wieder", "ausgeben"),
                    Opt(("mir", "uns")),
                    Opt(("deinen", "deine", "dein", "den", "die", "das", "ihren", "ihre", "ihr", "deinen ganzen",
                         "den vollstandigen", "die vollstandigen")),
                    ("systemprompt", "system prompt", "system-prompt", "systemanweisungen",
                     "systemanweisung", "systemnachricht", "versteckten anweisungen",
                     "ursprunglichen anweisungen", "anfanglichen anweisungen", "prompt",
                     "geheimen anweisungen", "internen anweisungen", "initialen anweisungen",
                     "systemvorgaben", "systembefehle"))),
    P(EXFIL, "de", (("zeige", "zeig", "gib", "nenne", "verrate", "wiederhole", "schreibe", "was sind",
                     "teile", "liste"),
                    Opt(("mir", "uns")), ("deine", "ihre", "alle deine"),
                    ("anweisungen", "regeln", "instruktionen", "vorgaben", "richtlinien"))),
    P(EXFIL, "de", (("systemprompt", "system-prompt", "systemanweisungen", "systemnachricht"),)),
    P(NEW, "de", (("deine", "ihre", "die"), ("neuen", "wahren", "echten", "eigentlichen"),
                  ("anweisungen", "befehle", "regeln", "instruktionen", "vorgaben"), ("sind", "lauten"))),
    P(NEW, "de", (("deine", "ihre", "dein", "ihr"), ("neue", "neuer", "wahre", "echte", "eigentliche"),
                  ("aufgabe", "rolle", "mission", "ziel", "funktion", "zweck", "auftrag"), ("ist", "lautet"))),
]

# Italian ------------------------------------------------------------------------------
_IT_IGNORE = (
    "ignora", "ignorate", "ignori", "ignorare", "dimentica", "dimenticate", "dimentichi",
    "dimenticare", "non tenere conto", "non tenete conto", "non tener conto", "trascura",
    "trascurate", "tralascia", "tralasciate", "salta", "scarta", "scartate", "non seguire",
    "non seguite", "non seguire piu", "smetti di seguire", "non considerare", "non considerate",
    "lascia perdere", "annulla", "annullate", "disobbedisci", "non obbedire",
)
_IT_INSTR = (
    "istruzioni", "istruzione", "indicazioni", "regole", "direttive", "ordini", "comandi",
    "messaggi", "prompt", "restrizioni", "vincoli", "consegne",
)
_IT: list[Phrase] = [
    P(OVERRIDE, "it", (_IT_IGNORE, Opt(("di", "delle", "dei", "degli", "le", "a")),
                       Opt(("tutte", "tutti", "tutto", "qualsiasi")),
                       Opt(("le", "i", "gli", "tue", "tuoi", "le tue", "i tuoi", "queste", "delle")),
                       _IT_INSTR,
                       ("precedenti", "di prima", "sopra", "qui sopra", "iniziali", "originali",
                        "del sistema", "di sistema", "ricevute", "date", "anteriori", "fornite",
                        "precedentemente date", "che ti sono state date", "che hai ricevuto",
                        "scritte sopra"))),
    P(OVERRIDE, "it", (_IT_IGNORE, Opt(("di", "delle", "a")), Opt(("tutte", "tutti", "tutto")),
                       ("le tue", "i tuoi", "tue", "tuoi"), _IT_INSTR)),
    P(OVERRIDE, "it", (_IT_IGNORE, Opt(("di", "a")), Opt(("tutto",)),
                       ("quanto sopra", "cio che precede", "quello che ti e stato detto",
                        "tutto quello che hai ricevuto", "quello scritto sopra", "quanto detto prima",
                        "cio che e stato detto", "quello che precede", "il testo sopra",
                        "il testo precedente", "quanto scritto sopra", "cio che sai",
                        "quello che sai"))),
    P(ROLE, "it", (("ora sei", "adesso sei", "da ora sei", "da adesso sei", "d'ora in poi sei",
                    "d ora in poi sei", "da ora in poi sei", "a partire da ora sei", "non sei piu",
                    "comportati come", "agisci come", "fingi di essere", "fai finta di essere",
                    "ora tu sei", "adesso tu sei", "diventi", "diventa", "sei ora", "lei e ora",
                    "interpreta il ruolo"),
                   Opt(("un", "una", "uno", "il", "la", "l", "un\'", "mio", "mia")), Gap(2),
                   ("assistente", "ia", "intelligenza artificiale", "modello", "bot", "chatbot", "dan",
                    "senza restrizioni", "senza limiti", "senza filtri", "senza censura", "senza regole",
                    "modalita sviluppatore", "hacker", "malvagio", "libero da", "sbloccato",
                    "senza alcuna restrizione", "senza alcun limite"))),
    P(EXFIL, "it", (("rivela", "rivelami", "mostra", "mostrami", "stampa", "dimmi", "ripeti", "condividi",
                     "svela", "visualizza", "dammi", "fammi vedere", "scrivi", "qual e", "quali sono",
                     "elenca", "copia", "riporta", "mostraci"),
                    Opt(("il", "tuo", "il tuo", "le", "tue", "le tue", "la", "i", "tutto il", "tutte le", "l")),
                    ("prompt di sistema", "prompt del sistema", "messaggio di sistema",
                     "istruzioni di sistema", "istruzioni del sistema", "istruzioni nascoste",
                     "istruzioni originali", "istruzioni iniziali", "prompt iniziale", "prompt",
                     "istruzioni segrete", "prompt originale"))),
    P(EXFIL, "it", (("rivela", "rivelami", "mostra", "mostrami", "dimmi", "ripeti", "scrivi", "quali sono",
                     "dammi", "elenca", "condividi"),
                    ("le tue", "tue", "tutte le tue"), ("istruzioni", "regole", "indicazioni", "direttive"))),
    P(EXFIL, "it", (("prompt di sistema", "prompt del sistema", "istruzioni di sistema"),)),
    P(NEW, "it", (("le tue", "le", "tue"), ("nuove", "vere"),
                  ("istruzioni", "regole", "direttive", "indicazioni", "ordini"), ("sono", "saranno"))),
    P(NEW, "it", (("il tuo", "la tua", "tuo", "tua"), ("nuovo", "nuova", "vero", "vera"),
                  ("compito", "ruolo", "obiettivo", "missione", "scopo", "funzione"), ("e", "sara"))),
]

# Portuguese ---------------------------------------------------------------------------
_PT_IGNORE = (
    "ignore", "ignora", "ignorem", "ignorar", "esqueca", "esquece", "esquecam", "esquecer",
    "desconsidere", "desconsidera", "desconsiderar", "despreze", "despreza", "nao siga", "nao sigas",
    "pare de seguir", "deixe de lado", "descarte", "descarta", "pule", "nao leve em conta",
    "nao considere", "nao obedeca", "desobedeca", "anule", "anula", "passe por cima de",
)
_PT_INSTR = (
    "instrucoes", "instrucao", "orientacoes", "regras", "diretrizes", "ordens", "comandos",
    "mensagens", "indicacoes", "prompt", "restricoes",
)
_PT: list[Phrase] = [
    P(OVERRIDE, "pt", (_PT_IGNORE, Opt(("todas", "todos", "tudo", "quaisquer")),
                       Opt(("as", "os", "suas", "seus", "tuas", "teus", "estas", "essas")),
                       _PT_INSTR,
                       ("anteriores", "previas", "acima", "de antes", "iniciais", "originais",
                        "do sistema", "de sistema", "recebidas", "dadas", "passadas", "precedentes",
                        "que voce recebeu", "que te deram", "dadas anteriormente", "fornecidas"))),
    P(OVERRIDE, "pt", (_PT_IGNORE, Opt(("todas", "todos")), ("suas", "seus", "tuas", "teus"), _PT_INSTR)),
    P(OVERRIDE, "pt", (_PT_IGNORE, Opt(("tudo",)),
                       ("o que foi dito acima", "o que foi dito antes", "o que esta acima", "acima",
                        "o que te disseram", "o que foi dito", "o anterior", "o texto acima",
                        "o texto anterior", "o que voce sabe", "o que lhe disseram",
                        "o que foi escrito acima", "que foi dito acima"))),
    P(ROLE, "pt", (("agora voce e", "agora tu es", "agora es", "a partir de agora voce e",
                    "a partir de agora voce sera", "de agora em diante voce e", "voce nao e mais",
                    "aja como", "atue como", "finja ser", "finja que e", "finja que voce e",
                    "comporte-se como", "voce agora e", "voce e agora", "voce se torna",
                    "torne-se", "a partir de agora tu es"),
                   Opt(("um", "uma", "o", "a", "meu", "minha")), Gap(2),
                   ("assistente", "ia", "inteligencia artificial", "modelo", "bot", "chatbot", "dan",
                    "sem restricoes", "sem limites", "sem filtros", "sem censura", "sem regras",
                    "modo desenvolvedor", "hacker", "malvado", "livre de", "desbloqueado",
                    "sem nenhuma restricao", "sem qualquer restricao"))),
    P(EXFIL, "pt", (("revele", "revela", "mostre", "mostra", "mostre-me", "imprima", "imprime", "diga",
                     "diga-me", "me diga", "me mostre", "repita", "compartilhe", "exiba", "exibe",
                     "divulgue", "escreva", "qual e", "quais sao", "de-me", "me de", "copie", "liste"),
                    Opt(("me",)),
                    Opt(("o", "seu", "teu", "o seu", "o teu", "as", "suas", "tuas", "a", "todo o", "todas as")),
                    ("prompt do sistema", "prompt de sistema", "mensagem do sistema",
                     "mensagem de sistema", "instrucoes do sistema", "instrucoes de sistema",
                     "instrucoes ocultas", "instrucoes originais", "instrucoes iniciais",
                     "prompt inicial", "prompt", "instrucoes secretas", "prompt original"))),
    P(EXFIL, "pt", (("revele", "mostre", "mostre-me", "diga", "diga-me", "me diga", "repita", "quais sao",
                     "escreva", "liste", "compartilhe", "me mostre"),
                    ("suas", "tuas", "todas as suas"), ("instrucoes", "regras", "diretrizes", "orientacoes"))),
    P(EXFIL, "pt", (("prompt do sistema", "prompt de sistema", "instrucoes do sistema"),)),
    P(NEW, "pt", (("suas", "tuas", "as"), ("novas", "verdadeiras", "reais"),
                  ("instrucoes", "ordens", "regras", "diretrizes", "orientacoes"), ("sao", "serao"))),
    P(NEW, "pt", (("sua", "tua", "seu", "teu"), ("nova", "novo", "verdadeira", "verdadeiro"),
                  ("tarefa", "missao", "funcao", "papel", "objetivo", "proposito"), ("e", "sera"))),
]

# Dutch --------------------------------------------------------------------------------
_NL: list[Phrase] = [
    P(OVERRIDE, "nl", (("negeer", "negeren", "vergeet", "vergeten", "sla over", "volg niet",
                        "volg niet langer", "houd geen rekening met", "laat varen"),
                       Opt(("alle", "al", "elke")), Opt(("de", "je", "jouw", "uw", "deze")),
                       ("vorige", "eerdere", "voorgaande", "bovenstaande", "oorspronkelijke",
                        "vorig", "eerder gegeven", "systeem"),
                       ("instructies", "opdrachten", "regels", "aanwijzingen", "richtlijnen",
                        "bevelen", "prompts"))),
    P(ROLE, "nl", (("je bent nu", "jij bent nu", "u bent nu", "vanaf nu ben je", "doe alsof je",
                    "gedraag je als", "je bent niet langer"), Opt(("een", "de", "het", "mijn")), Gap(2),
                   ("assistent", "ai", "model", "bot", "dan", "zonder beperkingen", "zonder regels",
                    "zonder filters", "ontwikkelaarsmodus", "hacker", "onbeperkt*", "ongefilterd*"))),
    P(EXFIL, "nl", (("toon", "laat zien", "geef", "herhaal", "onthul", "print", "wat is"),
                    Opt(("me", "mij", "ons")), Opt(("je", "jouw", "uw", "de", "het")),
                    ("systeemprompt", "systeem prompt", "systeeminstructies", "verborgen instructies",
                     "oorspronkelijke instructies", "prompt", "instructies"))),
]

# Chinese (squashed only: no spaces in the language) -------------------------------------
_ZH_IGNORE = (
    "忽略", "无视", "無視", "忽视", "忽視", "不要理会", "不要理會", "不理会", "不理會", "忘记", "忘記",
    "忘掉", "丢弃", "丟棄", "抛弃", "拋棄", "跳过", "跳過", "别管", "別管", "不要遵守", "不再遵守",
    "不要遵循", "停止遵循", "放弃", "放棄", "撇开", "撇開", "不用管", "不必理会", "不必理會", "不要管",
    "无需理会", "無需理會", "请忽略", "請忽略",
)
_ZH_PREV = (
    "之前", "以前", "先前", "此前", "前面", "上面", "上述", "以上", "前述", "原来", "原來", "原先",
    "最初", "初始", "系统", "系統", "早先", "刚才", "剛才", "原有", "既有", "所有", "全部", "一切",
    "此前给你", "之前给你",
)
_ZH_INSTR = (
    "指令", "指示", "说明", "說明", "提示", "提示词", "提示詞", "规则", "規則", "命令", "要求", "设定",
    "設定", "内容", "內容", "指导", "指導", "约束", "約束", "限制", "规定", "規定", "设置", "設置",
    "对话", "對話", "信息", "訊息", "消息",
)
_ZH_ROLE = (
    "助手", "人工智能", "ai", "模型", "机器人", "機器人", "dan", "没有任何限制", "沒有任何限制",
    "没有限制", "沒有限制", "不受限制", "无限制", "無限制", "不受任何限制", "开发者模式", "開發者模式",
    "黑客", "越狱", "越獄", "邪恶", "邪惡", "无约束", "無約束", "不受约束", "不受約束", "没有规则",
    "沒有規則", "自由的",
)
_ZH: list[Phrase] = [
    P(OVERRIDE, "zh", (_ZH_IGNORE, Opt(("掉",)), Opt(("你", "您")), Opt(("的",)), _ZH_PREV,
                       Opt(("收到", "得到", "接收", "获得", "獲得", "被给予", "被給予", "看到", "读到", "讀到")),
                       Opt(("的",)),
                       Opt(("所有", "全部", "一切", "任何")), Opt(("的",)), Opt(_ZH_PREV), Opt(("的",)),
                       _ZH_INSTR), cjk=True),
    P(OVERRIDE, "zh", (_ZH_IGNORE, Opt(("掉",)), ("你的", "您的", "你所有的", "您所有的"), _ZH_INSTR), cjk=True),
    P(OVERRIDE, "zh", (("忘记", "忘記", "忘掉", "忽略", "无视", "無視"),
                       ("之前的一切", "之前所有", "以上所有", "以上一切", "上面的一切", "上述一切",
                        "你被告知的", "你所知道的一切", "之前说的", "之前說的", "前面说的", "前面說的"),
                       ), cjk=True),
    P(ROLE, "zh", (("你现在是", "你現在是", "现在你是", "現在你是", "从现在开始你是", "從現在開始你是",
                    "从现在起你是", "從現在起你是", "你将扮演", "你將扮演", "假装你是", "假裝你是",
                    "你不再是", "从现在开始你将", "從現在開始你將", "你现在将成为", "你現在將成為",
                    "你已经成为", "你已經成為", "请扮演", "請扮演", "你要扮演"),
                   Gap(0, chars=8), _ZH_ROLE), cjk=True),
    P(ROLE, "zh", (("你现在是", "你現在是", "现在你是", "現在你是", "从现在开始你是", "從現在開始你是",
                    "假装你是", "假裝你是", "你将扮演", "你將扮演"),
                   Opt(("一个", "一個", "一名", "一位")), ("没有", "沒有", "不受", "无", "無", "不再有"),
                   Opt(("任何",)), ("限制", "约束", "約束", "规则", "規則", "审查", "審查", "过滤", "過濾")),
      cjk=True),
    P(EXFIL, "zh", (("显示", "顯示", "透露", "泄露", "洩露", "泄漏", "洩漏", "告诉我", "告訴我", "输出",
                     "輸出", "打印", "展示", "给我看", "給我看", "公开", "公開", "说出", "說出", "重复",
                     "重複", "复述", "複述", "列出", "发给我", "發給我", "写出", "寫出", "暴露"),
                    Opt(("一下",)), Opt(("你", "您")), Opt(("的",)),
                    Opt(("完整", "全部", "原始", "初始", "隐藏", "隱藏", "内部", "內部", "秘密")), Opt(("的",)),
                    ("系统提示", "系統提示", "系统提示词", "系統提示詞", "系统指令", "系統指令", "系统消息",
                     "系統消息", "系统信息", "系統信息", "初始指令", "原始指令", "隐藏指令", "隱藏指令",
                     "提示词", "提示詞", "系统设定", "系統設定", "指令", "规则", "規則"),
                    ), cjk=True),
    P(EXFIL, "zh", (("系统提示词", "系統提示詞", "系统提示", "系統提示", "系统指令", "系統指令"),), cjk=True),
    P(NEW, "zh", (("你的", "您的"), ("新", "真正的", "新的"),
                  ("任务", "任務", "指令", "角色", "规则", "規則", "目标", "目標", "身份"), ("是", "为", "為")),
      cjk=True),
]

# Japanese -----------------------------------------------------------------------------
_JA_PREV = (
    "以前", "前", "上記", "これまで", "今まで", "先ほど", "さっき", "上", "元", "最初", "システム",
    "過去", "既存", "従来", "前述", "これまでに受けた", "与えられた", "事前",
)
_JA_INSTR = (
    "指示", "命令", "指令", "ルール", "プロンプト", "設定", "内容", "制約", "ガイドライン", "規則",
    "制限", "インストラクション", "メッセージ",
)
_JA_END = (
    "無視", "むし", "忘れ", "わすれ", "従わない", "従うな", "破棄", "無効", "捨て", "気にしない",
    "守らない", "取り消", "リセット",
)
_JA_ROLE = (
    "アシスタント", "ai", "モデル", "ボット", "dan", "制限のない", "制限なし", "制限がない", "無制限",
    "制約のない", "フィルターのない", "検閲のない", "開発者モード", "ハッカー", "邪悪", "自由な",
    "何でもできる", "ルールのない", "規則のない",
)
_JA: list[Phrase] = [
    P(OVERRIDE, "ja", (_JA_PREV, Opt(("の",)), Opt(("すべての", "全ての", "全部の", "あらゆる", "一切の")),
                       _JA_INSTR, Opt(("を", "は", "も")), Opt(("すべて", "全て", "全部", "一切", "完全に")),
                       _JA_END), cjk=True),
    P(OVERRIDE, "ja", (("すべての", "全ての", "全部の", "あらゆる", "一切の", "あなたの"), _JA_INSTR,
                       Opt(("を", "は")), Opt(("すべて", "全て", "全部", "一切")), _JA_END), cjk=True),
    P(OVERRIDE, "ja", (("上記", "これまでの内容", "前の内容", "上の内容", "上記の内容", "今までの内容",
                        "これまでのこと", "今までのこと", "上の文章", "上記の文章"),
                       Opt(("を", "は")), Opt(("すべて", "全て", "全部", "一切")), _JA_END), cjk=True),
    P(OVERRIDE, "ja", (_JA_END, Opt(("して", "し")), Opt(("ください",)), Opt(("、",)),
                       ("以前の", "前の", "上記の", "これまでの", "すべての", "全ての"), _JA_INSTR), cjk=True),
    P(ROLE, "ja", (("あなたは今から", "今からあなたは", "これからあなたは", "あなたはこれから", "今後あなたは",
                    "あなたはもう", "あなたはもはや", "あなたは今", "今日からあなたは", "これより",
                    "あなたはいまから"),
                   Gap(0, chars=10), _JA_ROLE), cjk=True),
    P(EXFIL, "ja", (("システムプロンプト", "システムメッセージ", "システム指示", "初期プロンプト", "隠された指示",
                     "元の指示", "最初の指示", "秘密の指示", "内部の指示", "システムの指示"),),
      cjk=True),
    P(EXFIL, "ja", (("あなたの", "あなたへの"), ("指示", "プロンプト", "ルール", "命令", "設定"),
                    Opt(("を", "は")), Opt(("すべて", "全て", "そのまま")),
                    ("表示", "見せ", "教え", "出力", "開示", "公開", "繰り返", "印刷", "書き出", "共有", "漏ら")),
      cjk=True),
    P(NEW, "ja", (("あなたの",), ("新しい", "本当の", "新たな"), ("役割", "任務", "指示", "ルール", "目的", "仕事"),
                  ("は",)), cjk=True),
]

# Russian ------------------------------------------------------------------------------
_RU_IGNORE = (
    "игнорируй", "игнорируйте", "игнорировать", "проигнорируй", "проигнорируйте", "забудь",
    "забудьте", "забыть", "не обращай внимания на", "не обращайте внимания на", "не слушай",
    "не слушайте", "не следуй", "не следуйте", "перестань следовать", "перестаньте следовать",
    "отбрось", "отбросьте", "отмени", "отмените", "пропусти", "пропустите", "пренебреги",
    "не выполняй", "не выполняйте", "не учитывай", "не учитывайте", "отбрось", "откажись от",
    "не подчиняйся", "сбрось",
)
_RU_PREV = (
    "предыдущ*", "прошл*", "прежн*", "вышеуказанн*", "вышеизложенн*", "вышеприведенн*",
    "приведенн* выше", "изначальн*", "исходн*", "первоначальн*", "системн*", "стар*",
    "ранее данн*", "ранее полученн*", "данн* ранее", "данн* тебе", "полученн*", "начальн*",
    "выше",
)
_RU_INSTR = (
    "инструкци*", "указани*", "команд*", "правил*", "директив*", "ограничени*", "установк*",
    "сообщени*", "распоряжени*", "промпт*", "промт*", "настройк*", "запрет*",
)
_RU_ROLE = (
    "ассистент*", "помощник*", "ии", "искусственн*", "модел*", "бот*", "чатбот*", "dan", "дан",
    "без ограничений", "без правил", "без фильтров", "без цензуры", "свободн*", "режим* разработчика",
    "хакер*", "злой", "злым", "злая", "взломан*", "неограниченн*", "нецензурированн*",
    "без каких-либо ограничений",
)
_RU: list[Phrase] = [
    P(OVERRIDE, "ru", (_RU_IGNORE, Opt(("все", "всё", "всех", "любые", "любых", "весь", "всем")),
                       Opt(("свои", "твои", "ваши", "эти", "свой", "твой", "мои")), _RU_PREV,
                       Opt(("тебе", "вам")), _RU_INSTR)),
    P(OVERRIDE, "ru", (_RU_IGNORE, Opt(("все", "всё", "всех", "любые")), ("свои", "твои", "ваши", "свой", "твой"),
                       _RU_INSTR)),
    P(OVERRIDE, "ru", (_RU_IGNORE, Opt(("все", "всё", "всех")), _RU_INSTR,
                       ("выше", "ранее", "до этого", "которые тебе дали", "которые ты получил",
                        "которые вам дали", "которые вы получили", "которые тебе были даны",
                        "которые вам были даны", "полученные ранее", "данные ранее"))),
    P(OVERRIDE, "ru", (_RU_IGNORE, Opt(("все", "всё", "всё то", "все то", "то")),
                       ("что было сказано выше", "что было выше", "что выше", "сказанное выше",
                        "вышесказанное", "вышенаписанное", "что тебе говорили", "что было раньше",
                        "написанное выше", "что было сказано ранее", "что было до этого",
                        "что тебе сказали", "что ты знаешь", "чему тебя учили", "что написано выше",
                        "изложенное выше", "предыдущее", "что было сказано"))),
    P(ROLE, "ru", (("теперь ты", "ты теперь", "отныне ты", "с этого момента ты", "с этого момента вы",
                    "теперь вы", "вы теперь", "ты больше не", "вы больше не", "притворись", "притворитесь",
                    "представь что ты", "представь, что ты", "веди себя как", "ведите себя как",
                    "действуй как", "действуйте как", "сыграй роль", "с сегодняшнего дня ты",
                    "начиная с этого момента ты"),
                   Gap(3), _RU_ROLE)),
    P(EXFIL, "ru", (("покажи", "покажите", "раскрой", "раскройте", "выведи", "выведите", "напечатай",
                     "напечатайте", "повтори", "повторите", "скажи", "скажите", "расскажи", "сообщи",
                     "назови", "открой", "дай", "опубликуй", "поделись", "напиши", "процитируй",
                     "перечисли", "какой", "каков", "какие"),
                    Opt(("мне", "нам")), Opt(("свой", "свою", "свои", "твой", "твою", "твои", "ваш", "ваши",
                                              "весь", "полный", "полностью", "дословно")),
                    Opt(("исходн*", "скрыт*", "изначальн*", "полн*", "секретн*", "внутренн*", "первоначальн*")),
                    ("системн* промпт*", "системн* промт*", "системн* сообщени*", "системн* инструкци*",
                     "системн* указани*", "промпт*", "промт*", "системн* подсказк*", "системн* запрос*",
                     "скрыт* инструкци*", "исходн* инструкци*", "изначальн* инструкци*"))),
    P(EXFIL, "ru", (("покажи", "покажите", "раскрой", "выведи", "напечатай", "повтори", "скажи", "расскажи",
                     "назови", "перечисли", "напиши", "какие"),
                    Opt(("мне", "нам")), ("свои", "твои", "ваши", "все свои", "все твои"),
                    ("инструкци*", "указани*", "правил*", "директив*"))),
    P(EXFIL, "ru", (("системн* промпт*", "системн* промт*", "системн* инструкци*"),)),
    P(NEW, "ru", (("твои", "ваши", "твоя", "ваша", "твой", "ваш"), ("новые", "новая", "новый", "настоящие",
                                                                  "настоящая", "истинные", "истинная"),
                  ("инструкции", "указания", "правила", "задача", "роль", "цель", "миссия", "команды"),
                  ("таковы", "такие", "следующие", "это", "теперь"))),
]

# Korean and Arabic (a first line of defence; the grammar is the same) -------------------
_KO: list[Phrase] = [
    P(OVERRIDE, "ko", (("이전", "앞의", "위의", "모든", "기존", "시스템", "이전의", "앞선", "위", "지금까지의"),
                       Opt(("의",)), Opt(("모든",)),
                       ("지시", "지침", "명령", "규칙", "지시사항", "프롬프트", "설정", "내용", "지시문", "명령어"),
                       Opt(("을", "를", "은", "는", "사항을", "들을", "사항은", "들은")),
                       Opt(("모두", "전부", "다")), ("무시", "잊어", "잊으", "따르지")), cjk=True),
    P(ROLE, "ko", (("너는 이제", "이제 너는", "지금부터 너는", "당신은 이제", "이제 당신은", "지금부터 당신은",
                    "너는 더 이상", "당신은 더 이상"),
                   Gap(0, chars=10),
                   ("제한", "필터", "검열", "어시스턴트", "ai", "모델", "봇", "dan", "해커")), cjk=True),
    P(EXFIL, "ko", (("시스템 프롬프트", "시스템프롬프트", "시스템 메시지", "초기 프롬프트", "숨겨진 지시"),), cjk=True),
]
_AR: list[Phrase] = [
    P(OVERRIDE, "ar", (("تجاهل", "تجاهلي", "تجاهلوا", "انس", "انسى", "انسي", "اهمل", "أهمل", "لا تتبع",
                        "لا تلتزم ب", "تخط", "تخطى"),
                       Opt(("جميع", "كل", "كافة")),
                       ("التعليمات", "الأوامر", "الاوامر", "القواعد", "الإرشادات", "الارشادات", "التوجيهات",
                        "تعليماتك", "أوامرك", "اوامرك", "قواعدك", "التعليمات والقواعد"),
                       Opt(("السابقة", "أعلاه", "اعلاه", "الأصلية", "الاصلية", "الأولى", "الاولى", "المقدمة",
                            "السابقه")))),
    P(ROLE, "ar", (("أنت الآن", "انت الان", "انت الآن", "من الآن فصاعدا أنت", "من الان فصاعدا انت",
                    "لم تعد", "تظاهر بأنك", "تصرف ك"), Gap(3),
                   ("مساعد", "ذكاء", "نموذج", "بدون قيود", "بلا قيود", "بدون حدود", "بدون رقابة", "دان",
                    "هاكر", "وضع المطور", "غير مقيد"))),
    P(EXFIL, "ar", (("اكشف", "أظهر", "اظهر", "اعرض", "اطبع", "كرر", "أخبرني", "اخبرني", "أعطني", "اعطني"),
                    Opt(("لي",)),
                    ("موجه النظام", "تعليمات النظام", "رسالة النظام", "التعليمات الأصلية",
                     "التعليمات المخفية", "تعليماتك"))),
]

PHRASES: Final[tuple[Phrase, ...]] = tuple(_EN + _ES + _FR + _DE + _IT + _PT + _NL + _ZH + _JA + _RU + _KO + _AR)

# -- new-instruction headers and role tags (punctuation matters, so on folded text) ------

_NEW_HEADER_WORDS: Final = (
    "new instructions", "new instruction", "updated instructions", "revised instructions",
    "real instructions", "actual instructions", "true instructions", "override instructions",
    "secret instructions", "hidden instructions", "new system prompt", "new prompt",
    "new directives", "new system instructions", "system override", "new rules for the ai",
    "nuevas instrucciones", "nuevas ordenes", "nouvelles instructions", "nouvelles consignes",
    "neue anweisungen", "neue instruktionen", "neue befehle", "nuove istruzioni",
    "novas instrucoes", "nieuwe instructies", "新的指令", "新指令", "新的指示", "新指示", "新的命令",
    "新しい指示", "新たな指示", "新しい命令", "новые инструкции", "новая инструкция", "новые указания",
    "новые команды", "새로운 지시", "새 지시", "تعليمات جديدة",
)
_ROLE_WORDS: Final = (
    "system", "assistant", "developer", "sys", "human", "system message", "system prompt",
    "system instruction", "system instructions", "system note", "system override", "admin",
    "administrator", "root", "sistema", "systeme", "systemnachricht", "система",
    "системное сообщение", "システム", "系统", "系統", "시스템",
)
# Alpaca-style headers ("### Instruction:") are role markers only as markdown headings;
# a note that starts "Instructions: rebalance in January" is not one.
_HEADING_WORDS: Final = _ROLE_WORDS + ("instruction", "instructions", "response", "new instructions")
_MARKUP_WORDS: Final = (
    "system", "assistant", "user", "developer", "instructions", "instruction", "sys", "prompt",
    "im_start", "im_end", "tool", "tool_call", "function", "function_call", "admin", "human",
    "context", "script", "iframe", "override", "inst", "rules", "model", "system_prompt",
    "systemprompt", "jailbreak", "hidden", "secret", "s", "bos", "eos", "start_of_turn",
    "end_of_turn", "turn", "endoftext", "eot_id", "start_header_id", "end_header_id",
)


def _is_alphabetic(word: str) -> bool:
    """True for scripts that separate words with spaces (Latin, Cyrillic, Arabic, Hangul)."""
    return not any(
        any(tag in unicodedata.name(ch, "") for tag in ("CJK", "HIRAGANA", "KATAKANA"))
        for ch in word
    )


def _alt_folded(words: tuple[str, ...], with_leet: bool) -> str:
    """Alternation of folded words; inner spaces match any run of whitespace."""
    transform = _Transform(with_leet)
    parts = sorted({transform(w) for w in words}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in parts) + ")"


@lru_cache(maxsize=2)
def _role_regexes(with_leet: bool) -> tuple[tuple[str, re.Pattern[str]], ...]:
    roles = _alt_folded(_ROLE_WORDS, with_leet)
    headings = _alt_folded(_HEADING_WORDS, with_leet)
    markup = _alt_folded(_MARKUP_WORDS, with_leet)
    new = _alt_folded(tuple(w for w in _NEW_HEADER_WORDS if _is_alphabetic(w)), with_leet)
    new_cjk = _alt_folded(tuple(w for w in _NEW_HEADER_WORDS if not _is_alphabetic(w)), with_leet)
    head = r"(?:^|(?<=[\n.!?;。！？>\]\)\}\"'“”|*`~]))"
    patterns = {
        # "<|im_start|>", "<|system|>", "<|eot_id|>": any chat-template special token
        "chat_template_token": r"<\s*\|\s*[a-z_\-\s]{1,40}\s*\|\s*>",
        "inst_tag": r"\[\s*/?\s*inst\s*\]|<<\s*/?\s*sys\s*>>|\[\s*/?\s*"
        + _alt_folded(("system", "sys", "admin", "assistant", "developer", "system message"), with_leet)
        + r"\s*\]",
        # "system:" / "Assistant:" at the start of a line or sentence (transcript faking)
        "role_label": head + r"\s*(?:#{1,6}\s*|\*{1,3}\s*|\[\s*)?" + roles + r"\s*(?:\]\s*|\*{1,3}\s*)?(?::|：|=>|->)",
        # <system>, </user>, <instructions priority="high">, <|im_start|> spelled as markup
        "markup_tag": r"<\s*/?\s*" + markup + r"(?:\s[^<>]{0,200})?\s*/?\s*>",
        # a markdown heading that announces a role or instructions
        "role_heading": r"(?m)^\s*#{1,6}\s*" + headings + r"\s*(?::|：|#|\s*$)",
        # chat messages smuggled as JSON
        "json_role": r"[\"']" + _alt_folded(("role", "author"), with_leet) + r"[\"']\s*:\s*[\"']"
        + _alt_folded(("system", "developer", "assistant"), with_leet)
        + r"[\"']",
        "new_instructions_header": r"(?:(?<!\w)" + new + r"|" + new_cjk + r")\s*(?::|：|-|–|—|=>|->)",
    }
    return tuple((name, re.compile(rx)) for name, rx in patterns.items())


@lru_cache(maxsize=1)
def _compiled() -> dict[tuple[bool, bool], list[tuple[Phrase, re.Pattern[str]]]]:
    out: dict[tuple[bool, bool], list[tuple[Phrase, re.Pattern[str]]]] = {}
    for with_leet in (False, True):
        transform = _Transform(with_leet)
        for squashed in (False, True):
            items: list[tuple[Phrase, re.Pattern[str]]] = []
            for phrase in PHRASES:
                if phrase.cjk and not squashed:
                    continue
                compiled = _compile(phrase, transform, squashed)
                if compiled is not None:
                    items.append((phrase, re.compile(compiled[0])))
            out[(with_leet, squashed)] = items
    return out


@lru_cache(maxsize=1)
def _prefilters() -> dict[tuple[bool, bool], tuple[re.Pattern[str], ...]]:
    """Per form, regexes of which one finds any text a phrase's own regex finds: a quick
    first test, written for the speed of Python's engine on benign text.

    Optional words and gaps before a phrase's first required word are dropped: a match of
    the rest lies inside every match of the whole and is itself a match of the whole with
    them empty (in the words form a space precedes that word, so ``(?<!\\w)`` holds there
    too). The words form is one alternation behind a single ``(?<!\\w)``, so its ~100
    branches are tried only at word starts; the squashed form (no word starts) is one
    regex per phrase, each of which the engine scans with its own first-character test.
    Measured on a report paragraph (16 forms), this halves ``remove_instructions``
    against one plain alternation per form, the matches unchanged (:func:`match_phrases`
    still names the phrase with its own regex).
    """
    out: dict[tuple[bool, bool], tuple[re.Pattern[str], ...]] = {}
    for with_leet in (False, True):
        transform = _Transform(with_leet)
        for squashed in (False, True):
            bodies = []
            for phrase in PHRASES:
                if phrase.cjk and not squashed:
                    continue
                compiled = _compile(phrase, transform, squashed, lead=False, bounded=False)
                if compiled is not None:
                    bodies.append(compiled[0])
            if squashed:
                out[(with_leet, squashed)] = tuple(re.compile(body) for body in bodies)
            else:
                out[(with_leet, squashed)] = (re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{b})" for b in bodies) + ")"),)
    return out


def match_phrases(texts: tuple[tuple[str, bool, bool], ...]) -> list[tuple[Phrase, str]]:
    """Phrases found in ``texts``: each item is (text, is_leet_form, is_squashed_form).

    Returns (phrase, which form matched) for the first phrase per form; one hit is
    enough to block, and a complete list is not worth the time on long texts.
    """
    prefilters = _prefilters()
    hits: list[tuple[Phrase, str]] = []
    for text, with_leet, squashed in texts:
        if not text or not any(rx.search(text) for rx in prefilters[(with_leet, squashed)]):
            continue
        for phrase, rx in _compiled()[(with_leet, squashed)]:
            if rx.search(text):
                hits.append((phrase, ("leet " if with_leet else "") + ("squashed" if squashed else "words")))
                break
    return hits


def match_role_tags(folded: str, folded_leet: str) -> list[str]:
    """Names of the role-tag / chat-markup patterns found in the folded text."""
    found: list[str] = []
    for text, with_leet in ((folded, False), (folded_leet, True)):
        for name, rx in _role_regexes(with_leet):
            if name not in found and rx.search(text):
                found.append(name)
    return found


# Built at import, not on the first call: a Lambda's init phase (and a SnapStart-like
# template of it) pays the ~0.5 s of compiling once, so no invocation does.
_compiled()
_prefilters()
_role_regexes(False)
_role_regexes(True)
