"""Properties of alex.guardrails.charts: any input gets a verdict; exactly the
well-formed payloads are accepted."""

from __future__ import annotations

import copy
import json
import math
from typing import Any
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alex.guardrails import fallback_charts, validate_charts

pytestmark = pytest.mark.guardrails

# -- well-formed payloads ------------------------------------------------------------------

SAFE_CHARS = st.characters(exclude_categories=("Cc", "Cf", "Cs"))
slugs = st.from_regex(r"[a-z0-9]{1,12}(?:[-_][a-z0-9]{1,12}){0,3}", fullmatch=True)
titles = st.text(SAFE_CHARS, min_size=1, max_size=120).filter(lambda s: s.strip() != "")
names = st.text(SAFE_CHARS, min_size=1, max_size=100).filter(lambda s: s.strip() != "")
descriptions = st.text(SAFE_CHARS, max_size=500)
colors = st.from_regex(r"#[0-9A-Fa-f]{6}", fullmatch=True)
amounts = st.one_of(st.integers(0, 10**12), st.floats(0, 1e12, allow_nan=False, allow_infinity=False))


@st.composite
def percentages(draw: st.DrawFn, n: int) -> list[float | int]:
    """n non-negative values summing to 100 (integers, or rounded shares)."""
    if draw(st.booleans()):
        cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n - 1, max_size=n - 1)))
        bounds = [0, *cuts, 100]
        return [b - a for a, b in zip(bounds, bounds[1:])]
    weights = draw(st.lists(st.integers(1, 1000), min_size=n, max_size=n))
    total = sum(weights)
    return [round(w * 100 / total, 2) for w in weights]


@st.composite
def charts(draw: st.DrawFn, key: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["pie", "bar", "donut", "horizontalBar"]))
    n = draw(st.integers(1, 50 if kind in ("bar", "horizontalBar") else 12))
    values = draw(percentages(n)) if kind in ("pie", "donut") else draw(st.lists(amounts, min_size=n, max_size=n))
    return {
        "key": key,
        "title": draw(titles),
        "type": kind,
        "description": draw(descriptions),
        "data": [{"name": draw(names), "value": v, "color": draw(colors)} for v in values],
    }


@st.composite
def payloads(draw: st.DrawFn) -> dict[str, Any]:
    keys = draw(st.lists(slugs.filter(lambda k: len(k) <= 64), min_size=1, max_size=10, unique=True))
    return {"charts": [draw(charts(k)) for k in keys]}


@given(payloads(), st.sampled_from(["json", "bytes", "object", "fenced", "prose"]))
def test_well_formed_payloads_are_accepted(payload: dict[str, Any], form: str) -> None:
    text = json.dumps(payload, ensure_ascii=False)
    raw: Any = {
        "json": text,
        "bytes": text.encode("utf-8"),
        "object": copy.deepcopy(payload),
        "fenced": f"```json\n{text}\n```",
        "prose": f"Here are the charts you asked for:\n{text}\nLet me know if you need more.",
    }[form]
    verdict = validate_charts(raw)
    assert verdict.ok, verdict.errors
    assert verdict.errors == []
    assert verdict.charts == payload["charts"]


# -- one rule broken -----------------------------------------------------------------------

Mutation = Callable[[dict[str, Any], st.DrawFn], None]


def _chart(p: dict[str, Any], draw: st.DrawFn) -> dict[str, Any]:
    return p["charts"][draw(st.integers(0, len(p["charts"]) - 1))]


def _datum(p: dict[str, Any], draw: st.DrawFn) -> dict[str, Any]:
    chart = _chart(p, draw)
    return chart["data"][draw(st.integers(0, len(chart["data"]) - 1))]


def _bar(p: dict[str, Any], draw: st.DrawFn) -> dict[str, Any]:
    """A datum of a bar chart (so breaking a value does not also break a pie's sum)."""
    chart = _chart(p, draw)
    chart["type"] = "bar"
    return chart["data"][draw(st.integers(0, len(chart["data"]) - 1))]


