"""Render scenario results three ways: a terminal table, JUnit XML for CI, one HTML page.

Everything here reads only :mod:`harness.alexkit.scenarios.results` and the standard library.
Scenario data is untrusted (it carries prompt-injection strings, model output, error
messages), so every piece of text is escaped for its destination: ``html.escape`` for the
HTML page, control characters stripped for XML (which cannot carry them at all) and
flattened to one line for the terminal table.
"""

from __future__ import annotations

import html
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from harness.alexkit.scenarios.results import JobOutcome, ScenarioResult, TimelineEvent

__all__ = [
    "KIND_COLOURS",
    "LANE_ORDER",
    "format_table",
    "jobs_summary",
    "ordered_lanes",
    "render_html",
    "write_html",
    "write_junit",
]

#: Timeline rows, top to bottom; lanes not listed follow in order of first appearance.
LANE_ORDER: tuple[str, ...] = ("api", "queue", "planner", "tagger", "reporter", "charter", "retirement")

#: Bar colour per event kind; an unknown kind is drawn as "custom".
KIND_COLOURS: dict[str, str] = {
    "request": "#4e79a7",
    "queue": "#bab0ac",
    "agent": "#59a14f",
    "generation": "#f28e2b",
    "tool": "#b07aa1",
    "retry": "#edc948",
    "custom": "#76b7b2",
}

_TABLE_HEADERS = ("scenario", "result", "duration", "jobs", "model calls", "retries")
_JOB_STATUS_ORDER = ("completed", "failed")
# XML 1.0 allows only #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


# ---------------------------------------------------------------------------- shared


def _result_word(result: ScenarioResult) -> str:
    return "PASS" if result.passed else "FAIL"


def jobs_summary(jobs: Sequence[JobOutcome]) -> str:
    """Count jobs by status, e.g. ``"2 completed, 1 failed"``; ``"none"`` without jobs."""
    counts: dict[str, int] = {}
    for job in jobs:
        status = str(job.status)
        counts[status] = counts.get(status, 0) + 1
    if not counts:
        return "none"
    ordered = [s for s in _JOB_STATUS_ORDER if s in counts] + [s for s in counts if s not in _JOB_STATUS_ORDER]
    return ", ".join(f"{counts[s]} {s}" for s in ordered)


def _summary_row(result: ScenarioResult) -> tuple[str, str, str, str, str, str]:
    return (
        result.name,
        _result_word(result),
        f"{result.duration_s:.1f}s",
        jobs_summary(result.jobs),
        str(result.model_calls),
        str(result.model_retries),
    )


def _totals(results: Sequence[ScenarioResult]) -> tuple[int, int, float]:
    passed = sum(1 for r in results if r.passed)
    return passed, len(results) - passed, sum(r.duration_s for r in results)


def _totals_line(results: Sequence[ScenarioResult]) -> str:
    passed, failed, seconds = _totals(results)
    return f"{passed} passed, {failed} failed in {seconds:.1f}s"


def _one_line(text: Any) -> str:
    """Terminal-safe: no control characters (escape sequences, newlines) from scenario data."""
    return _CONTROL.sub(" ", str(text)).strip()


def _failure_lines(result: ScenarioResult) -> list[str]:
    lines = [f"{c.name}: {c.detail}" if c.detail else c.name for c in result.failures]
    if not result.passed and not lines and not result.error:
        lines.append("scenario failed (no failed check recorded)")
    return lines


# ---------------------------------------------------------------------------- text table


def format_table(results: Sequence[ScenarioResult]) -> str:
    """A plain-text table for the terminal, the failures below it, and a totals line."""
    results = list(results)
    rows = [tuple(_one_line(cell) for cell in _summary_row(r)) for r in results]
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(_TABLE_HEADERS)]
    numeric = {2, 4, 5}  # right-aligned columns

    def fmt(cells: Sequence[str]) -> str:
        parts = [c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))]
        return "  ".join(parts).rstrip()

    lines = [fmt(_TABLE_HEADERS), "  ".join("-" * w for w in widths)]
    lines.extend(fmt(row) for row in rows)
    if not results:
        lines.append("(no scenarios)")

    failed = [r for r in results if not r.passed]
    if failed:
        lines.append("")
        lines.append("Failures:")
        for result in failed:
            lines.append(f"  {_one_line(result.name)}")
            for line in _failure_lines(result):
                lines.append(f"    - {_one_line(line)}")
            if result.error:
                lines.append(f"    error: {_one_line(result.error)}")
    lines.append("")
    lines.append(_totals_line(results))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- JUnit XML


def _xml_text(text: Any) -> str:
    return _XML_INVALID.sub("\ufffd", str(text))


