"""Load scenarios for Alex's API on the local stack: ``locust -f locustfiles/api.py`` (web UI on 127.0.0.1).

Users (each signs in with its own JWT, minted from the local issuer's keys):

- ``PortfolioUser`` (weight 5): a realistic mix of reads (tag ``read``: profile, accounts,
  positions, instruments, jobs) and writes (tag ``write``: profile, cash, positions, a short-lived
  account) after creating an account with a few holdings.
- ``AnalystUser`` (weight 1, tag ``analyze``): ``POST /api/analyze``, then polls
  ``GET /api/jobs/{id}`` until the job ends (one job in flight per analyst).
- ``ThrottleHammerUser`` and ``PoliteUser`` (tag ``throttle``, only when ``--tags`` names
  ``throttle``): one user firing far beyond its 100 requests/s usage plan (it must get 429s,
  counted as expected) beside polite users at a few requests/s (any 429 for them is a failure).

Options added to Locust's: ``--shape constant|ramp|spike|soak`` (a ``LoadTestShape`` shaped by
``-u`` as the peak, ``-r`` and ``-t``; without ``--shape`` Locust runs as usual),
``--analysis-timeout`` (s), ``--hammer-seconds``, ``--hammer-429s``, ``--hammer-concurrency``.

Where it gets what it needs (set by ``alex-harness load``; by hand, after ``alex-harness up``):

- ``--host`` or ``$ALEX_API_URL``: the API (``alex-harness up`` prints ``export ALEX_API_URL=...``)
- ``$ALEX_HARNESS_STATE_DIR`` (default ``~/.alex-harness``): the issuer's keys, to mint tokens
- ``$ALEX_LOAD_JOURNAL`` (optional): a directory where each Locust process notes the jobs it
  submitted and saw end, for the accounting check after the load (``harness.alexkit.load.journal``)
- ``$ALEX_LOAD_RUN_ID`` (optional): part of every user id (``load-<run id>-<random>``), so one
  run's jobs can be told from another's

By hand: ``alex-harness up`` keeps AWS WAF's per-IP rate rule (2000 requests per 5 minutes) and
every simulated user comes from 127.0.0.1, so past that budget the API answers 403; for longer
runs ``alex-harness load --serve`` starts a stack with the rule raised (still evaluated) and
prints the exports. Keep Locust on loopback: ``--web-host 127.0.0.1`` for the web UI,
``--master-bind-host 127.0.0.1`` for a master.
"""

from __future__ import annotations

import os
import random
import secrets
import sys
import time
from pathlib import Path

import gevent
from gevent.pool import Pool
from locust import FastHttpUser, LoadTestShape, between, constant, events, tag, task
from locust.runners import WorkerRunner

from harness.auth import KeyStore
from harness.alexkit.load.journal import RUN_ID_VARIABLE, Journal
from harness.alexkit.load.shapes import SHAPES, parse_duration, shape_tick

STATE_DIR_VARIABLE = "ALEX_HARNESS_STATE_DIR"
TOKEN_TTL = 3600
TOKEN_REFRESH_AFTER = TOKEN_TTL - 600
SYMBOLS = ("SPY", "VTI", "BND", "VXUS", "QQQ", "GLD", "VNQ", "AGG", "IWM", "EFA", "TLT", "VEA")
TERMINAL = ("completed", "failed")
RUN_ID = os.environ.get(RUN_ID_VARIABLE) or f"manual{secrets.token_hex(3)}"
JOURNAL = Journal.from_env()


@events.init_command_line_parser.add_listener
def _options(parser) -> None:  # type: ignore[no-untyped-def]
    # The web UI and a distributed master listen on loopback unless told otherwise (Locust's default is every
    # interface): `locust -f locustfiles/api.py` alone must not expose the load generator to the network.
    parser.set_defaults(web_host="127.0.0.1", master_bind_host="127.0.0.1")
    parser.add_argument(
        "--shape",
        choices=("",) + SHAPES,
        default="",
        env_var="LOCUST_SHAPE",
        help="load shape: constant, ramp, spike or soak (peak users -u, spawn rate -r, duration -t)",
    )
    parser.add_argument(
        "--analysis-timeout", type=float, default=180.0, help="seconds an analyst polls a job before giving up on it"
    )
    parser.add_argument(
        "--hammer-seconds",
        type=float,
        default=12.0,
        help="longest burst of the throttling scenario's hammering user (it ends a burst "
        "sooner once it has been answered 429 --hammer-429s times)",
    )
    parser.add_argument("--hammer-429s", type=int, default=50, help="429s that end a burst of the hammering user early")
    parser.add_argument(
        "--hammer-concurrency", type=int, default=16, help="concurrent requests of the hammering user during a burst"
    )


