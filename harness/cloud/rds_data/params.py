"""Named parameters (``:name``) to bound psycopg parameters, never spliced into SQL text.

The SQL is scanned once, the way PostgreSQL's lexer sees it, so that ``::casts``,
string literals (``'...'``, ``E'...'`` with backslash escapes), quoted identifiers,
dollar quotes and comments (nested ``/* */`` too) are left alone. Each ``:name``
becomes ``%(name)s`` and every literal ``%`` is doubled, so psycopg sends the values
as bind parameters in the extended protocol: they are data, never SQL. The scan
also counts top-level statements, since Data API v2 refuses multi-statements.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

from psycopg import postgres
from psycopg.adapt import Dumper

from harness.cloud.rds_data.errors import bad_request

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOLLAR = re.compile(r"\$([A-Za-z_\x80-\uffff][A-Za-z0-9_\x80-\uffff]*)?\$")
_IDENT_CHAR = re.compile(r"[A-Za-z0-9_$\x80-\uffff]")
_IDENT_RUN = re.compile(r"[A-Za-z0-9_$\x80-\uffff]+")


@dataclass(frozen=True)
class ParsedSql:
    """The SQL with ``%(name)s`` placeholders, the names it uses, and its statement count."""

    text: str
    names: tuple[str, ...]
    statements: int


def parse(sql: str) -> ParsedSql:
    """Scan ``sql`` once: placeholders for psycopg, parameter names, top-level statements."""
    out: list[str] = []
    names: list[str] = []
    statements, pending = 0, False  # pending: the current statement has content
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in " \t\r\n\f":
            out.append(ch)
            i += 1
            continue
        if ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
            continue
        if ch == "/" and sql.startswith("/*", i):
            end = _comment_end(sql, i)
            out.append(sql[i:end].replace("%", "%%"))
            i = end
            continue
        if ch == ";":
            statements += pending
            pending = False
            out.append(ch)
            i += 1
            continue
        pending = True
        if ch in "eE" and sql.startswith("'", i + 1) and not _after_identifier(sql, i):
            end = _quoted_end(sql, i + 1, "'", backslash=True)
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif ch in "'\"":
            end = _quoted_end(sql, i, ch, backslash=False)
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif ch == "$" and not _after_identifier(sql, i) and (m := _DOLLAR.match(sql, i)):
            tag = m.group(0)
            end = sql.find(tag, m.end())
            end = n if end < 0 else end + len(tag)
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif ch == ":" and sql.startswith("::", i):
            out.append("::")
            i += 2
        elif ch == ":" and (m := _NAME.match(sql, i + 1)):
            names.append(m.group(0))
            out.append(f"%({m.group(0)})s")
            i = m.end()
        elif ch == "%":
            out.append("%%")
            i += 1
        elif _IDENT_CHAR.match(ch):
            end = _IDENT_RUN.match(sql, i).end()  # type: ignore[union-attr]
            out.append(sql[i:end])
            i = end
        else:
            out.append(ch)
            i += 1
    statements += pending
    return ParsedSql("".join(out), tuple(names), statements)


def _after_identifier(sql: str, i: int) -> bool:
    """Whether position ``i`` continues an identifier or number (``foo$1$``, ``name'`` are not quotes)."""
    return i > 0 and bool(_IDENT_CHAR.match(sql[i - 1]))


def _comment_end(sql: str, start: int) -> int:
    depth, i = 0, start
    while i < len(sql):
        if sql.startswith("/*", i):
            depth += 1
            i += 2
        elif sql.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return len(sql)


def _quoted_end(sql: str, start: int, quote: str, backslash: bool) -> int:
    i = start + 1
    while i < len(sql):
        ch = sql[i]
        if backslash and ch == "\\":
            i += 2
            continue
        if ch == quote:
            if i + 1 < len(sql) and sql[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return len(sql)


class Hinted(str):
    """A stringValue with a typeHint: sent as text of that PostgreSQL type, which parses it."""

    pg_type = "text"


class _HintedDumper(Dumper):
    def dump(self, obj: Any) -> bytes:
        return str.encode(obj)


def _hinted_class(hint: str, pg_type: str) -> type[Hinted]:
    cls = type(f"{hint.title()}Hint", (Hinted,), {"pg_type": pg_type})
    dumper = type(f"{hint.title()}HintDumper", (_HintedDumper,), {"oid": postgres.types[pg_type].oid})
    postgres.adapters.register_dumper(cls, dumper)  # only these private classes are affected
    return cls


# typeHint -> the type the Data API sends the string as (rds-data SqlParameter.typeHint)
HINTS: dict[str, type[Hinted]] = {
    hint: _hinted_class(hint, pg_type)
    for hint, pg_type in {
        "JSON": "json",
        "UUID": "uuid",
        "TIMESTAMP": "timestamp",
        "DATE": "date",
        "TIME": "time",
        "DECIMAL": "numeric",
    }.items()
}


def _typed(value: str, hint: str | None, name: str) -> Any:
    if hint is None:
        return value
    cls = HINTS.get(hint)
    if cls is None:
        raise bad_request(f"Unsupported typeHint {hint} for parameter {name}")
    return cls(value)


def _array(value: dict[str, Any]) -> list[Any]:
    for key in ("stringValues", "longValues", "doubleValues", "booleanValues"):
        if key in value:
            return list(value[key])
    if "arrayValues" in value:
        return [_array(item) for item in value["arrayValues"]]
    return []


def field_value(field: dict[str, Any], hint: str | None, name: str) -> Any:
    """The Python value of one Data API ``Field``."""
    if field.get("isNull"):
        return None
    if "stringValue" in field:
        return _typed(field["stringValue"], hint, name)
    if "longValue" in field:
        return int(field["longValue"])
    if "doubleValue" in field:
        return float(field["doubleValue"])
    if "booleanValue" in field:
        return bool(field["booleanValue"])
    if "blobValue" in field:
        return base64.b64decode(field["blobValue"])
    if "arrayValue" in field:
        return _array(field["arrayValue"])
    raise bad_request(f"Parameter {name} has no value")


def bind(parsed: ParsedSql, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    """A name -> value mapping for ``cursor.execute``; a name the SQL uses without a value is an error."""
    values: dict[str, Any] = {}
    for parameter in parameters:
        name = parameter.get("name")
        if not name:
            raise bad_request("Parameter name must not be empty")
        values[name] = field_value(parameter.get("value") or {}, parameter.get("typeHint"), name)
    for name in parsed.names:
        if name not in values:
            raise bad_request(f"No value specified for parameter: {name}")
    return values