def _seconds(value: float) -> str:
    return f"{max(float(value), 0.0):.3f}"


def _system_out(result: ScenarioResult) -> str:
    lines = [f"{'PASS' if c.passed else 'FAIL'} {c.name}" + (f": {c.detail}" if c.detail else "") for c in result.checks]
    for job in result.jobs:
        line = f"job {job.job_id} user={job.user} status={job.status} attempts={job.attempts}"
        if job.error:
            line += f" error={job.error}"
        lines.append(line)
    lines.append(
        f"model_calls={result.model_calls} model_retries={result.model_retries} "
        f"dlq_messages={result.dlq_messages} cassette_misses={len(result.cassette_misses)}"
    )
    if result.error:
        lines.append(f"error: {result.error}")
    return _xml_text("\n".join(lines) + "\n")


def write_junit(results: Sequence[ScenarioResult], path: str | os.PathLike[str]) -> Path:
    """Write JUnit XML: one ``<testsuite name="alex-scenarios">``, one ``<testcase>`` per scenario.

    Counting follows pytest: a scenario whose run broke (``error`` set) counts as an error,
    any other failed scenario as a failure, so ``tests = passed + failures + errors``. A
    broken scenario with failed checks carries both ``<error>`` and ``<failure>``.
    """
    results = list(results)
    _, _, seconds = _totals(results)
    errors = sum(1 for r in results if r.error)
    failures = sum(1 for r in results if not r.passed and not r.error)
    counts = {
        "tests": str(len(results)),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": "0",
        "time": _seconds(seconds),
    }
    root = ET.Element("testsuites", {"name": "alex-scenarios", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": "alex-scenarios", **counts})
    for result in results:
        case = ET.SubElement(
            suite,
            "testcase",
            {"classname": "scenarios", "name": _xml_text(result.name), "time": _seconds(result.duration_s)},
        )
        lines = _failure_lines(result)
        if lines:
            message = "; ".join(lines)
            failure = ET.SubElement(case, "failure", {"message": _xml_text(message), "type": "ScenarioCheckFailed"})
            failure.text = _xml_text("\n".join(lines) + "\n")
        if result.error:
            first_line = str(result.error).strip().splitlines()[0] if str(result.error).strip() else "error"
            error = ET.SubElement(case, "error", {"message": _xml_text(first_line), "type": "ScenarioError"})
            error.text = _xml_text(result.error)
        ET.SubElement(case, "system-out").text = _system_out(result)

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tree = ET.ElementTree(root)
    ET.indent(tree)
    tree.write(target, encoding="utf-8", xml_declaration=True)
    return target


# ---------------------------------------------------------------------------- HTML


def _e(text: Any) -> str:
    return html.escape(_xml_text(str(text)), quote=True)


def _anchor(index: int, name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]
    return f"scenario-{index}-{slug}" if slug else f"scenario-{index}"


def _kind_class(kind: str) -> str:
    return kind if kind in KIND_COLOURS else "custom"


def ordered_lanes(events: Iterable[TimelineEvent]) -> list[str]:
    """The lanes used by ``events``: known lanes in :data:`LANE_ORDER`, then others as first seen."""
    seen: list[str] = []
    for event in events:
        if event.lane not in seen:
            seen.append(event.lane)
    return [lane for lane in LANE_ORDER if lane in seen] + [lane for lane in seen if lane not in LANE_ORDER]


def _scale_ms(result: ScenarioResult) -> float:
    ends = [float(ev.end_ms) for job in result.jobs for ev in job.timeline]
    ends += [float(ev.start_ms) for job in result.jobs for ev in job.timeline]
    longest = max(ends, default=0.0)
    return longest if longest > 0 else 1.0


def _tooltip(event: TimelineEvent) -> str:
    duration = max(float(event.end_ms) - float(event.start_ms), 0.0)
    lines = [f"{event.label}", f"{duration:.0f} ms ({event.kind}, {event.start_ms:.0f}–{event.end_ms:.0f} ms)"]
    attributes = dict(event.attributes or {})
    for key in ("tokens", "model", "attempt"):
        if key in attributes:
            lines.append(f"{key}: {attributes.pop(key)}")
    for key in sorted(attributes, key=str):
        lines.append(f"{key}: {attributes[key]}")
    if event.error:
        lines.append(f"error: {event.error}")
    return "\n".join(lines)


def _pct(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") + "%"


def _bar(event: TimelineEvent, scale: float) -> str:
    start = min(max(float(event.start_ms), 0.0), scale)
    end = min(max(float(event.end_ms), start), scale)
    classes = f"bar kind-{_kind_class(event.kind)}" + (" error" if event.error else "")
    style = f"left:{_pct(start / scale * 100)};width:{_pct((end - start) / scale * 100)}"
    return f'<div class="{classes}" style="{style}" title="{_e(_tooltip(event))}"><span>{_e(event.label)}</span></div>'


def _timeline(job: JobOutcome, scale: float) -> str:
    if not job.timeline:
        return '<p class="muted">No timeline recorded.</p>'
    rows = []
    for lane in ordered_lanes(job.timeline):
        bars = "".join(_bar(ev, scale) for ev in job.timeline if ev.lane == lane)
        rows.append(
            f'<div class="lane" data-lane="{_e(lane)}"><div class="lane-name">{_e(lane)}</div>'
            f'<div class="track">{bars}</div></div>'
        )
    ticks = "".join(f'<span class="tick" style="left:{_pct(f * 100)}">{scale * f:.0f} ms</span>' for f in (0, 0.25, 0.5, 0.75, 1))
    axis = f'<div class="lane axis"><div class="lane-name"></div><div class="track">{ticks}</div></div>'
    return f'<div class="timeline">{"".join(rows)}{axis}</div>'


def _legend() -> str:
    items = "".join(
        f'<span class="legend-item"><span class="swatch kind-{kind}"></span>{_e(kind)}</span>' for kind in KIND_COLOURS
    )
    items += '<span class="legend-item"><span class="swatch error"></span>error</span>'
    return f'<div class="legend">{items}</div>'


def _summary_table(results: Sequence[ScenarioResult], anchors: Sequence[str]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in _TABLE_HEADERS)
    body = []
    for result, anchor in zip(results, anchors):
        cells = _summary_row(result)
        cls = "pass" if result.passed else "fail"
        tds = [f'<td><a href="#{anchor}">{_e(cells[0])}</a></td>', f'<td class="result">{_e(cells[1])}</td>']
        tds += [f'<td class="num">{_e(cells[2])}</td>', f"<td>{_e(cells[3])}</td>"]
        tds += [f'<td class="num">{_e(c)}</td>' for c in cells[4:]]
        body.append(f'<tr class="{cls}">{"".join(tds)}</tr>')
    if not body:
        body.append(f'<tr><td colspan="{len(_TABLE_HEADERS)}" class="muted">No scenarios.</td></tr>')
    return f'<table class="summary"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _section(result: ScenarioResult, anchor: str) -> str:
    cls = "pass" if result.passed else "fail"
    parts = [
        f'<section class="scenario {cls}" id="{anchor}">',
        f'<h2><span class="badge {cls}">{_result_word(result)}</span> {_e(result.name)}</h2>',
        f'<p class="description">{_e(result.description)}</p>',
    ]
    if result.error:
        parts.append(f'<div class="run-error"><strong>Run error</strong><pre>{_e(result.error)}</pre></div>')

    parts.append("<h3>Checks</h3>")
    if result.checks:
        items = []
        for check in result.checks:
            mark, ccls = ("\u2714", "ok") if check.passed else ("\u2718", "ko")
            detail = f' <span class="detail">{_e(check.detail)}</span>' if check.detail else ""
            items.append(f'<li class="{ccls}"><span class="mark">{mark}</span> <code>{_e(check.name)}</code>{detail}</li>')
        parts.append(f'<ul class="checks">{"".join(items)}</ul>')
    else:
        parts.append('<p class="muted">No checks recorded.</p>')

    counts = [
        ("duration", f"{result.duration_s:.1f}s"),
        ("jobs", jobs_summary(result.jobs)),
        ("model calls", result.model_calls),
        ("model retries", result.model_retries),
        ("DLQ messages", result.dlq_messages),
        ("cassette misses", len(result.cassette_misses)),
    ]
    parts.append('<dl class="counts">' + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in counts) + "</dl>")

    if result.cassette_misses:
        dump = json.dumps(result.cassette_misses, indent=2, sort_keys=True, default=str, ensure_ascii=False)
        parts.append(f'<h3>Cassette misses</h3><pre class="misses">{_e(dump)}</pre>')

    if result.jobs:
        parts.append("<h3>Jobs</h3>")
        scale = _scale_ms(result)
        for job in result.jobs:
            jcls = "pass" if job.status == "completed" else "fail" if job.status == "failed" else "other"
            meta = (
                f'user {_e(job.user)} · status <span class="status {jcls}">{_e(job.status)}</span> · attempts {_e(job.attempts)}'
            )
            error = f'<pre class="job-error">{_e(job.error)}</pre>' if job.error else ""
            parts.append(
                f'<details class="job" open><summary><code>{_e(job.job_id)}</code> <span class="muted">{meta}</span></summary>'
                f"{error}{_timeline(job, scale)}</details>"
            )
    parts.append('<p class="top"><a href="#summary">back to summary</a></p>')
    parts.append("</section>")
    return "\n".join(parts)


def _css() -> str:
    kinds = "".join(f".kind-{k}{{background:{c}}}" for k, c in KIND_COLOURS.items())
    return (
        "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.5rem;color:#222;background:#fafafa}"
        "h1{margin-top:0}h2{border-bottom:1px solid #ddd;padding-bottom:.3rem}"
        "table.summary{border-collapse:collapse;margin-bottom:1rem}"
        "table.summary th,table.summary td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}"
        "table.summary td.num{text-align:right;font-variant-numeric:tabular-nums}"
        "tr.pass{background:#e6f4ea}tr.fail{background:#fce8e6}"
        "tr.pass td.result{color:#137333;font-weight:bold}tr.fail td.result{color:#c5221f;font-weight:bold}"
        ".totals{font-weight:bold}.muted{color:#666}"
        ".badge{display:inline-block;padding:0 .4rem;border-radius:3px;color:#fff;font-size:.8em;vertical-align:middle}"
        ".badge.pass{background:#137333}.badge.fail{background:#c5221f}"
        "section.scenario{background:#fff;border:1px solid #ddd;border-radius:4px;padding:0 1rem .5rem;margin:1rem 0}"
        "section.scenario.fail{border-left:4px solid #c5221f}section.scenario.pass{border-left:4px solid #137333}"
        "ul.checks{list-style:none;padding-left:0}ul.checks li{margin:.2rem 0}"
        "li.ok .mark{color:#137333}li.ko .mark{color:#c5221f;font-weight:bold}.detail{color:#444}"
        "dl.counts{display:grid;grid-template-columns:max-content auto;gap:.1rem 1rem}dl.counts dd{margin:0}"
        "pre{background:#f4f4f4;padding:.5rem;overflow:auto;white-space:pre-wrap;word-break:break-word}"
        ".run-error pre,.job-error{background:#fce8e6}"
        ".status.pass{color:#137333}.status.fail{color:#c5221f}"
        "details.job{margin:.5rem 0}details.job summary{cursor:pointer}"
        ".timeline{margin:.4rem 0 .8rem;font-size:.8rem}"
        ".lane{display:flex;align-items:center;height:22px}"
        ".lane-name{width:7rem;flex:none;text-align:right;padding-right:.5rem;color:#444;overflow:hidden;text-overflow:ellipsis}"
        ".track{position:relative;flex:1;height:18px;margin-right:2.5rem;background:#f1f3f4;border-radius:2px}"
        ".lane.axis .track{background:none;height:14px;border-top:1px solid #999}"
        ".lane.axis{height:18px}"
        ".tick{position:absolute;top:1px;transform:translateX(-50%);color:#666;white-space:nowrap}"
        ".bar{position:absolute;top:2px;height:14px;min-width:2px;box-sizing:border-box;border-radius:2px;"
        "overflow:hidden;white-space:nowrap;opacity:.9}"
        ".bar span{padding-left:3px;color:#fff;font-size:.7rem;line-height:14px;text-shadow:0 0 2px #000}"
        ".bar:hover{opacity:1;outline:1px solid #000;z-index:2}"
        ".bar.error{border:2px solid #d00;outline:1px solid #d00}"
        ".legend{display:flex;flex-wrap:wrap;gap:.8rem;margin:.5rem 0 1rem;font-size:.85rem}"
        ".legend-item{display:inline-flex;align-items:center;gap:.3rem}"
        ".swatch{display:inline-block;width:14px;height:10px;border-radius:2px;box-sizing:border-box}"
        ".swatch.error{background:#fff;border:2px solid #d00}" + kinds
    )


def render_html(results: Sequence[ScenarioResult], *, title: str = "Alex scenarios") -> str:
    """The self-contained HTML page as a string (see :func:`write_html`)."""
    results = list(results)
    anchors = [_anchor(i, r.name) for i, r in enumerate(results, start=1)]
    passed, failed, seconds = _totals(results)
    sections = "\n".join(_section(r, a) for r, a in zip(results, anchors))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_css()}</style></head><body>\n"
        f'<h1 id="summary">{_e(title)}</h1>\n'
        f"{_summary_table(results, anchors)}\n"
        f'<p class="totals">{passed} passed, {failed} failed in {seconds:.1f}s</p>\n'
        "<h3>Timeline legend</h3>\n"
        f"{_legend()}\n"
        f"{sections}\n"
        "</body></html>\n"
    )


def write_html(results: Sequence[ScenarioResult], path: str | os.PathLike[str], *, title: str = "Alex scenarios") -> Path:
    """Write one self-contained HTML report (inline CSS, no scripts, no external assets)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_html(results, title=title), encoding="utf-8")
    return target