def _tags_requested(environment) -> set[str]:  # type: ignore[no-untyped-def]
    return set(getattr(environment.parsed_options, "tags", None) or [])


@events.init.add_listener
def _prune_user_classes(environment, **_kw) -> None:  # type: ignore[no-untyped-def]
    """Drop user classes that ``--tags``/``--exclude-tags`` leave without tasks (Locust would
    start them and fail), and the throttling scenario unless ``--tags`` names it."""
    if isinstance(environment.runner, WorkerRunner) or environment.parsed_options is None:
        return  # the master decides which users run; a worker only starts what it is told
    tags = _tags_requested(environment) or None
    exclude = set(getattr(environment.parsed_options, "exclude_tags", None) or [])

    def runs(user_class) -> bool:  # type: ignore[no-untyped-def]
        if getattr(user_class, "explicit_tag", None) and user_class.explicit_tag not in (tags or ()):
            return False
        for task_fn in user_class.tasks:
            task_tags = getattr(task_fn, "locust_tag_set", set())
            if (tags is None or task_tags & tags) and not task_tags & exclude:
                return True
        return False

    kept = [u for u in environment.user_classes if runs(u)]
    if not kept:
        sys.stderr.write(f"no user class has tasks for --tags {sorted(tags or [])} --exclude-tags {sorted(exclude)}\n")
        sys.exit(2)
    environment.user_classes[:] = kept


# -- identity --------------------------------------------------------------------------------

_keys: KeyStore | None = None


def _key_store() -> KeyStore:
    """The issuer's keys, loaded once per process (read-only: this process never rotates)."""
    global _keys
    if _keys is None:
        state_dir = os.environ.get(STATE_DIR_VARIABLE) or str(Path.home() / ".alex-harness")
        _keys = KeyStore.load(state_dir)
    return _keys


class SignedInUser(FastHttpUser):
    """A user with its own Clerk-style session token (``sub`` = ``load-<run id>-<random>``)."""

    abstract = True
    host = os.environ.get("ALEX_API_URL", "http://127.0.0.1:8000")
    network_timeout = 30.0
    connection_timeout = 10.0

    def sign_in(self) -> None:
        self.user_id = f"load-{RUN_ID}-{secrets.token_hex(5)}"
        self._mint()

    def _mint(self) -> None:
        self._token_at = time.monotonic()
        self.auth = {"Authorization": f"Bearer {_key_store().mint(self.user_id, ttl=TOKEN_TTL)}"}

    @property
    def bearer(self) -> dict[str, str]:
        if time.monotonic() - self._token_at > TOKEN_REFRESH_AFTER:  # soak runs outlive a token
            self._mint()
        return self.auth

    def api_get(self, path: str, name: str | None = None):  # type: ignore[no-untyped-def]
        return self.client.get(path, headers=self.bearer, name=name)

    def set_up_portfolio(self, holdings: int = 3) -> None:
        """The profile, one account and a few positions, as a new user of the frontend makes."""
        self.account_id: str | None = None
        self.positions: list[str] = []
        self.api_get("/api/user")
        self.client.put(
            "/api/user",
            headers=self.bearer,
            name="/api/user",
            json={"years_until_retirement": random.randint(5, 40), "target_retirement_income": "80000"},
        )
        with self.client.post(
            "/api/accounts", headers=self.bearer, catch_response=True, json={"account_name": "Brokerage", "cash_balance": "2500"}
        ) as created:
            if created.status_code == 201:
                self.account_id = created.json()["id"]
        if self.account_id is None:
            return
        for symbol in random.sample(SYMBOLS, holdings):
            with self.client.post(
                "/api/positions",
                headers=self.bearer,
                catch_response=True,
                json={"account_id": self.account_id, "symbol": symbol, "quantity": str(random.randint(1, 100))},
            ) as made:
                if made.status_code == 201:
                    self.positions.append(made.json()["id"])


