"""A SQL-injection match rule, as AWS WAF's SQLi match statement / AWSManagedRulesSQLiRuleSet apply it.

What it inspects, like the managed rule group's SQLi_QUERYARGUMENTS, SQLi_URIPATH and
SQLi_BODY rules: each query argument (name and value) and the whole query string, the URI
path, and the body (each key and string value of a JSON body, each field of a form body,
otherwise the text), up to the first ``body_limit`` bytes as WAF inspects only the start
of a body.

How: WAF-style text transformations first (URL-decode up to three times so double
encoding does not hide a payload, ``%uXXXX`` decoding, HTML-entity decoding, Unicode
NFKC so full-width quotes become quotes, lower case, SQL comments to spaces, whitespace
compressed), then patterns for the attack families: tautologies after a closed quote
(``' OR '1'='1``), ``UNION SELECT``, a string closed then commented out (``admin'--``),
stacked statements (``; DROP TABLE``), time-based probes (``SLEEP(5)``, ``pg_sleep``,
``BENCHMARK``, ``WAITFOR DELAY``), and catalogue/file probes (``information_schema``).

Why patterns need SQL structure around the words: financial text is full of SQL words
and quotes ("O'Brien", "Rock & Roll ETF", "Select Sector SPDR", "buy 'A' or 'B'"), and a
WAF that blocks customers is switched off. Each pattern therefore needs a quote closed
and followed by an operator and a comparison, or a keyword sequence only SQL has.

No maintained Python library does this: libinjection's Python wrappers were last
released in 2014-2022, so these rules are hand-written and tested both ways.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

_MAX_DECODE_PASSES = 3
_MAX_JSON_DEPTH = 32
_MAX_FIELDS = 1000

_Q = r"""['"`]"""  # a string delimiter
_BOOL = r"(?:or|and|xor|\|\||&&)"
# "like" only before a quote: "'growth' or value like the S&P" is English, "' or name like '%" is not.
_COMPARISON = r"""(?:=|<>|!=|<=|>=|<|>|\blike\s*['"`]|\brlike\b|\bregexp\b|\bis\s+(?:not\s+)?null\b|\bin\s*\()"""
_OPERAND = rf"(?:{_Q}[^'\"`]{{0,64}}{_Q}|[\w.@$]{{1,64}}|\d+)"

# (rule name, pattern) over normalised text (comments already turned into spaces).
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # ' or '1'='1   ') or ('a'='a   " or ""="   ' or username like '%
    ("tautology", re.compile(rf"{_Q}[\s)]*{_BOOL}[\s(]*{_OPERAND}\s?{_COMPARISON}")),
    # ' or true--   ' or 1 #   (a closed quote, a boolean, a constant, then the end)
    ("tautology", re.compile(rf"{_Q}[\s)]*{_BOOL}\s[\s(]*(?:true|false|null|not\sfalse|\d+)[\s)]*(?:--|#|;)")),
    # 1 or 1=1   id=5 and 2>1--   x or 'a'='a'
    ("tautology", re.compile(r"\b(?:or|and|xor)\s[\s(]*(\d+)\s?==?\s?\1\b")),
    ("tautology", re.compile(r"\b(?:or|and|xor)\s+(['\"`])([^'\"`]{0,64})\1\s*=\s*\1\2\1")),
    ("tautology", re.compile(r"\b(?:or|and)\s+\d+\s*[<>]=?\s*\d+\s*(?:--|#|;|$)")),
    ("union_select", re.compile(r"\bunion\b(?:\s(?:all|distinct))?[\s(]*select\b")),
    (
        "stacked_query",
        re.compile(
            r";\s*(?:drop\s+(?:table|database|schema|view|index|user|function|procedure)\b"
            r"|delete\s+from\b|insert\s+into\b|update\s+[\w.\"`\[\]]+\s+set\b"
            r"|truncate\s+(?:table\s+)?[\w.\"`]"
            r"|create\s+(?:table|user|database|function|procedure|trigger|role)\b"
            r"|alter\s+(?:table|user|database|role)\b"
            r"|exec(?:ute)?\s+(?:master|xp_|sp_|immediate)|declare\s+@"
            r"|select\s+\*\s*from\b|select\s+[^;]*?\bfrom\s+[\w.\"`]+\s*(?:where\b|limit\b|--|#|;)"
            r"|shutdown\b|copy\s+\w+\s+(?:from|to)\s+program\b)"
        ),
    ),
    (
        "time_based",
        re.compile(
            r"\b(?:pg_)?sleep\s*\(\s*[\d.]+\s*\)|\bbenchmark\s*\(\s*\d+\s*,"
            r"|\bwaitfor\s+(?:delay|time)\s+['\"`]|\bdbms_(?:pipe\.receive_message|lock\.sleep)\s*\("
        ),
    ),
    (
        "probe",
        re.compile(
            r"\binformation_schema\s*\.|@@version\b|\bload_file\s*\(|\binto\s+(?:out|dump)file\b"
            r"|\bxp_cmdshell\b|\b(?:extractvalue|updatexml)\s*\(|\bpg_read_file\s*\("
            r"|\bchar\s*\(\s*\d+(?:\s*,\s*\d+){2,}\s*\)"
        ),
    ),
    ("order_by_probe", re.compile(r"\b(?:order|group)\s+by\s+\d+\s*(?:--|#|;)|\bhaving\s+(\d+)\s*=\s*\1\b")),
)

