"""PostgreSQL rows to Data API results: ``Field`` records, ``columnMetadata``, ``formattedRecords``.

Type mapping follows the Data API reference for Aurora PostgreSQL: integers as
longValue, floats as doubleValue, NUMERIC as stringValue (unless decimalReturnType
is DOUBLE_OR_LONG), timestamps as ``YYYY-MM-DD HH:MM:SS[.FFF]``, JSON as its text,
bytea as blobValue, arrays as arrayValue.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

from psycopg import Cursor

# JDBC type codes the Data API reports in columnMetadata.type
_JDBC = {
    "bool": -7, "int2": 5, "int4": 4, "int8": -5, "oid": -5, "float4": 7, "float8": 8, "numeric": 2,
    "text": 12, "varchar": 12, "name": 12, "bpchar": 1, "char": 1, "date": 91, "time": 92, "timetz": 92,
    "timestamp": 93, "timestamptz": 93, "bytea": -2,
}
_SIGNED = {"int2", "int4", "int8", "float4", "float8", "numeric"}
_CASE_SENSITIVE = {"text", "varchar", "bpchar", "char", "name", "json", "jsonb", "uuid"}


def _decimal(value: Decimal, decimal_type: str) -> dict[str, Any]:
    if decimal_type == "DOUBLE_OR_LONG":
        return {"longValue": int(value)} if value == value.to_integral_value() else {"doubleValue": float(value)}
    return {"stringValue": str(value)}


def _text(value: Any) -> str:
    """A scalar in the Data API's text form (dates and times as AWS formats them)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return _trim_fraction(value.strftime("%Y-%m-%d %H:%M:%S.%f"))
    if isinstance(value, dt.time):
        return _trim_fraction(value.replace(tzinfo=None).strftime("%H:%M:%S.%f"))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _trim_fraction(text: str) -> str:
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def _array(values: list[Any], decimal_type: str, long_type: str) -> dict[str, Any]:
    items = [v for v in values if v is not None]
    if items and all(isinstance(v, list) for v in items):
        return {"arrayValues": [_array(v, decimal_type, long_type) for v in items]}
    if items and all(isinstance(v, bool) for v in items):
        return {"booleanValues": items}
    if items and all(isinstance(v, int) and not isinstance(v, bool) for v in items) and long_type != "STRING":
        return {"longValues": items}
    if items and all(isinstance(v, float) for v in items):
        return {"doubleValues": items}
    return {"stringValues": [_text(v) for v in items]}


def field(value: Any, decimal_type: str = "STRING", long_type: str = "LONG") -> dict[str, Any]:
    """One value as a Data API ``Field``."""
    if value is None:
        return {"isNull": True}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"stringValue": str(value)} if long_type == "STRING" else {"longValue": value}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, Decimal):
        return _decimal(value, decimal_type)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"blobValue": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, list):
        return {"arrayValue": _array(value, decimal_type, long_type)}
    if isinstance(value, (uuid.UUID, dt.date, dt.time, dt.datetime, str)):
        return {"stringValue": _text(value)}
    return {"stringValue": str(value)}


def json_value(value: Any, decimal_type: str = "STRING", long_type: str = "LONG") -> Any:
    """One value as it appears in ``formattedRecords``."""
    if value is None or isinstance(value, (bool, float)):
        return value
    if isinstance(value, int):
        return str(value) if long_type == "STRING" else value
    if isinstance(value, Decimal):
        return next(iter(_decimal(value, decimal_type).values()))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, list):
        return [json_value(v, decimal_type, long_type) for v in value]
    return _text(value)


def column_metadata(cursor: Cursor[Any]) -> list[dict[str, Any]]:
    """``columnMetadata`` for the result's columns."""
    out = []
    for column in cursor.description or []:
        info = cursor.adapters.types.get(column.type_code)
        base = info.name if info is not None else "unknown"
        is_array = info is not None and column.type_code == info.array_oid  # psycopg files arrays under their element type
        type_name = f"_{base}" if is_array else base
        out.append(
            {
                "name": column.name,
                "label": column.name,
                "typeName": type_name,
                "type": 2003 if is_array else _JDBC.get(base, 1111),
                "arrayBaseColumnType": _JDBC.get(base, 1111) if is_array else 0,
                "isAutoIncrement": False,
                "isCaseSensitive": base in _CASE_SENSITIVE,
                "isCurrency": base == "money",
                "isSigned": base in _SIGNED,
                "nullable": 2,  # columnNullableUnknown: a result column's nullability is not tracked
                "precision": column.precision or column.internal_size or 0,
                "scale": column.scale or 0,
                "schemaName": "",
                "tableName": "",
            }
        )
    return out