# -- the everyday mix -------------------------------------------------------------------------


class PortfolioUser(SignedInUser):
    """Reads and writes of a signed-in user looking after a portfolio."""

    weight = 5
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        self.sign_in()
        self.set_up_portfolio()

    # reads
    @tag("read")
    @task(5)
    def profile(self) -> None:
        self.api_get("/api/user")

    @tag("read")
    @task(4)
    def accounts(self) -> None:
        self.api_get("/api/accounts")

    @tag("read")
    @task(4)
    def positions_of_account(self) -> None:
        if self.account_id:
            self.api_get(f"/api/accounts/{self.account_id}/positions", name="/api/accounts/[id]/positions")

    @tag("read")
    @task(2)
    def instruments(self) -> None:
        if random.random() < 0.5:
            self.api_get("/api/instruments")
        else:
            self.api_get(f"/api/instruments?q={random.choice(SYMBOLS)[0]}", name="/api/instruments?q=[prefix]")

    @tag("read")
    @task(1)
    def jobs(self) -> None:
        self.api_get("/api/jobs?limit=5", name="/api/jobs")

    # writes
    @tag("write")
    @task(1)
    def update_profile(self) -> None:
        self.client.put("/api/user", headers=self.bearer, json={"years_until_retirement": random.randint(5, 40)})

    @tag("write")
    @task(1)
    def update_cash(self) -> None:
        if self.account_id:
            self.client.put(
                f"/api/accounts/{self.account_id}",
                headers=self.bearer,
                name="/api/accounts/[id]",
                json={"cash_balance": f"{random.randint(0, 50000)}.{random.randint(0, 99):02d}"},
            )

    @tag("write")
    @task(2)
    def trade(self) -> None:
        """Buy or sell: upsert a position, or change an existing one's quantity."""
        if not self.account_id:
            return
        if self.positions and random.random() < 0.5:
            self.client.put(
                f"/api/positions/{random.choice(self.positions)}",
                headers=self.bearer,
                name="/api/positions/[id]",
                json={"quantity": str(random.randint(1, 500))},
            )
        else:
            with self.client.post(
                "/api/positions",
                headers=self.bearer,
                catch_response=True,
                json={"account_id": self.account_id, "symbol": random.choice(SYMBOLS), "quantity": str(random.randint(1, 100))},
            ) as made:
                if made.status_code == 409:  # already held: the API refuses to overwrite, as documented
                    made.success()

    @tag("write")
    @task(1)
    def short_lived_account(self) -> None:
        with self.client.post(
            "/api/accounts",
            headers=self.bearer,
            catch_response=True,
            json={"account_name": "Holiday fund", "cash_balance": "100"},
        ) as created:
            if created.status_code != 201:
                return
            account_id = created.json()["id"]
        self.client.delete(f"/api/accounts/{account_id}", headers=self.bearer, name="/api/accounts/[id]")


# -- analyses ---------------------------------------------------------------------------------


class AnalystUser(SignedInUser):
    """Asks for an analysis of its portfolio and polls the job until it ends, then again later."""

    weight = 1
    wait_time = between(2.0, 6.0)
    poll_seconds = 1.0

    def on_start(self) -> None:
        self.sign_in()
        self.set_up_portfolio(holdings=random.randint(2, 4))

    @tag("analyze")
    @task
    def analyze(self) -> None:
        with self.client.post("/api/analyze", headers=self.bearer, json={}, catch_response=True) as submitted:
            if submitted.status_code not in (202, 503):
                return
            body = submitted.json()
            job_id = body.get("job_id")
            if job_id:
                JOURNAL.write("submitted", job_id=job_id, user=self.user_id, status=submitted.status_code)
            if submitted.status_code != 202 or not job_id:
                return
        began = time.monotonic()
        timeout = float(getattr(self.environment.parsed_options, "analysis_timeout", 180.0))
        while time.monotonic() - began < timeout:
            gevent.sleep(self.poll_seconds)
            with self.client.get(
                f"/api/jobs/{job_id}", headers=self.bearer, name="/api/jobs/[id] (poll)", catch_response=True
            ) as polled:
                if polled.status_code != 200:
                    continue
                job = polled.json()
                if job.get("status") in TERMINAL:
                    seconds = time.monotonic() - began
                    JOURNAL.write("job_end", job_id=job_id, status=job["status"], seconds=round(seconds, 3))
                    if job["status"] == "failed":
                        polled.failure(f"analysis failed: {str(job.get('error_message'))[:200]}")
                    return
        JOURNAL.write("job_timeout", job_id=job_id, seconds=timeout)


