"""Injections hidden in stored fields reach a prompt only as data: the real path from
stored rows through ``alex.portfolio.build_portfolio`` (its ``FindingLog``) to the agent's
``<input>`` message, for every attack family, and benign names pass it untouched.

The contract (layer 1): whatever a stored text says, it stays inside the escaped data
section (the frame has exactly one opening and one closing delimiter and no ``<`` or ``>``
in between), it decodes back to exactly the cleaned text, and the detector's findings are
recorded as a signal (counted for the summary, not required: the next paraphrase will be
missed, and the structure must hold anyway). Tested in memory for every family, and once
more through the database (rows read back by ``load_job_context`` as an agent does).
"""

from __future__ import annotations

import itertools
import json
import unicodedata
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import attacks
from alex.db import Database
from alex.guardrails import sanitise
from alex.guardrails.framing import frame_json
from alex.job_context import load_job_context
from alex.portfolio import FindingLog, build_portfolio
from alex.schemas import ReporterInput, input_block, parse_input_block

pytestmark = pytest.mark.guardrails

CORPUS = [
    line
    for line in (Path(__file__).with_name("benign_corpus.txt")).read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
FIELDS = ("account_name", "account_purpose", "instrument_name")
MAX_STORED = {"account_name": 255, "instrument_name": 255, "account_purpose": None}  # the columns' limits
PATH_FAMILY = "stored fields → prompt"


def _attack_for(field: str, text: str) -> str:
    """Where the text can be stored: names are VARCHAR(255), so a longer attack goes in the purpose."""
    limit = MAX_STORED[field]
    return "account_purpose" if limit is not None and len(text) > limit else field


def _row(account_id: str, name: str, purpose: str | None, symbol: str | None, instrument: str | None) -> dict[str, Any]:
    """A row as ``Positions.portfolio`` returns it (NUMERIC as strings, JSONB as objects)."""
    return {
        "account_id": account_id,
        "account_name": name,
        "account_purpose": purpose,
        "cash_balance": "1500.00",
        "position_id": str(uuid.uuid4()) if symbol else None,
        "symbol": symbol,
        "quantity": "10" if symbol else None,
        "instrument_name": instrument,
        "instrument_type": "etf" if symbol else None,
        "current_price": "215.4000" if symbol else None,
        "allocation_asset_class": {"equity": 100} if symbol else None,
        "allocation_regions": {"north_america": 100} if symbol else None,
        "allocation_sectors": {"technology": 100} if symbol else None,
    }


def prompt_message(view: Any, job_id: str = "job-1") -> str:
    """The reporter's and charter's input, as ``run_agent`` sends it to the model."""
    return input_block(ReporterInput(job_id=job_id, portfolio=view).model_dump(by_alias=True))


def leaked(attack: str, message: str) -> bool:
    """The attack (as typed, or NFKC-folded; raw or JSON-escaped as the ``<input>`` block holds it) is in the message."""
    forms = {attack, unicodedata.normalize("NFKC", attack)}
    forms |= {json.dumps(f, ensure_ascii=False)[1:-1] for f in forms}
    return any(f and f in message for f in forms)


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings_in(k) + strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def assert_frame_holds(message: str, view: Any, job_id: str = "job-1") -> None:
    """One data section, nothing markup-like inside it, and it decodes to exactly the view."""
    assert message.count("<input>") == 1 and message.count("</input>") == 1
    inner = message.removeprefix("<input>\n").removesuffix("\n</input>")
    assert "<" not in inner and ">" not in inner and "\u2028" not in inner
    assert parse_input_block(message) == json.loads(
        json.dumps(ReporterInput(job_id=job_id, portfolio=view).model_dump(by_alias=True), default=str)
    )


# -- every family, in memory ------------------------------------------------------------------


@pytest.mark.parametrize("family", sorted(attacks.FAMILIES))
@settings(max_examples=max(6, settings().max_examples // 10))
@given(data=st.data(), field=st.sampled_from(FIELDS), benign=st.sampled_from(CORPUS))
def test_attack_in_a_stored_field_reaches_the_prompt_only_as_data(
    family: str, data: st.DataObject, field: str, benign: str
) -> None:
    _, attack = data.draw(attacks.FAMILIES[family], label="attack")
    field = _attack_for(field, attack)
    clean_name = benign[:255]
    rows = [
        _row("acc-benign", clean_name, "Saving for retirement", "VTI", "Vanguard Total Stock Market ETF"),
        _row(
            "acc-attacked",
            attack if field == "account_name" else "Roth IRA",
            attack if field == "account_purpose" else None,
            "QQQ",
            attack if field == "instrument_name" else "Invesco QQQ Trust, Series 1",
        ),
    ]
    findings = FindingLog()
    view = build_portfolio(rows, {"clerk_user_id": "u"}, findings)
    message = prompt_message(view)
    attacked = view.accounts[1]
    stored = {"account_name": attacked.name, "account_purpose": attacked.purpose, "instrument_name": attacked.positions[0].name}[
        field
    ]
    verdict = sanitise(attack, field=field, max_chars=1000 if field == "account_purpose" else 255)
    assert stored == verdict.text  # passed on as data (the placeholder only if refused)
    assert_frame_holds(message, view)
    logged = field in [item["field"] for item in findings.items]
    assert logged == verdict.suspect, findings.items
    attacks.record_attack(PATH_FAMILY, verdict.suspect)
    # the benign account beside it is untouched, and the figures do not depend on names
    assert view.accounts[0].name == sanitise(clean_name, field="account_name", max_chars=255).text
    assert view.total_value == round(2 * 1500 + 2 * 10 * 215.4, 2)


def test_benign_corpus_through_build_portfolio_is_untouched() -> None:
    """Every corpus line as an account name and an instrument name: no finding, and the
    prompt carries it as NFKC text (false positives counted for the summary)."""
    false_positives = []
    for i, line in enumerate(CORPUS):
        name = line[:255]
        rows = [_row(f"acc-{i}", name, None, "VTI", name)]
        findings = FindingLog()
        view = build_portfolio(rows, None, findings)
        account = view.accounts[0]
        expected = unicodedata.normalize("NFKC", name)
        fp = bool(findings.items) or (account.name, account.positions[0].name) != (expected, expected)
        fp = fp or frame_json(expected) not in prompt_message(view)
        attacks.record_benign("benign corpus via build_portfolio", fp)
        if fp:
            false_positives.append((line, findings.items))
    assert not false_positives


# -- every family, through the database -----------------------------------------------------------

_symbols = ("Z" + "".join(p) for p in itertools.product("ABCDEFGHIJKLMNOPQRSTUVWXYZ", repeat=4))


@pytest.mark.usefixtures("alex_deployed")
def test_attacks_stored_in_the_database_reach_the_prompt_only_as_data(alex_db: Database) -> None:
    """Rows written by the repositories (bypassing the API's validators, as the tagger or an
    old row would), read back by ``load_job_context``: one account per family per example."""

    @settings(
        max_examples=max(3, settings().max_examples // 20),
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        user = f"user_prompt_{uuid.uuid4().hex[:12]}"
        alex_db.users.ensure(user, "Zoë Ångström")
        planted: dict[str, tuple[str, str, str]] = {}  # family -> (field, attack, account name)
        for family in sorted(attacks.FAMILIES):
            _, attack = data.draw(attacks.FAMILIES[family], label=family)
            field = _attack_for(data.draw(st.sampled_from(FIELDS), label=f"{family} field"), attack)
            symbol = next(_symbols)
            name = attack if field == "account_name" else f"Account {symbol}"
            account = alex_db.accounts.create(
                user,
                {
                    "account_name": name,
                    "account_purpose": attack if field == "account_purpose" else "Long term",
                    "cash_balance": 100,
                    "cash_interest": 0,
                },
            )
            alex_db.instruments.upsert(
                {
                    "symbol": symbol,
                    "name": attack if field == "instrument_name" else f"Fund {symbol}",
                    "instrument_type": "etf",
                    "current_price": 10,
                    "allocation_asset_class": {"equity": 100},
                    "allocation_regions": {"global": 100},
                    "allocation_sectors": {"diversified": 100},
                }
            )
            assert alex_db.positions.upsert(user, str(account["id"]), symbol, 5) is not None
            planted[family] = (field, attack, name)
        job = alex_db.jobs.create(user, {"analysis_type": "portfolio"})
        ctx = load_job_context(alex_db, str(job["id"]))
        message = prompt_message(ctx.portfolio, str(job["id"]))
        assert len(ctx.portfolio.accounts) == len(planted)
        assert_frame_holds(message, ctx.portfolio, str(job["id"]))
        texts = set(strings_in(parse_input_block(message)))
        for family, (field, attack, _) in planted.items():
            verdict = sanitise(attack, field=field, max_chars=1000 if field == "account_purpose" else 255)
            assert verdict.text in texts, (family, field)  # as data, exactly
            attacks.record_attack(PATH_FAMILY + " (database)", verdict.suspect)
        assert ctx.portfolio.total_value == round(len(planted) * (100 + 5 * 10), 2)

    run()
