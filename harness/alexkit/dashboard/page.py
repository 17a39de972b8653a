"""The dashboard's single page: HTML, CSS and the script that draws it with Plotly (served locally)."""

from __future__ import annotations

PAGE = r"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Alex · local monitoring</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  :root { --bg:#f4f6f9; --card:#fff; --ink:#1d2430; --muted:#6b7585; --line:#e3e7ee;
          --ok:#2e9d5b; --alarm:#d64545; --insufficient:#8a94a6; --running:#2f7dd1; --pending:#c9a227; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; background:var(--bg); color:var(--ink); }
  header { background:#18202c; color:#fff; padding:12px 20px; display:flex; align-items:baseline; gap:18px; }
  header h1 { font-size:18px; margin:0; font-weight:600; }
  header .meta { color:#aab4c3; font-size:12px; }
  header .live { margin-left:auto; font-size:12px; color:#aab4c3; }
  header .dot { display:inline-block; width:8px; height:8px; border-radius:50%; background:var(--ok); margin-right:6px; }
  main { padding:14px 20px 30px; }
  section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 14px; margin-bottom:14px; }
  section h2 { font-size:14px; margin:0 0 10px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); }
  .row { display:grid; gap:14px; }
  .row.top { grid-template-columns: 3fr 2fr; }
  .row.bottom { grid-template-columns: 2fr 3fr; }
  .alarms { display:grid; grid-template-columns:repeat(auto-fill, minmax(210px, 1fr)); gap:8px; }
  .alarm { border:1px solid var(--line); border-left:6px solid var(--insufficient); border-radius:6px; padding:7px 9px; }
  .alarm .name { font-weight:600; font-size:13px; word-break:break-all; }
  .alarm .state { font-size:11px; font-weight:700; padding:1px 6px; border-radius:3px; color:#fff; background:var(--insufficient); float:right; }
  .alarm .what { color:var(--muted); font-size:11px; }
  .alarm .reason { font-size:11px; margin-top:3px; color:#3b4452; max-height:3.9em; overflow:hidden; }
  .alarm[data-state="ALARM"] { border-left-color:var(--alarm); background:#fff4f4; }
  .alarm[data-state="ALARM"] .state { background:var(--alarm); }
  .alarm[data-state="OK"] { border-left-color:var(--ok); }
  .alarm[data-state="OK"] .state { background:var(--ok); }
  table { width:100%; border-collapse:collapse; font-size:12px; }
  th { text-align:left; color:var(--muted); font-weight:600; border-bottom:1px solid var(--line); padding:4px 6px; }
  td { border-bottom:1px solid var(--line); padding:4px 6px; vertical-align:top; }
  tr.job { cursor:pointer; }
  tr.job:hover { background:#f0f4fa; }
  tr.job.selected { background:#e6effb; }
  .badge { display:inline-block; padding:1px 7px; border-radius:10px; font-size:11px; font-weight:700; color:#fff; background:var(--insufficient); }
  .badge.completed, .badge.OK { background:var(--ok); } .badge.failed, .badge.ALARM { background:var(--alarm); }
  .badge.running { background:var(--running); } .badge.pending { background:var(--pending); }
  .metrics { display:grid; grid-template-columns:repeat(4, 1fr); gap:10px; }
  .metric { border:1px solid var(--line); border-radius:6px; padding:4px; }
  .metric h3 { font-size:12px; margin:2px 6px; font-weight:600; }
  .metric .plot { height:170px; }
  .group { grid-column:1 / -1; font-size:12px; font-weight:700; color:var(--muted); margin-top:4px; }
  .muted { color:var(--muted); }
  .errors { color:var(--alarm); font-size:12px; }
  #timeline { min-height:120px; }
  .notes { max-height:260px; overflow:auto; }
  .err { color:var(--alarm); }
</style>
</head>
<body data-loaded="false">
<header>
  <h1>Alex · local monitoring</h1>
  <span class="meta" id="endpoint"></span>
  <span class="live"><span class="dot" id="dot"></span><span id="updated">loading…</span></span>
</header>
<main>
  <div class="errors" id="errors"></div>
  <div class="row top">
    <section><h2>Alarms</h2><div class="alarms" id="alarms"><span class="muted">no alarms</span></div></section>
    <section><h2>Alarm notifications (SNS)</h2><div class="notes" id="notifications"><span class="muted">none yet</span></div></section>
  </div>
  <section><h2>Metrics <span class="muted" id="window"></span></h2><div class="metrics" id="metrics"></div></section>
  <div class="row bottom">
    <section><h2>Jobs</h2><div id="jobs"><span class="muted">no jobs yet</span></div></section>
    <section><h2>Trace <span class="muted" id="trace-title"></span></h2><div id="timeline"></div><div id="agents"></div></section>
  </div>
</main>
<script src="static/plotly.min.js"></script>
<script>
const REFRESH_MS = __REFRESH_MS__;
const GROUPS = {lambda_invocations: "Lambda", sqs_visible: "SQS", bedrock_invocations: "Models"};
const KIND_COLORS = {agent:"#4c78a8", generation:"#f58518", "function":"#54a24b", tool:"#54a24b", retry:"#e45756",
                     custom:"#b279a2", response:"#eeca3b", guardrail:"#72b7b2", handoff:"#9d755d"};
let selectedJob = new URLSearchParams(location.search).get("job");
let built = false;
let timelinePlot = null;

function esc(v) { return String(v == null ? "" : v).replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c])); }
function short(v, n) { v = String(v == null ? "" : v); return v.length > n ? v.slice(0, n - 1) + "…" : v; }
function hhmmss(v) { if (!v) return ""; const d = new Date(v.replace(" ", "T") + (/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? "" : "Z")); return isNaN(d) ? v : d.toLocaleTimeString(); }

function renderAlarms(alarms) {
  const el = document.getElementById("alarms");
  if (!alarms.length) { el.innerHTML = '<span class="muted">no alarms defined</span>'; return; }
  el.innerHTML = alarms.map(a => {
    const dims = Object.values(a.dimensions || {}).join(", ");
    const cmp = {GreaterThanThreshold: ">", GreaterThanOrEqualToThreshold: "≥", LessThanThreshold: "<", LessThanOrEqualToThreshold: "≤"}[a.comparison] || a.comparison;
    return `<div class="alarm" data-alarm="${esc(a.name)}" data-state="${esc(a.state)}">
      <span class="state">${esc(a.state)}</span><div class="name">${esc(a.name)}</div>
      <div class="what">${esc(a.statistic)} of ${esc(a.metric)} (${esc(dims)}) ${esc(cmp)} ${esc(a.threshold)} over ${esc(a.period)}s</div>
      <div class="reason" title="${esc(a.reason)}">${esc(a.reason)}</div></div>`;
  }).join("");
}

function renderNotifications(notes) {
  const el = document.getElementById("notifications");
  if (!notes.length) { el.innerHTML = '<span class="muted">none yet</span>'; return; }
  el.innerHTML = "<table><tr><th>time</th><th>alarm</th><th>change</th><th>topic</th></tr>" + notes.map(n =>
    `<tr class="notification" data-alarm="${esc(n.alarm)}" data-state="${esc(n.new_state)}"><td>${esc(hhmmss(n.time))}</td>
     <td title="${esc(n.reason)}">${esc(n.alarm || n.subject)}</td>
     <td>${esc(n.old_state || "")} → <span class="badge ${esc(n.new_state)}">${esc(n.new_state || "")}</span></td>
     <td class="muted">${esc((n.topic_arn || "").split(":").pop())}</td></tr>`).join("") + "</table>";
}

function buildMetricCells(widgets) {
  const el = document.getElementById("metrics");
  el.innerHTML = widgets.map(w => (GROUPS[w.key] ? `<div class="group">${GROUPS[w.key]}</div>` : "") +
    `<div class="metric" data-metric="${esc(w.key)}"><h3>${esc(w.title)}</h3><div class="plot" id="m-${esc(w.key)}"></div></div>`).join("");
  built = true;
}

let windowRange = undefined;
function renderMetrics(widgets) {
  if (!built || document.querySelectorAll(".metric").length !== widgets.length) buildMetricCells(widgets);
  for (const w of widgets) {
    const div = document.getElementById("m-" + w.key);
    const traces = w.series.map(s => ({x: s.x, y: s.y, name: s.name, type: "scatter", mode: "lines+markers",
                                       line: {width: 2, shape: "hv"}, marker: {size: 4}}));
    const layout = {margin: {l: 38, r: 8, t: 4, b: 26}, showlegend: traces.length > 0, legend: {orientation: "h", y: -0.25, font: {size: 9}},
                    xaxis: {type: "date", tickfont: {size: 9}, range: windowRange}, yaxis: {rangemode: "tozero", tickfont: {size: 9}, title: {text: w.unit, font: {size: 9}}},
                    annotations: traces.length ? [] : [{text: "no data yet", showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5, font: {color: "#8a94a6"}}],
                    paper_bgcolor: "#fff", plot_bgcolor: "#fff", height: 170};
    if (window.Plotly) Plotly.react(div, traces, layout, {displayModeBar: false, responsive: true});
  }
}

function renderJobs(jobs, selected) {
  const el = document.getElementById("jobs");
  if (!jobs.length) { el.innerHTML = '<span class="muted">no jobs yet</span>'; return; }
  el.innerHTML = "<table><tr><th>created</th><th>user</th><th>status</th><th>tries</th><th>spans</th><th>error</th></tr>" + jobs.map(j =>
    `<tr class="job${j.id === selected ? " selected" : ""}" data-job="${esc(j.id)}" data-status="${esc(j.status)}">
     <td>${esc(hhmmss(j.created_at))}</td><td>${esc(short(j.clerk_user_id, 18))}</td>
     <td><span class="badge ${esc(j.status)}">${esc(j.status)}</span></td><td>${esc(j.attempts)}</td><td>${esc(j.spans)}</td>
     <td class="err" title="${esc(j.error_message)}">${esc(short(j.error_message, 90))}</td></tr>`).join("") + "</table>";
  for (const row of el.querySelectorAll("tr.job")) row.onclick = () => {
    selectedJob = row.dataset.job; history.replaceState(null, "", "?job=" + encodeURIComponent(selectedJob)); refresh();
  };
}

function renderTrace(trace) {
  const div = document.getElementById("timeline");
  const title = document.getElementById("trace-title");
  const agents = document.getElementById("agents");
  if (!trace || !trace.rows.length) {
    title.textContent = trace ? "job " + trace.job_id + ": no spans" : "";
    if (timelinePlot && window.Plotly) Plotly.purge(timelinePlot);
    timelinePlot = null;
    div.innerHTML = '<span class="muted">no trace for this job yet</span>'; agents.innerHTML = ""; return;
  }
  title.textContent = "job " + trace.job_id + " · " + trace.rows.length + " spans";
  const seen = {};
  const labels = trace.rows.map((r, i) => {
    let label = "\u00a0\u00a0".repeat(r.depth) + short(r.name, 46);
    seen[label] = (seen[label] || 0) + 1;
    return seen[label] > 1 ? label + " (" + seen[label] + ")" : label;
  });
  const cats = [...new Set(trace.rows.map(r => r.category))];
  const traces = cats.map(cat => {
    const idx = trace.rows.map((r, i) => r.category === cat ? i : -1).filter(i => i >= 0);
    return {type: "bar", orientation: "h", name: cat, y: idx.map(i => labels[i]),
            x: idx.map(i => Math.max(trace.rows[i].duration_ms, 1)), base: idx.map(i => trace.rows[i].start_ms),
            marker: {color: KIND_COLORS[cat] || "#999", line: {color: idx.map(i => trace.rows[i].error ? "#d64545" : "rgba(0,0,0,0)"), width: 2}},
            text: idx.map(i => { const r = trace.rows[i]; return r.tokens_in || r.tokens_out ? `${r.tokens_in}→${r.tokens_out} tok` : (r.error ? "error" : ""); }),
            textposition: "auto", insidetextanchor: "start", textfont: {size: 9},
            hovertext: idx.map(i => { const r = trace.rows[i];
              return `${esc(r.name)}<br>${r.kind}${r.agent ? " · " + r.agent : ""}<br>start +${r.start_ms} ms, ${r.duration_ms} ms` +
                     (r.tokens_in || r.tokens_out ? `<br>tokens ${r.tokens_in} in / ${r.tokens_out} out` : "") +
                     (r.model ? `<br>${esc(r.model)}` : "") + (r.error ? `<br>error: ${esc(short(r.error, 120))}` : ""); }),
            hoverinfo: "text"};
  });
  const height = Math.max(220, trace.rows.length * 17 + 70);
  if (!timelinePlot) { div.innerHTML = ""; timelinePlot = document.createElement("div"); timelinePlot.id = "timeline-plot"; div.appendChild(timelinePlot); }
  const layout = {barmode: "overlay", height: height, margin: {l: 300, r: 10, t: 6, b: 30}, legend: {orientation: "h", y: 1.02, yanchor: "bottom", font: {size: 10}},
                  yaxis: {autorange: "reversed", type: "category", categoryorder: "array", categoryarray: labels, tickfont: {size: 10, family: "monospace"}},
                  xaxis: {title: {text: "ms since the job's first span", font: {size: 10}}, tickfont: {size: 9}}};
  if (window.Plotly) Plotly.react(timelinePlot, traces, layout, {displayModeBar: false, responsive: true});
  agents.innerHTML = "<table><tr><th>agent</th><th>model calls</th><th>tokens in</th><th>tokens out</th><th>tool calls</th><th>retries</th><th>errors</th></tr>" +
    Object.entries(trace.agents).map(([name, t]) => `<tr class="agent" data-agent="${esc(name)}"><td>${esc(name)}</td><td>${t.model_calls}</td><td>${t.tokens_in}</td>
      <td>${t.tokens_out}</td><td>${t.tools}</td><td>${t.retries}</td><td class="${t.errors ? "err" : ""}">${t.errors}</td></tr>`).join("") + "</table>";
}

function render(s) {
  document.getElementById("endpoint").textContent = s.endpoint + " · " + s.region + " · stack " + s.prefix;
  document.getElementById("window").textContent = "(last " + s.window_minutes + " min)";
  const errs = Object.entries(s.errors || {});
  document.getElementById("errors").innerHTML = errs.map(([k, v]) => `<div>${esc(k)}: ${esc(v)}</div>`).join("");
  renderAlarms(s.alarms || []);
  renderNotifications(s.notifications || []);
  const end = s.generated_at ? new Date(s.generated_at) : new Date();
  windowRange = isNaN(end) ? undefined : [new Date(end - s.window_minutes * 60000).toISOString(), end.toISOString()];
  renderMetrics(s.metrics || []);
  renderJobs(s.jobs || [], s.selected_job);
  renderTrace(s.trace);
  document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString() + " · every " + (REFRESH_MS / 1000) + " s";
  document.getElementById("dot").style.background = "var(--ok)";
}

async function refresh() {
  try {
    const r = await fetch("api/state" + (selectedJob ? "?job=" + encodeURIComponent(selectedJob) : ""), {cache: "no-store"});
    if (!r.ok) throw new Error("HTTP " + r.status);
    render(await r.json());
    document.body.dataset.loaded = "true";
  } catch (e) {
    document.getElementById("updated").textContent = "refresh failed: " + e;
    document.getElementById("dot").style.background = "var(--alarm)";
  }
}
refresh();
setInterval(refresh, REFRESH_MS);
</script>
</body>
</html>
"""


def render_page(refresh_seconds: float) -> str:
    return PAGE.replace("__REFRESH_MS__", str(max(500, int(refresh_seconds * 1000))))
