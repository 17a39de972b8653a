"""Detects faked conversation structure: role labels, chat-template tokens and markup.

Unrelated to the phrasings: here punctuation is the signal ("system:", "<|im_start|>",
"[INST]", "### Instruction:", ``{"role": "system"}``, "New instructions:"), so these
patterns run on folded text that still has its punctuation (and on its leetspeak
reading), not on the word or squashed forms the phrase matcher uses. The regexes are
built once, at import (see :mod:`alex.guardrails._phrase_match` for why).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from ._text import fold, leet

__all__ = ["ROLE_TAG_PATTERNS", "match_role_tags"]

_NEW_HEADER_WORDS: Final = (
    "new instructions",
    "new instruction",
    "updated instructions",
    "revised instructions",
    "real instructions",
    "actual instructions",
    "true instructions",
    "override instructions",
    "secret instructions",
    "hidden instructions",
    "new system prompt",
    "new prompt",
    "new directives",
    "new system instructions",
    "system override",
    "new rules for the ai",
    "nuevas instrucciones",
    "nuevas ordenes",
    "nouvelles instructions",
    "nouvelles consignes",
    "neue anweisungen",
    "neue instruktionen",
    "neue befehle",
    "nuove istruzioni",
    "novas instrucoes",
    "nieuwe instructies",
    "新的指令",
    "新指令",
    "新的指示",
    "新指示",
    "新的命令",
    "新しい指示",
    "新たな指示",
    "新しい命令",
    "новые инструкции",
    "новая инструкция",
    "новые указания",
    "новые команды",
    "새로운 지시",
    "새 지시",
    "تعليمات جديدة",
)
_ROLE_WORDS: Final = (
    "system",
    "assistant",
    "developer",
    "sys",
    "human",
    "system message",
    "system prompt",
    "system instruction",
    "system instructions",
    "system note",
    "system override",
    "admin",
    "administrator",
    "root",
    "sistema",
    "systeme",
    "systemnachricht",
    "система",
    "системное сообщение",
    "システム",
    "系统",
    "系統",
    "시스템",
)
# Alpaca-style headers ("### Instruction:") are role markers only as markdown headings;
# a note that starts "Instructions: rebalance in January" is not one.
_HEADING_WORDS: Final = _ROLE_WORDS + ("instruction", "instructions", "response", "new instructions")
_MARKUP_WORDS: Final = (
    "system",
    "assistant",
    "user",
    "developer",
    "instructions",
    "instruction",
    "sys",
    "prompt",
    "im_start",
    "im_end",
    "tool",
    "tool_call",
    "function",
    "function_call",
    "admin",
    "human",
    "context",
    "script",
    "iframe",
    "override",
    "inst",
    "rules",
    "model",
    "system_prompt",
    "systemprompt",
    "jailbreak",
    "hidden",
    "secret",
    "s",
    "bos",
    "eos",
    "start_of_turn",
    "end_of_turn",
    "turn",
    "endoftext",
    "eot_id",
    "start_header_id",
    "end_header_id",
)


def _is_alphabetic(word: str) -> bool:
    """True for scripts that separate words with spaces (Latin, Cyrillic, Arabic, Hangul)."""
    return not any(any(tag in unicodedata.name(ch, "") for tag in ("CJK", "HIRAGANA", "KATAKANA")) for ch in word)


def _alt_folded(words: tuple[str, ...], with_leet: bool) -> str:
    """Alternation of folded words; inner spaces match any run of whitespace."""
    skeletons = {leet(fold(w)) if with_leet else fold(w) for w in words}
    parts = sorted(skeletons, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in parts) + ")"


def _build(with_leet: bool) -> tuple[tuple[str, re.Pattern[str]], ...]:
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
        "json_role": r"[\"']"
        + _alt_folded(("role", "author"), with_leet)
        + r"[\"']\s*:\s*[\"']"
        + _alt_folded(("system", "developer", "assistant"), with_leet)
        + r"[\"']",
        "new_instructions_header": r"(?:(?<!\w)" + new + r"|" + new_cjk + r")\s*(?::|：|-|–|—|=>|->)",
    }
    return tuple((name, re.compile(rx)) for name, rx in patterns.items())


ROLE_TAG_PATTERNS: Final[dict[bool, tuple[tuple[str, re.Pattern[str]], ...]]] = {
    with_leet: _build(with_leet) for with_leet in (False, True)
}


def match_role_tags(folded: str, folded_leet: str) -> list[str]:
    """Names of the role-tag / chat-markup patterns found in the folded text."""
    found: list[str] = []
    for text, with_leet in ((folded, False), (folded_leet, True)):
        for name, rx in ROLE_TAG_PATTERNS[with_leet]:
            if name not in found and rx.search(text):
                found.append(name)
    return found