MUTATIONS: dict[str, Mutation] = {
    "chart key missing": lambda p, d: _chart(p, d).pop(d(st.sampled_from(["key", "title", "type", "description", "data"]))),
    "datum key missing": lambda p, d: _datum(p, d).pop(d(st.sampled_from(["name", "value", "color"]))),
    "extra chart key": lambda p, d: _chart(p, d).__setitem__("subtitle", "x"),
    "extra datum key": lambda p, d: _datum(p, d).__setitem__("label", "x"),
    "extra top-level key": lambda p, d: p.__setitem__("notes", "x"),
    "unknown type": lambda p, d: _chart(p, d).__setitem__(
        "type", d(st.sampled_from(["line", "Pie", "PIE", "scatter", "", "horizontal_bar"]))
    ),
    "key not a slug": lambda p, d: _chart(p, d).__setitem__(
        "key", d(st.sampled_from(["Asset Allocation", "", "-lead", "trail-", "a--b", "UPPER", "é", "x" * 65, "a b"]))
    ),
    "title blank or long": lambda p, d: _chart(p, d).__setitem__(
        "title", d(st.sampled_from(["", "   ", "t" * 121, "tab\tin title", "nul\x00"]))
    ),
    "description too long": lambda p, d: _chart(p, d).__setitem__("description", "d" * 501),
    "control char in description": lambda p, d: _chart(p, d).__setitem__("description", "a\x07b"),
    "no data": lambda p, d: _chart(p, d).__setitem__("data", []),
    "too much data": lambda p, d: _chart_with_51(p, d),
    "no charts": lambda p, d: p.__setitem__("charts", []),
    "too many charts": lambda p, d: p.__setitem__(
        "charts", [dict(copy.deepcopy(p["charts"][0]), key=f"k{i}") for i in range(11)]
    ),
    "negative value": lambda p, d: _bar(p, d).__setitem__("value", d(st.sampled_from([-1, -0.01, -1e9]))),
    "non-finite value": lambda p, d: _bar(p, d).__setitem__("value", d(st.sampled_from([math.nan, math.inf, -math.inf]))),
    "value of the wrong type": lambda p, d: _bar(p, d).__setitem__(
        "value", d(st.sampled_from([True, False, "12.5", None, [1], {"v": 1}]))
    ),
    "bad colour": lambda p, d: _datum(p, d).__setitem__(
        "color", d(st.sampled_from(["red", "#12345", "#GGGGGG", "#1234567", "123456", "#12 456", ""]))
    ),
    "name blank or long": lambda p, d: _datum(p, d).__setitem__("name", d(st.sampled_from(["", " ", "n" * 101, 42, None]))),
    "percentages off": lambda p, d: _break_percentages(p, d),
    "duplicate keys": lambda p, d: p["charts"].append(copy.deepcopy(p["charts"][0])),
    "charts not a list": lambda p, d: p.__setitem__("charts", {"0": p["charts"][0]}),
    "data not a list": lambda p, d: _chart(p, d).__setitem__("data", {"0": _chart(p, d)["data"][0]}),
}


def _chart_with_51(p: dict[str, Any], draw: st.DrawFn) -> None:
    chart = p["charts"][0]
    chart["type"] = "bar"
    chart["data"] = [{"name": f"n{i}", "value": 1, "color": "#000000"} for i in range(51)]


def _break_percentages(p: dict[str, Any], draw: st.DrawFn) -> None:
    """A pie or donut whose (valid, non-negative) values sum to more or less than 100 ± 0.5."""
    chart = _chart(p, draw)
    chart["type"] = draw(st.sampled_from(["pie", "donut"]))
    n = len(chart["data"])
    values = [100 / n] * n
    if draw(st.booleans()):
        values[0] += draw(st.sampled_from([0.51, 1, 3, 50]))
    else:
        values = [v * draw(st.sampled_from([0.9, 0.99, 0.5])) for v in values]
    for datum, value in zip(chart["data"], values):
        datum["value"] = value
    assert abs(math.fsum(values) - 100) > 0.5


@given(payloads(), st.sampled_from(sorted(MUTATIONS)), st.data())
def test_payloads_breaking_one_rule_are_rejected(payload: dict[str, Any], rule: str, data: st.DataObject) -> None:
    MUTATIONS[rule](payload, data.draw)
    for raw in (payload, json.dumps(payload, ensure_ascii=False, allow_nan=True)):
        verdict = validate_charts(raw)
        assert not verdict.ok, rule
        assert verdict.charts is None
        assert verdict.errors and all(isinstance(e, str) for e in verdict.errors)


# -- never raises ----------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)


@given(
    st.one_of(
        json_values.map(lambda v: json.dumps(v, allow_nan=True)),
        json_values,
        st.text(),
        st.binary(),
        st.builds(lambda v: {"charts": v}, json_values),
        st.builds(lambda v: {"charts": [{"data": v}]}, json_values),
        st.sampled_from(
            [
                "[" * 100_000,
                '{"charts": ' + "[" * 50_000 + "]" * 50_000 + "}",
                '{"charts": [{"value": 1' + "0" * 5000 + "}]}",
                "x" * 300_000,
                b"\xff\xfe\x00garbage",
                '{"charts": [{"key": "a", "value": NaN}]}',
                '{"charts": [{"key": "a", "value": Infinity}]}',
                "```json\n{not json}\n```",
                "{" + '"a": 1, ' * 10 + "}",
                "\ud800",
            ]
        ),
        st.builds(object),
        st.just(float("nan")),
    )
)
def test_validate_charts_never_raises(raw: object) -> None:
    verdict = validate_charts(raw)
    assert isinstance(verdict.ok, bool)
    assert verdict.ok == (verdict.charts is not None)
    assert verdict.ok or verdict.errors


@given(st.one_of(st.text(), st.none(), st.integers(), st.builds(ValueError, st.text())))
def test_fallback_always_validates(reason: object) -> None:
    payload = fallback_charts(reason)
    assert validate_charts(payload).ok
    assert validate_charts(json.dumps(payload)).ok
