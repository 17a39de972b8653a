"""Instances of a JSON Schema: generated deterministically, then checked by ``jsonschema``.

The generator walks the schema (types, enums, const, required, bounds, lengths, patterns,
formats, nested objects and arrays, ``$ref``/``$defs``, ``anyOf``/``oneOf``/``allOf``) and
fills values from :class:`~harness.bedrock.prompt.Hints` (values the prompt states, a
"must sum to 100" rule) where a property's name matches, otherwise from a seeded RNG.
Every instance is validated with ``jsonschema`` before it leaves: the generator is a
best effort, the validator is the judge. A schema no instance can satisfy raises
:class:`Unsatisfiable` naming the reason, which the model answers as a 400.
"""

from __future__ import annotations

import copy
import random
import re
import string
import uuid
from re import _parser as sre_parse  # type: ignore[attr-defined]  # the stdlib regex parser
from typing import Any

import jsonschema
from jsonschema import FormatChecker

from harness.bedrock.prompt import Hints

MAX_DEPTH = 12
ATTEMPTS = 6
_WORDS = (
    "alpha",
    "bravo",
    "clear",
    "delta",
    "steady",
    "prime",
    "north",
    "river",
    "summit",
    "vector",
    "harbor",
    "linear",
    "quiet",
    "silver",
    "bright",
    "core",
)
_TEXTY = (
    "description",
    "rationale",
    "reason",
    "reasoning",
    "feedback",
    "summary",
    "explanation",
    "analysis",
    "comment",
    "comments",
    "notes",
    "note",
    "message",
    "content",
    "details",
    "text",
    "answer",
    "justification",
)
_HIGH = ("score", "rating", "confidence", "quality", "probability", "certainty")


class Unsatisfiable(ValueError):
    """No instance of the schema exists (or none the model can find): the message says why."""


def check_schema(schema: Any) -> None:
    """Unsatisfiable when ``schema`` is not itself a valid JSON Schema."""
    if isinstance(schema, bool):
        return
    if not isinstance(schema, dict):
        raise Unsatisfiable(f"the schema is not a JSON object but {type(schema).__name__}")
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise Unsatisfiable(f"the schema is not a valid JSON Schema: {exc.message}") from None


def problems(schema: Any, instance: Any) -> list[str]:
    """Why ``instance`` does not validate against ``schema`` (empty when it does)."""
    cls = (
        jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        if isinstance(schema, dict)
        else jsonschema.Draft202012Validator
    )
    validator = cls(schema, format_checker=FormatChecker())
    out = []
    for err in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
        out.append(f"{where}: {err.message}")
    return out