# Checked on text with comments still in (comments are how these hide).
_MYSQL_EXECUTABLE_COMMENT = re.compile(r"/\*!")
_KEYWORD_COMMENT_KEYWORD = re.compile(
    r"\b(?:union|select|insert|update|delete|drop|from|where|or|and)\s?/\*[^*]{0,128}\*/[\s(]*"
    r"(?:select|from|where|all|union|table|or|and|\d|['\"`])"
)
# A quote, then a comment: only an attack if that quote closes a string the query opened,
# i.e. it is the odd one out ("admin'--"), not the end of a quoted word ("'A' -- great").
_QUOTE_THEN_COMMENT = re.compile(r"(['\"`])[\s)]*(?:--|#|/\*|;\s?(?:--|#|$))")
_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
_SPACES = re.compile(r"\s+")
_PERCENT_U = re.compile(r"%u([0-9a-fA-F]{4})")


@dataclass(frozen=True)
class SqliMatch:
    """Where the rule matched (WAF's field names) and which family of attack it looked like."""

    location: str  # QUERY_STRING, URI_PATH or BODY
    rule: str


def _decode(text: str) -> str:
    """URL-decode (also %uXXXX) until stable, at most three passes, then HTML entities and NFKC."""
    for _ in range(_MAX_DECODE_PASSES):
        decoded = unquote(_PERCENT_U.sub(lambda m: chr(int(m.group(1), 16)), text))
        if decoded == text:
            break
        text = decoded
    text = html.unescape(text)
    return unicodedata.normalize("NFKC", text).replace("\x00", "").lower()


def _quote_breaks_out(text: str) -> bool:
    seen = {"'": (0, 0), '"': (0, 0), "`": (0, 0)}  # quote -> (count so far, counted up to index)
    for match in _QUOTE_THEN_COMMENT.finditer(text):
        quote = match.group(1)
        count, upto = seen[quote]
        count += text.count(quote, upto, match.start() + 1)
        seen[quote] = (count, match.start() + 1)
        if count % 2 == 1:
            return True
    return False


def detect_sqli(value: str) -> str | None:
    """The name of the SQL-injection rule ``value`` matches, or None."""
    if not value:
        return None
    # Whitespace compressed first (as WAF's COMPRESS_WHITE_SPACE): the patterns then allow at most
    # one space where SQL allows many, and no pattern can backtrack over a long run of spaces.
    text = _SPACES.sub(" ", _decode(value))
    if _MYSQL_EXECUTABLE_COMMENT.search(text):
        return "comment_evasion"
    if _KEYWORD_COMMENT_KEYWORD.search(text):
        return "comment_evasion"
    if _quote_breaks_out(text):
        return "quote_comment"
    text = _SPACES.sub(" ", _COMMENT.sub(" ", text))
    for name, pattern in _RULES:
        if pattern.search(text):
            return name
    return None


def _json_strings(node: Any, depth: int = 0) -> Iterator[str]:
    if depth > _MAX_JSON_DEPTH:
        return
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _json_strings(value, depth + 1)
    elif isinstance(node, list):
        for item in node:
            yield from _json_strings(item, depth + 1)


def _form_fields(text: str) -> Iterator[str]:
    for name, value in parse_qsl(text, keep_blank_values=True, max_num_fields=None)[:_MAX_FIELDS]:
        yield name
        yield value


def inspect_request(
    path: str,
    query_string: str,
    body: bytes = b"",
    content_type: str = "",
    *,
    body_complete: bool = True,
    body_limit: int = 16 * 1024,
) -> SqliMatch | None:
    """Apply the rule to a request's path, query string and body; the first match, or None.

    ``body`` may be only the start of the body (``body_complete=False``): WAF inspects the
    first ``body_limit`` bytes and so does this.
    """
    rule = detect_sqli(path)
    if rule:
        return SqliMatch("URI_PATH", rule)
    if query_string:
        for field in (query_string, *_form_fields(query_string)):
            rule = detect_sqli(field)
            if rule:
                return SqliMatch("QUERY_STRING", rule)
    if body:
        inspected = body[:body_limit]
        text = inspected.decode("utf-8", errors="replace")
        media_type = content_type.split(";", 1)[0].strip().lower()
        fields: list[str] | None = None
        if (media_type == "application/json" or media_type.endswith("+json")) and body_complete and len(body) <= body_limit:
            try:
                fields = list(_json_strings(json.loads(text)))
            except (ValueError, RecursionError):
                fields = None  # not JSON after all (or nested past the parser's limit): inspect it as text
        elif media_type == "application/x-www-form-urlencoded":
            fields = list(_form_fields(text))
        for field in fields if fields is not None else [text]:
            rule = detect_sqli(field)
            if rule:
                return SqliMatch("BODY", rule)
    return None
