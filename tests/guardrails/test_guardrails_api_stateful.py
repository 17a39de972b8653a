"""A stateful property test of Alex's HTTP API: random sequences of valid and invalid
requests from two or three users, checked against a model of what each user owns.

The machine drives the real app (``alex.api.app``) served by uvicorn on loopback, against
Alex's stack on the local cloud (Data API on PostgreSQL, SQS), with real RS256 tokens.
Invariants, checked on every response and again at the end of every example:

- no response is ever a 5xx;
- no cross-user access: a user's account, position and job lists equal the model's view
  for that user, and every request naming another user's id is a 404 that changes nothing;
- no lost job: every job id that ``POST /api/analyze`` returned is visible to its owner
  (``GET /api/jobs/{id}`` and ``GET /api/jobs``), is ``pending`` in the database, and its
  ``{"job_id": ...}`` message is in the jobs queue (one message per job, no more).

The expensive set-up (cloud, stack, migrated schema, API server) is built once for the
single test function; each Hypothesis example gets fresh user ids instead of a fresh cloud.
The planner's SQS trigger is switched off (as in ``tests/api/conftest.py``) so a queued
analysis starts no agent run and its message stays readable in the queue.

Figures (examples, steps, requests by status class) go to ``attacks.API_STATS`` and are
printed in the guardrails summary by ``conftest.py``.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, multiple, rule, run_state_machine_as_test
from pydantic import BaseModel, ValidationError

import attacks
from alex.db import Database
from alex.guardrails.validation import (
    MONEY_MAX,
    QUANTITY_MAX,
    AccountCreate,
    AccountUpdate,
    AnalyzeRequest,
    PositionCreate,
    PositionUpdate,
)
from harness.auth import LocalIssuer
from harness.cloud import LocalCloud
from harness.alexkit.pytest_plugin import AlexApi, serve_alex_api
from harness.alexkit.stack.deployment import AlexDeployment
from harness.stack.trigger import disable_planner_trigger

DEEP = settings.get_current_profile_name() == "deep"  # profiles are loaded before test modules are imported
# deep runs ~200 examples of up to 50 requests: more than the suite's 300 s per-test timeout
pytestmark = [pytest.mark.guardrails, pytest.mark.timeout(3600 if DEEP else 300)]

BODY_LIMIT = 64 * 1024  # the API's BodyLimitMiddleware answers 413 above this
JOB_STATUSES = ("pending", "running", "completed", "failed")

# -- the expensive part, once -------------------------------------------------------------


@pytest.fixture
def stateful_api(cloud: LocalCloud, alex_deployed: AlexDeployment, alex_issuer: LocalIssuer) -> Iterator[AlexApi]:
    """``alex_api`` with the planner's SQS trigger off and the WAF's per-IP rate rule off.

    The rate rule (2000 requests per 5 minutes per address) would start answering 403 to a
    long run from one address; ``waf_ip_rate_limit=0`` is the setting meant for load tests
    from one address. Everything else (JWT verification, per-user throttle, SQL-injection
    rule, body limit, CORS, headers) is the API's default edge.
    """
    disable_planner_trigger(cloud.client("lambda"), alex_deployed)
    with serve_alex_api(cloud, alex_deployed, alex_issuer, waf_ip_rate_limit=0) as api:
        yield api


# -- inputs ---------------------------------------------------------------------------------

BENIGN_NAMES = [
    "Roth IRA",
    "Zoë Ångström's 529 🎓",
    "山田太郎の口座",
    "Мария — брокерский счёт",
    "401(k) – Acme Corp",
    "  padded name  ",
    "O'Brien family trust",
    "Rock & Roll fund",
    "Ignore the dip: long-term VTI",
    "محمد",
    "Emergency fund 💰",
    "Select Sector SPDR holdings",
    "Joint brokerage with Sam ❤️",
]
SQLI = [
    "' OR '1'='1",
    "x'; DROP TABLE accounts;--",
    "1 UNION SELECT clerk_user_id FROM users",
    "admin'--",
    "' or 1=1 --",
    "'); SELECT pg_sleep(5);--",
]
ATTACK_TEXTS = st.one_of(*[family.map(lambda ft: ft[1]) for family in attacks.FAMILIES.values()])
HUGE = ["x" * 101, "名" * 5000, "A" * 70_000, "Roth IRA " + "\u200b" * 200]
NOT_STRINGS: list[Any] = [None, 42, 3.5, True, [], {"name": "x"}]


@dataclass(frozen=True)
class Text:
    """A value to send, tagged by where it came from: benign / attack / sqli / huge / random / junk."""

    value: Any
    tag: str


def tagged(strategy: st.SearchStrategy[Any], tag: str) -> st.SearchStrategy[Text]:
    return strategy.map(lambda v: Text(v, tag))


names = st.one_of(
    tagged(st.sampled_from(BENIGN_NAMES), "benign"),
    tagged(ATTACK_TEXTS, "attack"),
    tagged(st.sampled_from(SQLI), "sqli"),
    tagged(st.sampled_from(HUGE), "huge"),
    tagged(st.text(max_size=30), "random"),
    tagged(st.sampled_from(NOT_STRINGS), "junk"),
)
purposes = st.one_of(
    tagged(st.sampled_from(["Saving for retirement", "College fund for Emma", "", "Rebalance yearly."]), "benign"),
    tagged(st.none(), "benign"),
    tagged(ATTACK_TEXTS, "attack"),
    tagged(st.just("p" * 1001), "huge"),
)


def plain(d: Decimal) -> str:
    """A decimal as JSON clients send it ("0.00000001", never "1E-8", which the API refuses)."""
    return format(d, "f")


good_money = st.decimals(min_value=0, max_value=MONEY_MAX, places=2).map(plain)
money = st.one_of(
    good_money,
    st.decimals(min_value=0, max_value=MONEY_MAX, places=2).map(str),
    st.integers(0, 10**6),
    st.sampled_from(["-1.00", "1e3", "NaN", "12.345", 10**12, True, "", "1,000", None]),
)
interest = st.one_of(
    st.decimals(min_value=0, max_value=1, places=4).map(str),
    st.sampled_from(["0.045", "1.5", "-0.01", "0.00001", "abc"]),
)
symbols = st.one_of(
    tagged(st.from_regex(r"[A-Z]{1,5}", fullmatch=True), "benign"),
    tagged(st.sampled_from(["VTI", "SPY", "BND", "QQQ", "VXUS"]), "benign"),
    tagged(st.sampled_from(["vti", "TOOLONG", "VT I", "ＶＴＩ", "", "V1", "BRK.B", "É", " VTI", 42, None]), "junk"),
    tagged(st.sampled_from(["' OR 1=1--", "X'; DROP TABLE positions;--"]), "sqli"),
    tagged(ATTACK_TEXTS, "attack"),
)
good_quantities = st.one_of(
    st.integers(1, 10**6), st.decimals(min_value=Decimal("0.00000001"), max_value=10**6, places=8).map(plain)
)
quantities = st.one_of(
    st.decimals(min_value=Decimal("0.00000001"), max_value=QUANTITY_MAX, places=8).map(str),
    st.integers(1, 10**6),
    st.sampled_from([0, -1, "0", "-5", "1e3", "abc", "1.123456789", 10**13, True, None, "NaN", 2.5]),
)
BAD_IDS = ["not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g", "x" * 300, "𝟘" * 36, "%00"]
SQLI_IDS = ["' OR '1'='1"]


def ids(bundle: Bundle[str]) -> st.SearchStrategy[str]:
    """An id of the bundle (any user's: ownership is the model's business), an unknown
    well-formed UUID, or something that is not a UUID at all."""
    return st.one_of(bundle, st.uuids().map(str), st.sampled_from(BAD_IDS + SQLI_IDS))


def id_kind(ident: str) -> str:
    """sqli / junk (not a UUID: the path parameter is refused) / uuid."""
    if ident in SQLI_IDS:
        return "sqli"
    try:
        uuid.UUID(ident)
    except ValueError:
        return "junk"
    return "uuid"


def valid(model: type[BaseModel], body: Any) -> BaseModel | None:
    """The API's own request model, as the oracle of which bodies are well-formed; its
    exactness is what ``test_guardrails_validation.py`` proves against independent oracles."""
    try:
        return model.model_validate(body)
    except ValidationError:
        return None


def body_size(body: Any) -> int:
    return len(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


# -- the model ------------------------------------------------------------------------------


@dataclass
class Account:
    owner: str
    name: str
    purpose: str | None
    cash: Decimal
    interest: Decimal
    alive: bool = True
    positions: dict[str, str] = field(default_factory=dict)  # symbol -> position id


@dataclass
class Position:
    account_id: str
    symbol: str
    quantity: Decimal
    alive: bool = True


def _status_class(status: int) -> str:
    return f"{status // 100}xx"


class ApiMachine(RuleBasedStateMachine):
    """Two or three users; every request's status is predicted from the model and the
    request's validity, and the model is updated from the responses that succeed."""

    api: AlexApi
    db: Database
    sqs: Any
    queue_url: str

    accounts = Bundle("accounts")
    positions = Bundle("positions")
    jobs = Bundle("jobs")

    def __init__(self) -> None:
        super().__init__()
        run = uuid.uuid4().hex[:10]
        self.users = [f"user_{run}_{i}" for i in range(3)]
        self.n_users = 2
        self.clients: dict[str, httpx.Client] = {}
        self.model_accounts: dict[str, Account] = {}
        self.model_positions: dict[str, Position] = {}
        self.model_jobs: dict[str, str] = {}  # job id -> owner
        self.drained = False
        attacks.API_STATS["examples"] += 1

    # -- plumbing ----------------------------------------------------------------------------

    def user(self, index: int) -> str:
        return self.users[index % self.n_users]

    def client(self, user: str | None) -> httpx.Client:
        key = user or ""
        if key not in self.clients:
            headers = {"Authorization": f"Bearer {self.api.token(user)}"} if user else {}
            self.clients[key] = httpx.Client(base_url=self.api.url, headers=headers, timeout=15)
        return self.clients[key]

    def call(self, user: str | None, method: str, path: str, expected: set[int], **kwargs: Any) -> httpx.Response:
        response = self.client(user).request(method, path, **kwargs)
        status = response.status_code
        self.count(status)
        detail = f"{method} {path} as {user}: {status} {response.text[:300]!r}"
        assert status < 500, f"server error: {detail}"
        assert status in expected, f"expected one of {sorted(expected)}: {detail}"
        assert response.headers.get("content-type", "").startswith("application/json"), detail
        return response

    @staticmethod
    def count(status: int) -> None:
        attacks.API_STATS["requests"] += 1
        attacks.API_STATS[_status_class(status)] += 1
        attacks.API_STATS[f"status {status}"] += 1

    def actor(self, who: int, as_owner: bool, ident: str) -> str:
        """The owner of ``ident`` when asked and known (alive or not), else user ``who``."""
        owner = None
        if ident in self.model_accounts:
            owner = self.model_accounts[ident].owner
        elif ident in self.model_positions:
            owner = self.model_accounts[self.model_positions[ident].account_id].owner
        elif ident in self.model_jobs:
            owner = self.model_jobs[ident]
        return owner if as_owner and owner is not None else self.user(who)

    def step(self) -> None:
        """Count a step, under the rule that took it (the caller's name, without a helper's ``_``)."""
        attacks.API_STATS["steps"] += 1
        attacks.API_STATS["rule " + sys._getframe(1).f_code.co_name.lstrip("_")] += 1

    def owns_account(self, user: str, account_id: str) -> bool:
        account = self.model_accounts.get(account_id)
        return account is not None and account.alive and account.owner == user

    def owns_position(self, user: str, position_id: str) -> bool:
        position = self.model_positions.get(position_id)
        return position is not None and position.alive and self.owns_account(user, position.account_id)

    @staticmethod
    def id_path_status(ident: str, found: bool) -> set[int]:
        """What a route with this id in its path answers, the body being valid."""
        kind = id_kind(ident)
        if kind != "uuid":
            return {422, 403} if kind == "sqli" else {422}
        return {200} if found else {404}

    # -- rules -------------------------------------------------------------------------------

    @initialize(target=accounts, n=st.integers(2, 3), names=st.lists(st.sampled_from(BENIGN_NAMES), min_size=3, max_size=3))
    def start(self, n: int, names: list[str]) -> Any:
        """Two or three users, each with one account, so every example has ids of other users to try."""
        self.n_users = n
        created = [
            self._create_account(user, {"account_name": name, "cash_balance": "1000.00"}, {"benign"})
            for user, name in zip(self.users[:n], names)
        ]
        return multiple(*created)

    # Hypothesis runs initialize rules in any order, so each of these stands on its own.

    @initialize(target=positions, symbol=st.sampled_from(["VTI", "BND", "VXUS"]), quantity=good_quantities)
    def start_with_holdings(self, symbol: str, quantity: Any) -> Any:
        """The first two users each hold one position, in an account of its own."""
        created = []
        for user in self.users[:2]:
            account = self._create_account(user, {"account_name": "Brokerage"}, {"benign"})
            body = {"account_id": account, "symbol": symbol, "quantity": quantity}
            created.append(self._create_position(user, account, body, {"benign"}))
        return multiple(*created)

    @initialize(target=jobs)
    def start_with_analyses(self) -> Any:
        """The first two users each queue one analysis."""
        return multiple(*(self._analyze(user, "none") for user in self.users[:2]))

    # Each write comes in two rules: a well-formed one (valid fields, an id from a bundle, so
    # ownership decides between success and 404), and an anything-goes one (any field may be
    # an injection, a huge or non-string value, a bad number; ids may be unknown or junk).

    @rule(
        target=accounts,
        who=st.integers(0, 2),
        name=tagged(st.sampled_from(BENIGN_NAMES), "benign"),
        purpose=tagged(st.sampled_from([None, "Saving for retirement", "College fund for Emma"]), "benign"),
        cash=good_money,
        rate=st.decimals(min_value=0, max_value=1, places=4).map(plain),
    )
    def create_account(self, who: int, name: Text, purpose: Text, cash: str, rate: str) -> Any:
        body = {"account_name": name.value, "account_purpose": purpose.value, "cash_balance": cash, "cash_interest": rate}
        return self._create_account(self.user(who), body, {name.tag, purpose.tag})

    @rule(
        target=accounts,
        who=st.integers(0, 2),
        name=names,
        purpose=purposes,
        cash=money,
        rate=interest,
        extra=st.sampled_from([None, "clerk_user_id", "id", "is_admin"]),
        omit=st.sets(st.sampled_from(["purpose", "cash", "rate"])),
    )
    def create_account_anything(
        self, who: int, name: Text, purpose: Text, cash: Any, rate: Any, extra: str | None, omit: set[str]
    ) -> Any:
        body: dict[str, Any] = {"account_name": name.value}
        if "purpose" not in omit:
            body["account_purpose"] = purpose.value
        if "cash" not in omit:
            body["cash_balance"] = cash
        if "rate" not in omit:
            body["cash_interest"] = rate
        if extra:
            body[extra] = self.user(who + 1) if extra == "clerk_user_id" else True
        return self._create_account(self.user(who), body, {name.tag, purpose.tag})

    def _create_account(self, user: str, body: dict[str, Any], tags: set[str]) -> Any:
        self.step()
        parsed = valid(AccountCreate, body)
        if body_size(body) > BODY_LIMIT:
            expected = {413}
        else:
            expected = {201} if parsed is not None else {422}
            if tags & {"attack", "sqli"}:
                expected.add(403)  # the WAF's SQL-injection rule may answer first
        response = self.call(user, "POST", "/api/accounts", expected, json=body)
        if response.status_code != 201:
            return multiple()
        assert isinstance(parsed, AccountCreate)
        row = response.json()
        assert row["clerk_user_id"] == user
        assert row["id"] not in self.model_accounts
        account = Account(user, parsed.account_name, parsed.account_purpose, parsed.cash_balance, parsed.cash_interest)
        self.check_account_row(row, account)
        self.model_accounts[row["id"]] = account
        return row["id"]

    @rule(
        who=st.integers(0, 2),
        as_owner=st.booleans(),
        account=accounts,
        name=tagged(st.sampled_from(BENIGN_NAMES), "benign"),
        cash=good_money,
    )
    def update_account(self, who: int, as_owner: bool, account: str, name: Text, cash: str) -> None:
        user = self.model_accounts[account].owner if as_owner else self.user(who)
        self._update_account(user, account, {"account_name": name.value, "cash_balance": cash}, set())

    @rule(
        who=st.integers(0, 2),
        account=ids(accounts),
        name=st.none() | names,
        purpose=st.none() | purposes,
        cash=st.none() | money,
        null_field=st.sampled_from([None, "account_name", "cash_balance", "account_purpose"]),
    )
    def update_account_anything(
        self, who: int, account: str, name: Text | None, purpose: Text | None, cash: Any, null_field: str | None
    ) -> None:
        body: dict[str, Any] = {}
        if name is not None:
            body["account_name"] = name.value
        if purpose is not None:
            body["account_purpose"] = purpose.value
        if cash is not None:
            body["cash_balance"] = cash
        if null_field:
            body[null_field] = None
        self._update_account(self.user(who), account, body, {t.tag for t in (name, purpose) if t is not None})

    def _update_account(self, user: str, account: str, body: dict[str, Any], tags: set[str]) -> None:
        self.step()
        parsed = valid(AccountUpdate, body)
        body_ok = parsed is not None and not any(
            k in body and body[k] is None for k in ("account_name", "cash_balance", "cash_interest")
        )
        found = self.owns_account(user, account)
        if body_size(body) > BODY_LIMIT:
            expected = {413}
        elif id_kind(account) != "uuid" or not body_ok:
            expected = {422}
        else:
            expected = {200} if found else {404}
        if (tags | {id_kind(account)}) & {"attack", "sqli"} and expected != {413}:
            expected.add(403)
        response = self.call(user, "PUT", f"/api/accounts/{account}", expected, json=body)
        if response.status_code == 200:
            assert isinstance(parsed, AccountUpdate)
            model = self.model_accounts[account]
            changes = parsed.model_dump(exclude_unset=True)
            model.name = changes.get("account_name", model.name)
            model.purpose = changes.get("account_purpose", model.purpose)
            model.cash = changes.get("cash_balance", model.cash)
            row = response.json()
            assert row["id"] == account
            self.check_account_row(row, model)
        elif response.status_code == 404:
            assert response.json() == {"detail": "Account not found"}

    @rule(who=st.integers(0, 2), account=ids(accounts))
    def delete_account(self, who: int, account: str) -> None:
        self.step()
        user = self.user(who)  # any user: an owner's delete is rare, so accounts live long enough to hold positions
        found = self.owns_account(user, account)
        response = self.call(user, "DELETE", f"/api/accounts/{account}", self.id_path_status(account, found))
        if response.status_code == 200:
            assert response.json() == {"deleted": True, "id": account}
            model = self.model_accounts[account]
            model.alive = False
            for position_id in model.positions.values():
                self.model_positions[position_id].alive = False  # ON DELETE CASCADE
            model.positions.clear()

    @rule(
        target=positions,
        who=st.integers(0, 2),
        as_owner=st.booleans(),
        account=accounts,
        symbol=tagged(st.sampled_from(["VTI", "SPY", "BND", "QQQ", "VXUS", "GLD"]), "benign"),
        quantity=good_quantities,
    )
    def create_position(self, who: int, as_owner: bool, account: str, symbol: Text, quantity: Any) -> Any:
        user = self.model_accounts[account].owner if as_owner else self.user(who)
        body = {"account_id": account, "symbol": symbol.value, "quantity": quantity}
        return self._create_position(user, account, body, {symbol.tag})

    @rule(
        target=positions, who=st.integers(0, 2), account=ids(accounts), symbol=symbols, quantity=quantities, extra=st.booleans()
    )
    def create_position_anything(self, who: int, account: str, symbol: Text, quantity: Any, extra: bool) -> Any:
        body: dict[str, Any] = {"account_id": account, "symbol": symbol.value, "quantity": quantity}
        if extra:
            body["clerk_user_id"] = self.user(who + 1)
        return self._create_position(self.user(who), account, body, {symbol.tag})

    def _create_position(self, user: str, account: str, body: dict[str, Any], tags: set[str]) -> Any:
        self.step()
        parsed = valid(PositionCreate, body)
        found = self.owns_account(user, account)
        held = self.model_accounts[account].positions.get(parsed.symbol) if parsed is not None and found else None
        expected = {422} if parsed is None else ({409 if held else 201} if found else {404})
        if (tags | {id_kind(account)}) & {"attack", "sqli"}:
            expected.add(403)
        response = self.call(user, "POST", "/api/positions", expected, json=body)
        if response.status_code == 404:
            assert response.json() == {"detail": "Account not found"}
        if response.status_code == 409:  # one holding per symbol and account, and a create never replaces it
            assert response.json()["position"]["id"] == held
            assert Decimal(response.json()["position"]["quantity"]) == self.model_positions[held].quantity
        if response.status_code != 201:
            return multiple()
        assert isinstance(parsed, PositionCreate)
        row = response.json()
        assert row["account_id"] == account and row["symbol"] == parsed.symbol
        assert Decimal(row["quantity"]) == parsed.quantity
        model = self.model_accounts[account]
        assert row["id"] not in self.model_positions
        model.positions[parsed.symbol] = row["id"]
        self.model_positions[row["id"]] = Position(account, parsed.symbol, parsed.quantity)
        return row["id"]

    @rule(who=st.integers(0, 2), as_owner=st.booleans(), position=positions, quantity=good_quantities)
    def update_position(self, who: int, as_owner: bool, position: str, quantity: Any) -> None:
        owner = self.model_accounts[self.model_positions[position].account_id].owner
        self._update_position(owner if as_owner else self.user(who), position, quantity)

    @rule(who=st.integers(0, 2), position=ids(positions), quantity=quantities)
    def update_position_anything(self, who: int, position: str, quantity: Any) -> None:
        self._update_position(self.user(who), position, quantity)

    def _update_position(self, user: str, position: str, quantity: Any) -> None:
        self.step()
        body = {"quantity": quantity}
        parsed = valid(PositionUpdate, body)
        found = self.owns_position(user, position)
        if parsed is None:
            expected = {403, 422} if id_kind(position) == "sqli" else {422}
        else:
            expected = self.id_path_status(position, found)
        response = self.call(user, "PUT", f"/api/positions/{position}", expected, json=body)
        if response.status_code == 200:
            assert isinstance(parsed, PositionUpdate)
            self.model_positions[position].quantity = parsed.quantity
            assert Decimal(response.json()["quantity"]) == parsed.quantity
        elif response.status_code == 404:
            assert response.json() == {"detail": "Position not found"}

    @rule(who=st.integers(0, 2), as_owner=st.booleans(), position=ids(positions))
    def delete_position(self, who: int, as_owner: bool, position: str) -> None:
        self.step()
        user = self.actor(who, as_owner, position)
        found = self.owns_position(user, position)
        response = self.call(user, "DELETE", f"/api/positions/{position}", self.id_path_status(position, found))
        if response.status_code == 200:
            assert response.json() == {"deleted": True, "id": position}
            model = self.model_positions[position]
            model.alive = False
            del self.model_accounts[model.account_id].positions[model.symbol]

    @rule(who=st.integers(0, 2))
    def list_accounts(self, who: int) -> None:
        self.step()
        self.check_accounts(self.user(who))

    @rule(who=st.integers(0, 2), as_owner=st.booleans(), account=ids(accounts))
    def list_positions(self, who: int, as_owner: bool, account: str) -> None:
        self.step()
        user = self.actor(who, as_owner, account)
        found = self.owns_account(user, account)
        response = self.call(user, "GET", f"/api/accounts/{account}/positions", self.id_path_status(account, found))
        if response.status_code == 200:
            self.check_positions(account, response.json()["positions"])
        elif response.status_code == 404:
            assert response.json() == {"detail": "Account not found"}

    @rule(who=st.integers(0, 2))
    def get_user(self, who: int) -> None:
        self.step()
        user = self.user(who)
        assert self.call(user, "GET", "/api/user", {200}).json()["clerk_user_id"] == user

    @rule(target=jobs, who=st.integers(0, 2), body=st.sampled_from(["none", "empty", "portfolio"]))
    def analyze(self, who: int, body: str) -> Any:
        return self._analyze(self.user(who), body)

    @rule(
        target=jobs,
        who=st.integers(0, 2),
        body=st.sampled_from(["none", "empty", "portfolio", "other type", "extra field", "not json", "huge", "list"]),
    )
    def analyze_anything(self, who: int, body: str) -> Any:
        return self._analyze(self.user(who), body)

    def _analyze(self, user: str, body: str) -> Any:
        self.step()
        who = self.users.index(user)
        kwargs: dict[str, Any] = {}
        payload: Any = None
        if body == "not json":
            kwargs["content"], kwargs["headers"] = b"{analysis_type: portfolio", {"content-type": "application/json"}
        elif body == "huge":
            kwargs["json"] = {"analysis_type": "portfolio", "note": "x" * 70_000}
        elif body != "none":
            payload = {
                "empty": {},
                "portfolio": {"analysis_type": "portfolio"},
                "other type": {"analysis_type": "retirement"},
                "extra field": {"analysis_type": "portfolio", "clerk_user_id": self.user(who + 1)},
                "list": [{"analysis_type": "portfolio"}],
            }[body]
            kwargs["json"] = payload
        if body == "huge":
            expected = {413}
        elif body == "none" or (body != "not json" and valid(AnalyzeRequest, payload) is not None):
            expected = {202}
        else:
            expected = {422}
        response = self.call(user, "POST", "/api/analyze", expected, **kwargs)
        if response.status_code != 202:
            return multiple()
        answer = response.json()
        assert answer["status"] == "pending"
        job_id = answer["job_id"]
        assert job_id not in self.model_jobs
        self.model_jobs[job_id] = user
        return job_id

    @rule(who=st.integers(0, 2), as_owner=st.booleans(), job=ids(jobs))
    def get_job(self, who: int, as_owner: bool, job: str) -> None:
        self.step()
        user = self.actor(who, as_owner, job)
        found = self.model_jobs.get(job) == user
        response = self.call(user, "GET", f"/api/jobs/{job}", self.id_path_status(job, found))
        if response.status_code == 200:
            row = response.json()
            assert row["clerk_user_id"] == user and row["status"] == "pending"
        elif response.status_code == 404:
            assert response.json() == {"detail": "Job not found"}

    @rule(who=st.integers(0, 2), status=st.sampled_from([None, *JOB_STATUSES, "bogus"]), limit=st.sampled_from([100, 0, 101]))
    def list_jobs(self, who: int, status: str | None, limit: int) -> None:
        self.step()
        user = self.user(who)
        params: dict[str, Any] = {"limit": limit}
        if status:
            params["status"] = status
        ok = status != "bogus" and 1 <= limit <= 100
        response = self.call(user, "GET", "/api/jobs", {200} if ok else {422}, params=params)
        if response.status_code == 200:
            got = [j["id"] for j in response.json()["jobs"]]
            mine = {j for j, owner in self.model_jobs.items() if owner == user}
            assert set(got) == (mine if status in (None, "pending") else set()), (user, status)
            assert len(got) == len(set(got))

    @rule(
        path=st.sampled_from(["/api/accounts", "/api/user", "/api/jobs", "/api/instruments"]),
        token=st.sampled_from([None, "not-a-jwt", "expired"]),
        who=st.integers(0, 2),
    )
    def unauthenticated(self, path: str, token: str | None, who: int) -> None:
        self.step()
        headers = {}
        if token == "not-a-jwt":
            headers["Authorization"] = "Bearer abc.def.ghi"
        elif token == "expired":
            past = int(time.time()) - 3600
            token_ = self.api.token(self.user(who), extra_claims={"exp": past, "iat": past - 60, "nbf": past - 60})
            headers["Authorization"] = f"Bearer {token_}"
        response = self.client(None).get(path, headers=headers)
        self.count(response.status_code)
        assert response.status_code == 401, (path, token, response.status_code, response.text[:200])

    # -- whole-state checks ------------------------------------------------------------------

    def check_account_row(self, row: dict[str, Any], model: Account) -> None:
        assert row["clerk_user_id"] == model.owner
        assert row["account_name"] == model.name
        assert row["account_purpose"] == model.purpose
        assert Decimal(row["cash_balance"]) == model.cash

    def check_accounts(self, user: str) -> list[str]:
        rows = self.call(user, "GET", "/api/accounts", {200}).json()
        mine = {a: m for a, m in self.model_accounts.items() if m.owner == user and m.alive}
        assert sorted(r["id"] for r in rows) == sorted(mine), f"{user} sees accounts the model does not"
        for row in rows:
            self.check_account_row(row, mine[row["id"]])
        return list(mine)

    def check_positions(self, account_id: str, rows: list[dict[str, Any]]) -> None:
        expected = {pid: p for pid, p in self.model_positions.items() if p.account_id == account_id and p.alive}
        assert sorted(r["id"] for r in rows) == sorted(expected), f"positions of {account_id} differ from the model"
        for row in rows:
            model = expected[row["id"]]
            assert row["symbol"] == model.symbol and Decimal(row["quantity"]) == model.quantity
            assert row["instrument"]["symbol"] == model.symbol

    def teardown(self) -> None:
        try:
            self.check_everything()
        finally:
            if not self.drained:  # a failed check must not leave this example's messages to the next one
                self.drain_queue()
            for client in self.clients.values():
                client.close()

    def check_everything(self) -> None:
        for user in self.users[: self.n_users]:
            for account_id in self.check_accounts(user):
                rows = self.call(user, "GET", f"/api/accounts/{account_id}/positions", {200}).json()["positions"]
                self.check_positions(account_id, rows)
            listed = {j["id"]: j for j in self.call(user, "GET", "/api/jobs", {200}, params={"limit": 100}).json()["jobs"]}
            mine = {j for j, owner in self.model_jobs.items() if owner == user}
            assert set(listed) == mine, f"{user}'s job list differs from the jobs the API returned to them"
            for job_id in mine:
                row = self.call(user, "GET", f"/api/jobs/{job_id}", {200}).json()
                assert row["status"] in JOB_STATUSES and row["clerk_user_id"] == user
        # No lost job: pending in the database, and exactly one message per job in the queue.
        for job_id, owner in self.model_jobs.items():
            row = self.db.jobs.get_any(job_id)
            assert row is not None and row["status"] == "pending" and row["clerk_user_id"] == owner, (job_id, row)
        queued = self.drain_queue()
        assert sorted(queued) == sorted(self.model_jobs), (
            f"queue holds {len(queued)} job messages, the API returned {len(self.model_jobs)} jobs"
        )
        attacks.API_STATS["jobs"] += len(self.model_jobs)
        attacks.API_STATS["accounts"] += len(self.model_accounts)
        attacks.API_STATS["positions"] += len(self.model_positions)
        attacks.API_STATS["checked_examples"] += 1

    def drain_queue(self) -> list[str]:
        """Every ``{"job_id": ...}`` in the jobs queue (received and deleted, so the next
        example starts from an empty queue)."""
        self.drained = True
        job_ids: list[str] = []
        empty = 0
        while empty < 2:
            response = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            messages = response.get("Messages", [])
            if not messages:
                empty += 1
                continue
            empty = 0
            for message in messages:
                body = json.loads(message["Body"])
                assert set(body) == {"job_id"}, body
                job_ids.append(body["job_id"])
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )
        return job_ids


