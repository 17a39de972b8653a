"""Named parameters (``:name``) to bound psycopg parameters, never spliced into SQL text.

The SQL is scanned so that ``::casts``, string literals, quoted identifiers, dollar
quotes and comments are left alone; each ``:name`` becomes ``%(name)s`` and every
literal ``%`` is doubled, so psycopg binds values server-side as parameters.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from harness.cloud.rds_data.errors import bad_request

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


def to_psycopg(sql: str) -> tuple[str, list[str]]:
    """The SQL with ``%(name)s`` placeholders, and the parameter names it uses."""
    out: list[str] = []
    names: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"":
            end = _quoted_end(sql, i, ch)
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif ch == "/" and sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif ch == "$" and (m := _DOLLAR.match(sql, i)):
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
        else:
            out.append(ch)
            i += 1
    return "".join(out), names


def _quoted_end(sql: str, start: int, quote: str) -> int:
    i = start + 1
    while i < len(sql):
        if sql[i] == quote:
            if i + 1 < len(sql) and sql[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return len(sql)


def _typed(value: str, hint: str | None, name: str) -> Any:
    """A stringValue converted per its typeHint, as the Data API casts it."""
    try:
        if hint is None:
            return value
        if hint == "JSON":
            json.loads(value)
            return value
        if hint == "UUID":
            return uuid.UUID(value)
        if hint == "DECIMAL":
            return Decimal(value)
        if hint == "DATE":
            return dt.date.fromisoformat(value)
        if hint == "TIME":
            return dt.time.fromisoformat(value)
        if hint == "TIMESTAMP":
            return dt.datetime.fromisoformat(value)
    except (ValueError, InvalidOperation) as err:
        raise bad_request(f"Invalid value for parameter {name} with typeHint {hint}: {err}") from err
    raise bad_request(f"Unsupported typeHint {hint} for parameter {name}")


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


def bind(sql: str, parameters: list[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """SQL and a name -> value mapping ready for ``cursor.execute``; unknown names are an error."""
    text, names = to_psycopg(sql)
    values: dict[str, Any] = {}
    for parameter in parameters:
        name = parameter.get("name")
        if not name:
            raise bad_request("Parameter name must not be empty")
        values[name] = field_value(parameter.get("value", {}), parameter.get("typeHint"), name)
    missing = [n for n in dict.fromkeys(names) if n not in values]
    if missing:
        raise bad_request(f"No value specified for parameter: {missing[0]}")
    return text, values
