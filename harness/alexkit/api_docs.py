"""Alex API's OpenAPI docs, served locally at ``/docs`` by the loopback server only.

FastAPI's Swagger UI loads its scripts from a CDN, which would send traffic beyond loopback and
is refused by the API's CSP anyway; this page is rendered on the server from ``app.openapi()``:
plain HTML, no script, no style, every route with its parameters, body and answers. The machine-
readable document is ``/openapi.json``. On Lambda neither exists (``alex.api.app`` turns docs off).
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse

METHODS = ("get", "post", "put", "patch", "delete")


def _schema_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref")
    if ref:
        return ref.rsplit("/", 1)[-1] + ("[]" if "items" in schema else "")
    return str(schema.get("type", "object"))


def _fields(document: dict[str, Any], name: str) -> str:
    schema = document.get("components", {}).get("schemas", {}).get(name.rstrip("[]"), {})
    rows = []
    for field, spec in schema.get("properties", {}).items():
        required = " (required)" if field in schema.get("required", []) else ""
        kinds = [_schema_name(s) for s in spec.get("anyOf", [])] or [_schema_name(spec)]
        rows.append(
            f"<li><code>{escape(field)}</code>: {escape(' | '.join(kinds))}{required}"
            f"{' - ' + escape(spec['description']) if spec.get('description') else ''}</li>"
        )
    return f"<ul>{''.join(rows)}</ul>" if rows else ""


def render(document: dict[str, Any]) -> str:
    """The OpenAPI document as one HTML page: a table of routes, then each route in detail."""
    info = document.get("info", {})
    routes = [
        (path, method, op) for path, item in document.get("paths", {}).items() for method, op in item.items() if method in METHODS
    ]
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(info.get('title', 'API'))} docs</title>"
        f"</head><body><h1>{escape(info.get('title', 'API'))} {escape(info.get('version', ''))}</h1>"
        f"<p>{escape(info.get('description', ''))}</p>"
        "<p>Every route but <code>/health</code> needs <code>Authorization: Bearer $(alex-harness token)</code>. "
        "The machine-readable document: <a href='/openapi.json'>/openapi.json</a>.</p>",
        "<table><tr><th>method</th><th>path</th><th>what</th></tr>",
    ]
    parts += [
        f"<tr><td>{m.upper()}</td><td><a href='#{escape(m + p)}'>{escape(p)}</a></td>"
        f"<td>{escape(op.get('summary', ''))}</td></tr>"
        for p, m, op in routes
    ]
    parts.append("</table>")
    for path, method, op in routes:
        parts.append(f"<h2 id='{escape(method + path)}'>{method.upper()} {escape(path)}</h2>")
        if op.get("description"):
            parts.append(f"<p>{escape(op['description'])}</p>")
        params = [
            f"<li><code>{escape(p['name'])}</code> in {escape(p['in'])}: {escape(_schema_name(p.get('schema', {})))}"
            f"{' (required)' if p.get('required') else ''}</li>"
            for p in op.get("parameters", [])
        ]
        if params:
            parts.append(f"<h3>Parameters</h3><ul>{''.join(params)}</ul>")
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        if body:
            name = _schema_name(body)
            parts.append(f"<h3>Body: {escape(name)}</h3>{_fields(document, name)}")
        answers = [
            f"<li>{escape(code)}: {escape(spec.get('description', ''))}</li>" for code, spec in op.get("responses", {}).items()
        ]
        parts.append(f"<h3>Answers</h3><ul>{''.join(answers)}</ul>")
    parts.append("</body></html>")
    return "".join(parts)


def add_local_docs(app: FastAPI) -> None:
    """Serve ``/docs`` (this page) and ``/openapi.json`` on ``app``; for the loopback server only."""
    document: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if not document:
            document.update(app.openapi())
        return document

    async def docs() -> HTMLResponse:
        return HTMLResponse(render(openapi()))

    async def openapi_json() -> JSONResponse:
        return JSONResponse(openapi())

    app.add_api_route("/openapi.json", openapi_json, methods=["GET"], include_in_schema=False)
    app.add_api_route("/docs", docs, methods=["GET"], include_in_schema=False)