# -- throttling: one user beyond its usage plan, the others unaffected ------------------------


class ThrottleHammerUser(SignedInUser):
    """One user (fixed_count 1) firing bursts far beyond 100 requests/s with many requests in flight.

    Its 429s are expected (counted as successes under "throttle: hammer 429"); each burst's
    totals go to the journal so the rate it reached is on record.
    """

    fixed_count = 1
    explicit_tag = "throttle"
    wait_time = constant(3.0)  # between bursts: the bucket partly refills
    concurrency = 64

    def on_start(self) -> None:
        self.sign_in()

    @tag("throttle")
    @task
    def burst(self) -> None:
        options = self.environment.parsed_options
        seconds = float(getattr(options, "hammer_seconds", 12.0))
        enough = int(getattr(options, "hammer_429s", 50))
        width = int(getattr(options, "hammer_concurrency", 16))
        counts = {"requests": 0, "ok": 0, "throttled": 0, "other": 0}
        began = time.monotonic()
        end = began + seconds

        def fire() -> None:
            # A burst must outrun the bucket: 200 saved tokens plus 100 a second, so at R req/s
            # the first 429 comes after 200 / (R - 100) seconds. It stops once throttled enough.
            while time.monotonic() < end and counts["throttled"] < enough:
                with self.client.get(
                    "/api/accounts", headers=self.bearer, catch_response=True, name="throttle: hammer"
                ) as response:
                    counts["requests"] += 1
                    if response.status_code == 429:
                        counts["throttled"] += 1
                        response.request_meta["name"] = "throttle: hammer 429 (expected)"
                        response.success()
                    elif response.status_code == 200:
                        counts["ok"] += 1
                        response.request_meta["name"] = "throttle: hammer 200"
                    else:
                        counts["other"] += 1

        pool = Pool(width)
        for _ in range(width):
            pool.spawn(fire)
        pool.join()
        JOURNAL.write("burst", seconds=round(time.monotonic() - began, 3), **counts)


class PoliteUser(SignedInUser):
    """A user well within its usage plan beside the hammering one: a 429 here is a failure."""

    weight = 3
    explicit_tag = "throttle"
    wait_time = between(0.2, 0.5)

    def on_start(self) -> None:
        self.sign_in()

    @tag("throttle")
    @task
    def browse(self) -> None:
        with self.client.get(
            "/api/accounts", headers=self.bearer, catch_response=True, name="throttle: polite /api/accounts"
        ) as response:
            throttled = response.status_code == 429
            if throttled:
                response.failure("429 for a polite user: another user's burst ate its capacity")
            JOURNAL.write("polite", requests=1, throttled=int(throttled))


# -- load shapes --------------------------------------------------------------------------------


def _shape_requested() -> bool:
    """A shape class takes over -u/-r/-t in Locust, so it exists only when --shape is asked for."""
    return bool(os.environ.get("LOCUST_SHAPE")) or any(arg == "--shape" or arg.startswith("--shape=") for arg in sys.argv)


if _shape_requested():

    class AlexShape(LoadTestShape):
        """``--shape``: ramp, spike, soak (or constant), peaking at ``-u`` users, lasting ``-t``."""

        use_common_options = True

        def tick(self):  # type: ignore[no-untyped-def]
            options = self.runner.environment.parsed_options
            return shape_tick(
                options.shape or "constant",
                self.get_run_time(),
                peak=options.num_users or 10,
                spawn_rate=options.spawn_rate,
                duration=parse_duration(options.run_time),
            )
