"""The API's OpenAPI docs: served by the loopback server at /docs, with nothing fetched from elsewhere."""

from __future__ import annotations

from harness.alexkit.api_docs import render
from harness.alexkit.pytest_plugin import AlexApi

ROUTES = (
    "/health",
    "/api/user",
    "/api/accounts",
    "/api/accounts/{account_id}/positions",
    "/api/positions",
    "/api/positions/{position_id}",
    "/api/instruments",
    "/api/analyze",
    "/api/jobs",
    "/api/jobs/{job_id}",
    "/api/jobs/{job_id}/audit",
    "/api/jobs/{job_id}/trace",
)


def test_docs_list_every_route_and_load_nothing_remote(api: AlexApi) -> None:
    """GET /docs is one server-rendered page listing every route; no script and no URL beyond this server
    (FastAPI's Swagger UI would load from a CDN); /openapi.json is the document it is rendered from."""
    with api.client() as anonymous:
        page = anonymous.get("/docs")
        document = anonymous.get("/openapi.json")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), page.text[:300]
    assert document.status_code == 200
    paths = document.json()["paths"]
    for route in ROUTES:
        assert route in paths, route
        assert f">{route}</a>" in page.text, route
    assert "<script" not in page.text and "http://" not in page.text and "https://" not in page.text
    assert "409" in paths["/api/positions"]["post"]["responses"]


def test_the_lambda_app_serves_no_docs() -> None:
    """On Lambda (``create_app`` alone) neither /docs nor /openapi.json exists: docs are a local convenience."""
    from alex.api.app import create_app
    from alex.api.security import SecuritySettings

    app = create_app(SecuritySettings(jwks_url="http://127.0.0.1:1/jwks", issuer="i", audience=("a",)), environ={})
    assert {getattr(r, "path", "") for r in app.routes}.isdisjoint({"/docs", "/openapi.json", "/redoc"})


def test_render_escapes_what_it_shows() -> None:
    """Text from the document is escaped, so a description cannot inject markup into the page."""
    page = render({"info": {"title": "<b>x</b>"}, "paths": {"/p": {"get": {"summary": "<script>", "responses": {}}}}})
    assert "<b>x</b>" not in page and "&lt;script&gt;" in page
