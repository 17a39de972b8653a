"""PostgreSQL result columns to Data API results: ``Field`` records, ``formattedRecords``, ``columnMetadata``.

The mapping follows the Data API for Aurora PostgreSQL and is chosen per column from
the type PostgreSQL reports, not guessed from Python values: integers as
``longValue`` (``stringValue`` with ``longReturnType: STRING``), floats as
``doubleValue``, NUMERIC as ``stringValue`` (a number with ``decimalReturnType:
DOUBLE_OR_LONG``), bytea as ``blobValue``, arrays as ``arrayValue``, and everything
else (dates and times, JSON, UUID, intervals, ...) as the text PostgreSQL wrote, so
timestamps read ``YYYY-MM-DD HH:MM:SS[.FFFFFF]`` in UTC. In ``formattedRecords`` the
same values are JSON numbers, booleans, strings and arrays (AWS's JSON type mapping).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.types.string import TextLoader

from harness.cloud.rds_data.errors import DataApiError

# Types PostgreSQL's own text form is the answer for: no Python round trip, no lost 'infinity'.
TEXT_TYPES = (
    "json",
    "jsonb",
    "uuid",
    "numeric",
    "date",
    "time",
    "timetz",
    "timestamp",
    "timestamptz",
    "interval",
    "inet",
    "cidr",
    "int4range",
    "int8range",
    "numrange",
    "daterange",
    "tsrange",
    "tstzrange",
    "int4multirange",
    "int8multirange",
    "nummultirange",
    "datemultirange",
    "tsmultirange",
    "tstzmultirange",
)
_LONG = {"int2", "int4", "int8", "oid"}
_DOUBLE = {"float4", "float8"}
_ZONED = {"timestamptz", "timetz"}
_OFFSET = re.compile(r"[+-]\d\d(?::\d\d){0,2}(?= BC$|$)")  # the "+00" PostgreSQL appends in TimeZone UTC

# JDBC type codes the Data API reports in columnMetadata.type
_JDBC = {
    "bool": -7,
    "int2": 5,
    "int4": 4,
    "int8": -5,
    "oid": -5,
    "float4": 7,
    "float8": 8,
    "numeric": 2,
    "text": 12,
    "varchar": 12,
    "name": 12,
    "bpchar": 1,
    "char": 1,
    "date": 91,
    "time": 92,
    "timetz": 92,
    "timestamp": 93,
    "timestamptz": 93,
    "bytea": -2,
}
_SIGNED = _LONG | _DOUBLE | {"numeric"}
_CASE_SENSITIVE = {"text", "varchar", "bpchar", "char", "name", "json", "jsonb", "uuid"}


def configure(conn: psycopg.Connection) -> None:
    """Load the text-answered types as PostgreSQL's text."""
    for name in TEXT_TYPES:
        conn.adapters.register_loader(name, TextLoader)


@dataclass(frozen=True)
class Options:
    """``resultSetOptions``."""

    decimal_as_number: bool = False  # decimalReturnType DOUBLE_OR_LONG
    long_as_string: bool = False  # longReturnType STRING

    @classmethod
    def from_request(cls, options: dict[str, Any] | None) -> Options:
        options = options or {}
        return cls(
            decimal_as_number=options.get("decimalReturnType") == "DOUBLE_OR_LONG",
            long_as_string=options.get("longReturnType") == "STRING",
        )


@dataclass(frozen=True)
class Column:
    """One result column: its name and PostgreSQL type (``base`` is the element type of an array)."""

    name: str
    base: str
    is_array: bool
    description: Any

    @property
    def type_name(self) -> str:
        return f"_{self.base}" if self.is_array else self.base


def columns(cursor: psycopg.Cursor[Any]) -> list[Column]:
    out = []
    for desc in cursor.description or []:
        info = cursor.adapters.types.get(desc.type_code)
        base = info.name if info is not None else "unknown"
        is_array = info is not None and desc.type_code == info.array_oid  # psycopg files arrays under their element
        out.append(Column(desc.name, base, is_array, desc))
    return out