def stateful_settings() -> settings:
    """The active profile's settings, bounded for this test: each step is an HTTP request
    through the whole stack (15-40 ms on this 2-core machine), so the ci profile runs 15
    examples of up to 20 steps (about 550 requests: 12-24 s measured here) and deep runs up
    to 200 examples of up to 50 steps (about 13,000 requests: 5 minutes or more)."""
    base = settings()
    return settings(
        base,
        max_examples=min(base.max_examples, 200 if DEEP else 15),
        stateful_step_count=50 if DEEP else 20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


def test_api_state_machine(stateful_api: AlexApi, alex_db: Database, cloud: LocalCloud, alex_deployed: AlexDeployment) -> None:
    """No 5xx, no cross-user access, no lost job, over random request sequences of 2-3 users."""
    sqs = cloud.client("sqs")
    queue_url = alex_deployed.jobs_queue_url
    assert not sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0).get("Messages")

    ApiMachine.api = stateful_api
    ApiMachine.db = alex_db
    ApiMachine.sqs = sqs
    ApiMachine.queue_url = queue_url
    started = time.monotonic()
    try:
        run_state_machine_as_test(ApiMachine, settings=stateful_settings())
    finally:
        attacks.API_STATS["seconds"] += round(time.monotonic() - started, 1)
