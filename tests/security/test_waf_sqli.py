"""The SQL-injection rule through HTTP, as AWS WAF's AWSManagedRulesSQLiRuleSet inspects query arguments,
URI path and body and blocks with 403, and lets ordinary financial text through."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest
from alex.api.security import detect_sqli, inspect_request

from tests.security.edge_support import bearer

FORBIDDEN = {"message": "Forbidden"}

ATTACKS = [
    "' OR '1'='1",
    "' or 1=1--",
    "admin'--",
    "admin' #",
    "1 OR 1=1",
    "1) or (1=1",
    "' or username like '%",
    "') or ('a'='a",
    '" or ""="',
    "' UNION SELECT username, password FROM users--",
    "1 union all select null,null--",
    "1 UNION/**/SELECT password FROM users",
    "/*!50000union*/ select 1",
    "'; DROP TABLE users;--",
    "1; DELETE FROM accounts",
    "1;select * from users",
    "' AND SLEEP(5)--",
    "1 AND pg_sleep(5)",
    "'; WAITFOR DELAY '0:0:5'--",
    "1 AND BENCHMARK(5000000,MD5(1))",
    "1' ORDER BY 10--",
    "' AND extractvalue(1,concat(0x7e,version()))--",
    "' UNION SELECT table_name FROM information_schema.tables--",
    "x'; exec master..xp_cmdshell 'dir'--",
    # evasions WAF's text transformations undo
    "%27%20OR%20%271%27%3D%271",  # URL-encoded
    "%2527%2520OR%25201%253D1--",  # double URL-encoded
    "%u0027 or %u00271%u0027=%u00271",  # %u encoding
    "&#39; OR &#39;1&#39;=&#39;1",  # HTML entities
    "\uff07 OR \uff071\uff07=\uff071",  # full-width quotes
]

BENIGN = [
    "O'Brien",
    "Rock & Roll ETF",
    "Select Sector SPDR",
    "Johnson & Johnson",
    "S&P 500",
    "AT&T",
    "L'Oréal",
    "McDonald's (MCD) or Wendy's (WEN)",
    "Should I choose 'growth' or 'value'?",
    "Should I choose 'growth' or value between now and 2030?",
    "Rated 'A' -- great fund",
    'she said "buy" or "hold" -- not sure',
    "I'd like to sell; select funds from Vanguard",
    "delete my account; update my email",
    "Union Pacific",
    "credit union selection",
    "Is 4% = safe withdrawal rate?",
    "Sleep well at night portfolio",
    "benchmark (S&P 500) vs my returns",
    "#1 fund by returns",
    "The Vanguard 500 Index Fund's expense ratio is 0.04%",
    "I'm 45 with 2 kids; retire at 60?",
    "100% equities",
]


@pytest.mark.parametrize("payload", ATTACKS)
def test_attack_in_query_string_is_blocked(edge, payload):
    """SQLi_QUERYARGUMENTS: an injection in a query argument is blocked with WAF's 403 before the route runs."""
    response = edge.client.get(f"/search?q={quote(payload, safe='%')}")
    assert response.status_code == 403
    assert response.json() == FORBIDDEN


@pytest.mark.parametrize("payload", ["' OR '1'='1", "1 UNION SELECT password FROM users--", "1; DROP TABLE users--"])
def test_attack_in_uri_path_is_blocked(edge, issuer, payload):
    """SQLi_URIPATH: the URI path is inspected (URL-decoded), even on a route that needs a token."""
    response = edge.client.get(f"/users/{quote(payload, safe='')}/portfolio", headers=bearer(issuer.mint("user_alice")))
    assert response.status_code == 403


@pytest.mark.parametrize("payload", ["' OR '1'='1", "'; DROP TABLE users;--", "1 AND SLEEP(5)"])
def test_attack_in_json_body_is_blocked(edge, payload):
    """SQLi_BODY with JSON parsing: every string value and key of a JSON body is inspected, however deep."""
    assert edge.client.post("/echo", json={"note": payload}).status_code == 403
    assert edge.client.post("/echo", json={"a": [{"b": {"c": payload}}]}).status_code == 403
    assert edge.client.post("/echo", json={payload: 1}).status_code == 403


def test_attack_in_form_body_is_blocked(edge):
    """SQLi_BODY on a form body: fields are URL-decoded and inspected."""
    response = edge.client.post("/echo", data={"name": "admin'--"})
    assert response.status_code == 403


def test_attack_in_a_text_body_is_blocked(edge):
    """A body of any other type is inspected as text."""
    response = edge.client.post("/echo", content=b"1' UNION SELECT password FROM users--", headers={"Content-Type": "text/plain"})
    assert response.status_code == 403


def test_waf_runs_before_authentication(edge):
    """WAF in front of API Gateway: an injection without any token gets 403, not 401, and nothing reaches the route."""
    response = edge.client.post("/notes", json={"text": "' OR '1'='1"})
    assert response.status_code == 403


@pytest.mark.parametrize("text", BENIGN)
def test_benign_financial_text_passes(edge, issuer, text):
    """No false positives on names, tickers and questions full of quotes, ampersands and SQL words:
    in a query argument, a JSON body and a form body they reach the route unchanged."""
    assert edge.client.get("/search", params={"q": text}).json() == {"q": text}
    response = edge.client.post("/notes", json={"text": text}, headers=bearer(issuer.mint("user_alice")))
    assert response.status_code == 200
    assert response.json()["note"] == {"text": text}
    assert edge.client.post("/echo", data={"text": text}).status_code != 403  # (422: the route wants JSON)


def test_only_the_first_part_of_a_large_body_is_inspected():
    """WAF inspects the first 16 KB of a body (API Gateway's default limit); what lies beyond is not seen."""
    padding = "a" * (16 * 1024)
    assert inspect_request("/echo", "", f"' OR '1'='1 {padding}".encode(), "text/plain", body_limit=16 * 1024)
    assert inspect_request("/echo", "", f"{padding} ' OR '1'='1".encode(), "text/plain", body_limit=16 * 1024) is None


def test_large_body_passes_through_unchanged(edge):
    """A body bigger than the inspected part reaches the route whole."""
    payload = {"text": "x" * 100_000}
    assert edge.client.post("/echo", json=payload).json() == payload


def test_rule_names_the_attack_family():
    """For the logs, the match names what the request looked like."""
    assert detect_sqli("' UNION SELECT 1--") == "union_select"
    assert detect_sqli("1 AND SLEEP(5)") == "time_based"
    assert detect_sqli("admin'--") == "quote_comment"
    assert detect_sqli("O'Brien") is None


@pytest.mark.parametrize(
    "text",
    [
        "'" + " " * 16_000 + "or",
        "or /*" * 3_300,
        "''--" * 4_000,
        "' or " * 3_200,
        "; select " + "from x " * 2_000,
        "%25" * 5_000,
    ],
    ids=["quote-spaces", "open-comments", "quote-comments", "quote-or", "select-from", "percents"],
)
def test_inspection_stays_fast_on_adversarial_input(text):
    """The rule must not become the denial of service it guards against: 16 KB crafted to make regular
    expressions backtrack is inspected in well under a tenth of a second."""
    began = time.perf_counter()
    detect_sqli(text)
    assert time.perf_counter() - began < 0.1