# ---- scalar conversion, per kind -------------------------------------------------------------
def _number(text: str) -> int | float:
    value = Decimal(text)
    return int(value) if value.is_finite() and value == value.to_integral_value() else float(value)


def _scalar(base: str, options: Options) -> tuple[str, Callable[[Any], Any]]:
    """The Field member and the converter for one non-null value of type ``base``."""
    if base == "bool":
        return "booleanValue", bool
    if base in _LONG:
        return ("stringValue", str) if options.long_as_string else ("longValue", int)
    if base in _DOUBLE:
        return "doubleValue", float
    if base == "numeric":
        if options.decimal_as_number:
            return "number", _number  # longValue or doubleValue, decided per value
        return "stringValue", str
    if base == "bytea":
        return "blobValue", lambda v: base64.b64encode(bytes(v)).decode()
    if base in _ZONED:
        return "stringValue", lambda v: _OFFSET.sub("", v, count=1) if isinstance(v, str) else str(v)
    return "stringValue", lambda v: v if isinstance(v, str) else str(v)


_ARRAY_MEMBER = {"booleanValue": "booleanValues", "longValue": "longValues", "doubleValue": "doubleValues"}


def field_converter(column: Column, options: Options, nested_arrays: bool = False) -> Callable[[Any], dict[str, Any]]:
    """A function turning this column's values into Data API ``Field`` objects.

    A multidimensional array is an ``UnsupportedResultException`` (rds-data API reference)
    unless ``nested_arrays`` (Serverless v1 answered them as nested ``arrayValues``).
    """
    member, convert = _scalar(column.base, options)
    if column.is_array:
        plural = _ARRAY_MEMBER.get(member, "doubleValues" if member == "number" else "stringValues")

        def array(values: list[Any]) -> dict[str, Any]:
            if any(isinstance(v, list) for v in values):
                if not nested_arrays:
                    raise DataApiError("UnsupportedResultException", f"Column {column.name} holds a multidimensional array")
                return {"arrayValues": [array(v) for v in values if v is not None]}
            return {plural: [None if v is None else convert(v) for v in values]}

        return lambda v: {"isNull": True} if v is None else {"arrayValue": array(v)}
    if member == "number":

        def number(v: Any) -> dict[str, Any]:
            if v is None:
                return {"isNull": True}
            n = _number(v)
            return {"longValue": n} if isinstance(n, int) else {"doubleValue": n}

        return number
    return lambda v: {"isNull": True} if v is None else {member: convert(v)}


def json_converter(column: Column, options: Options) -> Callable[[Any], Any]:
    """A function turning this column's values into ``formattedRecords`` JSON values."""
    _, convert = _scalar(column.base, options)

    def value(v: Any) -> Any:
        if v is None:
            return None
        if isinstance(v, list):
            return [value(item) for item in v]
        return convert(v)

    return value


def column_metadata(cols: list[Column]) -> list[dict[str, Any]]:
    """``columnMetadata`` for the result's columns."""
    out = []
    for col in cols:
        desc = col.description
        out.append(
            {
                "name": col.name,
                "label": col.name,
                "typeName": col.type_name,
                "type": 2003 if col.is_array else _JDBC.get(col.base, 1111),
                "arrayBaseColumnType": _JDBC.get(col.base, 1111) if col.is_array else 0,
                "isAutoIncrement": False,
                "isCaseSensitive": col.base in _CASE_SENSITIVE,
                "isCurrency": col.base == "money",
                "isSigned": col.base in _SIGNED,
                "nullable": 2,  # columnNullableUnknown: a result column's nullability is not tracked
                "precision": desc.precision or desc.internal_size or 0,
                "scale": desc.scale or 0,
                "schemaName": "",
                "tableName": "",
            }
        )
    return out