def generate(schema: Any, rng: random.Random, hints: Hints | None = None) -> Any:
    """An instance valid against ``schema``; Unsatisfiable when none is found."""
    check_schema(schema)
    hints = hints or Hints()
    last: list[str] = []
    for attempt in range(ATTEMPTS):
        gen = _Generator(schema, random.Random(rng.random() if attempt else rng.random()), hints, plain=attempt >= 3)
        value = gen.value(schema, "$", None, 0)
        last = problems(schema, value)
        if not last:
            return value
        if attempt == 0 and hints.sum_total is not None:
            continue
    raise Unsatisfiable("no instance of the schema could be found: " + "; ".join(last[:3]))


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``allOf``-style conjunction, shallow: properties merged, required united, bounds tightened."""
    out = dict(base)
    for key, value in extra.items():
        if key == "properties" and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        elif key == "required" and isinstance(out.get(key), list):
            out[key] = list(dict.fromkeys([*out[key], *value]))
        elif key in ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties") and key in out:
            out[key] = max(out[key], value)
        elif key in ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties") and key in out:
            out[key] = min(out[key], value)
        elif key == "type" and key in out and out[key] != value:
            a = out[key] if isinstance(out[key], list) else [out[key]]
            b = value if isinstance(value, list) else [value]
            both = [t for t in a if t in b or (t == "integer" and "number" in b)]
            both += [t for t in b if t == "integer" and "number" in a and t not in both]
            if not both:
                raise Unsatisfiable(f"allOf asks for type {a} and {b} at once")
            out[key] = both
        else:
            out[key] = value
    return out


class _Generator:
    def __init__(self, root: Any, rng: random.Random, hints: Hints, plain: bool) -> None:
        self.root = root
        self.rng = rng
        self.hints = hints
        self.plain = plain  # later attempts skip hints that may have caused a failure

    # -- resolution ------------------------------------------------------------------
    def _resolve(self, ref: str, path: str) -> Any:
        if not ref.startswith("#"):
            raise Unsatisfiable(f"{path}: $ref {ref!r} points outside the schema (only local references are followed)")
        node: Any = self.root
        for part in [p for p in ref[1:].split("/") if p]:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise Unsatisfiable(f"{path}: $ref {ref!r} does not resolve")
        return node

    def _flatten(self, schema: Any, path: str, depth: int) -> Any:
        for _ in range(MAX_DEPTH * 2):
            if not isinstance(schema, dict):
                return schema
            if "$ref" in schema:
                target = self._resolve(schema["$ref"], path)
                rest = {k: v for k, v in schema.items() if k != "$ref"}
                schema = _merge(target, rest) if isinstance(target, dict) else target
                continue
            if "allOf" in schema:
                rest = {k: v for k, v in schema.items() if k != "allOf"}
                for part in schema["allOf"]:
                    part = self._flatten(part, path, depth)
                    if part is False:
                        raise Unsatisfiable(f"{path}: allOf contains the schema false")
                    if isinstance(part, dict):
                        rest = _merge(rest, part)
                schema = rest
                continue
            return schema
        raise Unsatisfiable(f"{path}: $ref chain too deep")

    # -- values -----------------------------------------------------------------------
    def value(self, schema: Any, path: str, name: str | None, depth: int) -> Any:
        if depth > MAX_DEPTH * 3:
            raise Unsatisfiable(f"{path}: the schema nests deeper than the model will go (a required recursion?)")
        schema = self._flatten(schema, path, depth)
        if schema is False:
            raise Unsatisfiable(f"{path}: the schema is false (nothing is allowed)")
        if schema is True or not isinstance(schema, dict):
            schema = {}
        if schema.get("not") is True or schema.get("not") == {}:
            # ``not: {}`` forbids every value: say so rather than "x should not be valid under {}"
            raise Unsatisfiable(f"{path}: 'not' negates a schema that accepts everything, so no value is allowed")
        if "const" in schema:
            return copy.deepcopy(schema["const"])
        if "enum" in schema:
            options = list(schema["enum"])
            if not options:
                raise Unsatisfiable(f"{path}: enum is empty")
            stated = self._stated(name)
            for option in options:
                if stated is not None and str(option).lower() == stated.lower():
                    return copy.deepcopy(option)
            non_null = [o for o in options if o is not None] or options
            return copy.deepcopy(self.rng.choice(non_null))
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self._branch(schema, key, path, name, depth)
        kind = self._type(schema, path)
        if kind == "null":
            return None
        if kind == "boolean":
            stated = self._stated(name)
            if stated is not None and stated.lower() in ("true", "false", "yes", "no"):
                return stated.lower() in ("true", "yes")
            return self.rng.random() < 0.5
        if kind in ("integer", "number"):
            return self._number(schema, path, name, kind == "integer")
        if kind == "string":
            return self._string(schema, path, name)
        if kind == "array":
            return self._array(schema, path, name, depth)
        return self._object(schema, path, name, depth)

    def _branch(self, schema: dict[str, Any], key: str, path: str, name: str | None, depth: int) -> Any:
        rest = {k: v for k, v in schema.items() if k != key}
        branches = list(schema[key])
        if not branches:
            raise Unsatisfiable(f"{path}: {key} is empty")
        order = list(range(len(branches)))
        self.rng.shuffle(order)
        # a null branch (Optional[...]) last: a value is the more useful answer
        order.sort(key=lambda i: isinstance(branches[i], dict) and branches[i].get("type") == "null")
        reasons = []
        for i in order:
            sub = self._flatten(branches[i], f"{path}<{key}[{i}]>", depth)
            if sub is False:
                reasons.append(f"{key}[{i}] is false")
                continue
            merged = _merge(rest, sub if isinstance(sub, dict) else {})
            try:
                candidate = self.value(merged, path, name, depth + 1)
            except Unsatisfiable as exc:
                reasons.append(str(exc))
                continue
            if key == "oneOf":
                matching = sum(not problems(self._with_root(b), candidate) for b in branches)
                if matching != 1:
                    reasons.append(f"{key}[{i}]'s instance matched {matching} branches")
                    continue
            return candidate
        raise Unsatisfiable(f"{path}: no branch of {key} can be satisfied ({'; '.join(reasons[:3])})")

    def _with_root(self, sub: Any) -> Any:
        """A branch as a standalone schema that still resolves the root's local $refs."""
        if isinstance(sub, dict) and isinstance(self.root, dict):
            defs = {k: self.root[k] for k in ("$defs", "definitions") if k in self.root}
            if defs and "$ref" in str(sub):
                return {**defs, **sub} if not any(k in sub for k in defs) else sub
        return sub

    def _type(self, schema: dict[str, Any], path: str) -> str:
        kind = schema.get("type")
        if isinstance(kind, list):
            if not kind:
                raise Unsatisfiable(f"{path}: type is an empty list")
            non_null = [k for k in kind if k != "null"]
            return self.rng.choice(non_null) if non_null else "null"
        if isinstance(kind, str):
            return kind
        if "properties" in schema or "required" in schema or "additionalProperties" in schema:
            return "object"
        if "items" in schema or "prefixItems" in schema or "minItems" in schema:
            return "array"
        if any(k in schema for k in ("minLength", "maxLength", "pattern", "format")):
            return "string"
        if any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")):
            return "number"
        return "string"

    def _stated(self, name: str | None) -> str | None:
        return None if self.plain or name is None else self.hints.value_for(name)

    # numbers ---------------------------------------------------------------------------
    def _bounds(self, schema: dict[str, Any], path: str, integer: bool, name: str | None) -> tuple[float, float]:
        step = 1 if integer else 0.01
        lo, hi = schema.get("minimum"), schema.get("maximum")
        xlo, xhi = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
        if isinstance(xlo, bool):  # draft 4: a flag on minimum
            xlo, lo = (lo if xlo else None), (None if xlo else lo)
        if isinstance(xhi, bool):
            xhi, hi = (hi if xhi else None), (None if xhi else hi)
        if xlo is not None:
            lo = max(lo, xlo + step) if lo is not None else xlo + step
        if xhi is not None:
            hi = min(hi, xhi - step) if hi is not None else xhi - step
        if lo is None and hi is None:
            described = _described_range(str(schema.get("description", "")))
            if described:
                lo, hi = described
        key = (name or "").lower()
        if lo is None:
            lo = 0 if hi is None or hi >= 0 else hi - 100
        if hi is None:
            hi = lo + (100 if any(w in key for w in ("percent", "pct", "share", "weight", "score")) else 1000)
        if lo > hi:
            raise Unsatisfiable(f"{path}: the bounds leave no {'integer' if integer else 'number'} (at least {lo}, at most {hi})")
        return float(lo), float(hi)

    def _number(self, schema: dict[str, Any], path: str, name: str | None, integer: bool) -> float | int:
        lo, hi = self._bounds(schema, path, integer, name)
        stated = self._stated(name)
        if stated is not None:
            try:
                figure = float(stated.replace(",", "").replace("$", "").rstrip("%"))
            except ValueError:
                figure = None
            if figure is not None and lo <= figure <= hi and (not integer or figure.is_integer()):
                return int(figure) if integer else figure
        key = (name or "").lower()
        if any(w in key for w in _HIGH):
            # a judge that scores low would fail the run for no reason: the upper band [70%, 94%] of
            # the range, unless (an integer in 0..1, say) the band holds no integer
            band = (lo + (hi - lo) * 0.7, lo + (hi - lo) * 0.94)
            if not integer or -(-band[0] // 1) <= band[1] // 1:
                lo, hi = band
        multiple = schema.get("multipleOf")
        if multiple:
            first = -(-lo // multiple)
            last = hi // multiple
            if first > last:
                raise Unsatisfiable(f"{path}: no multiple of {multiple} lies between {lo} and {hi}")
            k = self.rng.randint(int(first), int(min(last, first + 1000)))
            out = k * multiple
            return int(out) if integer or float(out).is_integer() and schema.get("type") == "integer" else out
        if integer:
            a, b = int(-(-lo // 1)), int(hi // 1)
            if a > b:
                raise Unsatisfiable(f"{path}: no integer lies between {lo} and {hi}")
            return self.rng.randint(a, min(b, a + 10_000))
        value = round(self.rng.uniform(lo, hi), 2)
        return min(max(value, lo), hi)

    # strings ----------------------------------------------------------------------------
    def _string(self, schema: dict[str, Any], path: str, name: str | None) -> str:
        lo, hi = int(schema.get("minLength", 0)), schema.get("maxLength")
        if hi is not None and lo > hi:
            raise Unsatisfiable(f"{path}: minLength {lo} exceeds maxLength {hi}")
        pattern = schema.get("pattern")
        stated = self._stated(name)
        if stated is not None and (pattern is None or re.search(pattern, stated)):
            text = stated
        elif pattern is not None:
            text = _from_pattern(pattern, self.rng)
            if not re.search(pattern, text):
                text = _from_pattern(pattern, self.rng)
        else:
            text = self._plausible(schema.get("format"), name)
        if len(text) < lo:
            text = text + ("x" if pattern is None else text[-1:] or "x") * (lo - len(text))
        if hi is not None and len(text) > hi:
            text = text[: int(hi)].rstrip() or text[: int(hi)]
            if len(text) < lo:
                text = text.ljust(lo, "x")
        return text

    def _plausible(self, fmt: Any, name: str | None) -> str:
        rng = self.rng
        key = (name or "").lower()
        if fmt == "date-time":
            return f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z"
        if fmt == "date":
            return f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if fmt == "time":
            return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z"
        if fmt == "email" or "email" in key:
            return f"{rng.choice(_WORDS)}@example.com"
        if fmt in ("uri", "url", "iri") or key.endswith("url") or key.endswith("uri"):
            return f"https://example.com/{rng.choice(_WORDS)}"
        if fmt == "uuid":
            return str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if fmt == "ipv4":
            return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        if fmt == "hostname":
            return f"{rng.choice(_WORDS)}.example.com"
        if "colo" in key:
            return "#" + "".join(rng.choice("0123456789ABCDEF") for _ in range(6))
        if key in ("symbol", "ticker") or key.endswith("_symbol"):
            tickers = self.hints.tickers
            return rng.choice(tickers) if tickers else "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
        if key == "id" or key.endswith("_id"):
            return f"{rng.getrandbits(48):012x}"
        if key.endswith("date"):
            return f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if any(w in key for w in _TEXTY):
            return self.hints.sentence(rng, name or "")
        words = [rng.choice(_WORDS) for _ in range(2)]
        return (
            " ".join(w.title() for w in words) if key in ("name", "title", "label") or key.endswith("name") else " ".join(words)
        )

    # arrays -------------------------------------------------------------------------------
    def _array(self, schema: dict[str, Any], path: str, name: str | None, depth: int) -> list[Any]:
        lo, hi = int(schema.get("minItems", 0)), schema.get("maxItems")
        if hi is not None and lo > hi:
            raise Unsatisfiable(f"{path}: minItems {lo} exceeds maxItems {hi}")
        prefix = schema.get("prefixItems")
        items = schema.get("items", True)
        if isinstance(items, list):  # draft 4-7 tuple form
            prefix, items = items, schema.get("additionalItems", True)
        prefix = prefix or []
        if len(prefix) < lo and items is False:
            raise Unsatisfiable(f"{path}: minItems {lo} but only {len(prefix)} items are allowed")
        key = (name or "").lower()
        if not self.plain and key in ("symbols", "tickers") and self.hints.tickers and not prefix:
            picked = self.hints.tickers[: int(hi) if hi is not None else 5]
            if len(picked) >= lo:
                return list(picked)
        count = lo if depth > MAX_DEPTH else self.rng.randint(max(lo, 1 if depth < 4 else 0), max(lo, 1 if depth < 4 else 0) + 2)
        if hi is not None:
            count = min(count, int(hi))
        if items is False:
            count = min(count, len(prefix))
        count = max(count, lo)
        out: list[Any] = []
        unique = bool(schema.get("uniqueItems"))
        for i in range(count):
            sub = prefix[i] if i < len(prefix) else items
            for _ in range(8):
                candidate = self.value(sub, f"{path}[{i}]", None, depth + 1)
                if not unique or candidate not in out:
                    break
            else:
                if len(out) >= lo:
                    break
                raise Unsatisfiable(f"{path}: uniqueItems needs {lo} distinct items and the item schema allows fewer")
            out.append(candidate)
        if "contains" in schema and not any(not problems(self._with_root(schema["contains"]), x) for x in out):
            made = self.value(schema["contains"], f"{path}<contains>", None, depth + 1)
            out = [made, *out][: int(hi)] if hi is not None else [made, *out]
        self._balance_items(out, path)
        return out

    # objects -------------------------------------------------------------------------------
    def _object(self, schema: dict[str, Any], path: str, name: str | None, depth: int) -> dict[str, Any]:
        props: dict[str, Any] = schema.get("properties") or {}
        required = list(schema.get("required") or [])
        extra = schema.get("additionalProperties", True)
        out: dict[str, Any] = {}
        for key in required:
            if key not in props and extra is False:
                raise Unsatisfiable(f"{path}: {key!r} is required but additionalProperties is false and it is not a property")
        keep_optional = depth < 6
        for key, sub in props.items():
            if key in required or (keep_optional and sub is not False):
                if sub is False:
                    raise Unsatisfiable(f"{path}.{key}: required, but its schema is false")
                out[key] = self.value(sub, f"{path}.{key}", key, depth + 1)
        for key in required:
            if key not in out:
                out[key] = self.value(extra if isinstance(extra, dict) else {}, f"{path}.{key}", key, depth + 1)
        lo = int(schema.get("minProperties", 0))
        hi = schema.get("maxProperties")
        if hi is not None and lo > hi:
            raise Unsatisfiable(f"{path}: minProperties {lo} exceeds maxProperties {hi}")
        n = 1
        while len(out) < lo:
            if extra is False:
                raise Unsatisfiable(f"{path}: minProperties {lo} but only {len(props)} properties are allowed")
            out[f"extra_{n}"] = self.value(
                extra if isinstance(extra, dict) else {"type": "string"}, f"{path}.extra_{n}", None, depth + 1
            )
            n += 1
        if hi is not None and len(out) > hi:
            for key in [k for k in list(out) if k not in required][: len(out) - int(hi)]:
                del out[key]
            if len(out) > hi:
                raise Unsatisfiable(f"{path}: {len(required)} required properties but maxProperties {hi}")
        self._balance(out, props, path)
        return out

    # "parts that must sum to N" --------------------------------------------------------------
    def _balance(self, out: dict[str, Any], props: dict[str, Any], path: str) -> None:
        """When the prompt or schema states a total, split it over an object of numeric parts."""
        total = self.hints.sum_total
        if total is None or self.plain or len(out) < 2:
            return
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in out.values()):
            return
        schemas = {k: self._flatten(props.get(k, {}), path, 0) for k in out}
        bounds = {}
        for key, sub in schemas.items():
            sub = sub if isinstance(sub, dict) else {}
            integer = sub.get("type") == "integer"
            lo, hi = self._bounds(sub, f"{path}.{key}", integer, None)
            if sub.get("maximum") is None and sub.get("exclusiveMaximum") is None:
                hi = float(total)
            bounds[key] = (max(lo, 0.0) if sub.get("minimum") is None else lo, hi, integer)
        split = _split(total, bounds, self.rng, path)
        out.update(split)

    def _balance_items(self, items: list[Any], path: str) -> None:
        """Arrays of objects with one numeric share each (``{"name", "percentage"}``) sum to the total too."""
        total = self.hints.sum_total
        if total is None or self.plain or len(items) < 2 or not all(isinstance(i, dict) for i in items):
            return
        numeric = [[k for k, v in i.items() if isinstance(v, (int, float)) and not isinstance(v, bool)] for i in items]
        if not all(len(n) == 1 and n[0] == numeric[0][0] for n in numeric):
            return
        key = numeric[0][0]
        if not any(w in key.lower() for w in ("percent", "pct", "share", "weight", "allocation", "proportion")):
            return
        integer = all(isinstance(i[key], int) for i in items)
        bounds = {str(n): (0.0, float(total), integer) for n in range(len(items))}
        split = _split(total, bounds, self.rng, path)
        for n, item in enumerate(items):
            item[key] = split[str(n)]


def _split(total: float, bounds: dict[str, tuple[float, float, bool]], rng: random.Random, path: str) -> dict[str, Any]:
    """``total`` over the keys within their bounds: a few keys carry it, the rest sit at their minimum."""
    unit = 1 if float(total).is_integer() else 0.01
    scale = round(1 / unit)
    lo = {k: round(b[0] * scale) for k, b in bounds.items()}
    hi = {k: round(b[1] * scale) for k, b in bounds.items()}
    target = round(total * scale)
    if sum(lo.values()) > target or sum(hi.values()) < target:
        raise Unsatisfiable(
            f"{path}: its parts must sum to {total:g}, but their bounds allow "
            f"{sum(lo.values()) / scale:g} to {sum(hi.values()) / scale:g}"
        )
    values = dict(lo)
    remaining = target - sum(lo.values())
    keys = list(bounds)
    carriers = rng.sample(keys, k=min(len(keys), rng.randint(1, 3)))
    weights = [rng.randint(1, 10) for _ in carriers]
    for key, weight in zip(carriers, weights):
        share = min(remaining * weight // max(sum(weights), 1), hi[key] - values[key])
        values[key] += share
    left = target - sum(values.values())
    for key in carriers + [k for k in keys if k not in carriers]:
        room = hi[key] - values[key]
        add = min(room, left)
        values[key] += add
        left -= add
        if not left:
            break
    out: dict[str, Any] = {}
    for key, (_, _, integer) in bounds.items():
        v = values[key] / scale
        out[key] = int(v) if integer else float(v)
    return out


def _described_range(description: str) -> tuple[float, float] | None:
    """``(0, 100)`` from descriptions such as "Score from 0 to 100" or "between 1 and 5"."""
    match = re.search(r"(?:from|between)\s+(-?\d+(?:\.\d+)?)\s+(?:to|and)\s+(-?\d+(?:\.\d+)?)", description, re.I)
    if match:
        a, b = float(match.group(1)), float(match.group(2))
        return (a, b) if a <= b else None
    return None


# -- strings from regular expressions (the stdlib parser's tree, walked) ---------------------
_CATEGORIES = {
    "CATEGORY_DIGIT": string.digits,
    "CATEGORY_NOT_DIGIT": string.ascii_letters,
    "CATEGORY_WORD": string.ascii_letters + string.digits + "_",
    "CATEGORY_NOT_WORD": " -.",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": string.ascii_letters + string.digits,
}


def _from_pattern(pattern: str, rng: random.Random) -> str:
    try:
        tree = sre_parse.parse(pattern)
    except re.error as exc:
        raise Unsatisfiable(f"pattern {pattern!r} is not a valid regular expression: {exc}") from None
    return _emit(tree, rng, {})


def _emit(tree: Any, rng: random.Random, groups: dict[int, str]) -> str:
    out = []
    for op, arg in tree:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append("a" if chr(arg) != "a" else "b")
        elif name == "ANY":
            out.append(rng.choice(string.ascii_letters))
        elif name == "IN":
            out.append(_in(arg, rng))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            lo, hi, sub = arg
            hi = lo + 3 if hi == sre_parse.MAXREPEAT else hi
            out.append("".join(_emit(sub, rng, groups) for _ in range(rng.randint(lo, max(lo, min(hi, lo + 3))))))
        elif name == "SUBPATTERN":
            group, sub = arg[0], arg[-1]
            text = _emit(sub, rng, groups)
            if group:
                groups[group] = text
            out.append(text)
        elif name == "BRANCH":
            out.append(_emit(rng.choice(arg[1]), rng, groups))
        elif name == "GROUPREF":
            out.append(groups.get(arg, ""))
        elif name == "ATOMIC_GROUP":
            out.append(_emit(arg, rng, groups))
        # AT (anchors), ASSERT, ASSERT_NOT: nothing to emit
    return "".join(out)


def _in(items: Any, rng: random.Random) -> str:
    negate = any(str(op) == "NEGATE" for op, _ in items)
    chars: list[str] = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            chars.append(chr(arg))
        elif name == "RANGE":
            chars.extend(chr(c) for c in range(arg[0], min(arg[1], arg[0] + 200) + 1))
        elif name == "CATEGORY":
            chars.extend(_CATEGORIES.get(str(arg), "a"))
    if negate:
        allowed = [c for c in string.ascii_letters + string.digits if c not in chars]
        return rng.choice(allowed or ["~"])
    return rng.choice(chars or ["a"])


def fill_defaults(schema: Any, instance: Any) -> Any:
    """``instance`` with each missing required property that has a schema ``default`` set to it.

    A script may answer the way the app's own parser reads it (pydantic fills defaults), while
    a strict schema (the Agents SDK's) lists every property as required: the defaults make
    the answer valid without changing what the app reads."""
    walker = _Generator(schema, random.Random(0), Hints(), plain=True)

    def walk(sub: Any, value: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            return value
        try:
            sub = walker._flatten(sub, "$", depth)
        except Unsatisfiable:
            return value
        if not isinstance(sub, dict):
            return value
        if isinstance(value, dict):
            props = sub.get("properties") or {}
            out = dict(value)
            for key in sub.get("required") or []:
                if key not in out and isinstance(props.get(key), dict):
                    target = walker._flatten(props[key], "$", depth)
                    if isinstance(target, dict) and "default" in target:
                        out[key] = copy.deepcopy(target["default"])
                    elif "default" in props[key]:
                        out[key] = copy.deepcopy(props[key]["default"])
            for key, child in list(out.items()):
                if key in props:
                    out[key] = walk(props[key], child, depth + 1)
            return out
        if isinstance(value, list) and isinstance(sub.get("items"), dict):
            return [walk(sub["items"], item, depth + 1) for item in value]
        return value

    return walk(schema, instance, 0)
