"""Rate limits at the edge: API Gateway usage-plan throttling per user (429) and a WAF rate-based rule per IP (403)."""

from __future__ import annotations

import threading

from alex.api.security import TokenBucketLimiter, WindowRateRule

from tests.security.edge_support import FakeClock, bearer


def test_one_user_beyond_the_burst_gets_429_while_another_is_unaffected(edge, issuer):
    """Usage plan rate 100/s, burst 200, per user: with time frozen, a user's 201st request is throttled
    (429 ``{"message":"Too Many Requests"}`` with Retry-After) and a second user still gets 200."""
    assert (edge.settings.throttle_rate_limit, edge.settings.throttle_burst_limit) == (100.0, 200)
    alice, bob = bearer(issuer.mint("user_alice")), bearer(issuer.mint("user_bob"))
    for _ in range(200):
        assert edge.client.get("/me", headers=alice).status_code == 200
    throttled = edge.client.get("/me", headers=alice)
    assert throttled.status_code == 429
    assert throttled.json() == {"message": "Too Many Requests"}
    assert throttled.headers["retry-after"] == "1"
    assert edge.client.get("/me", headers=bob).status_code == 200


def test_the_bucket_refills_at_the_rate(make_edge, issuer):
    """Token bucket: after the burst is spent, 1/rate seconds later exactly one more request passes."""
    edge = make_edge(throttle_rate_limit=2, throttle_burst_limit=3)
    alice = bearer(issuer.mint("user_alice"))
    assert [edge.client.get("/me", headers=alice).status_code for _ in range(4)] == [200, 200, 200, 429]
    edge.clock.advance(0.5)
    assert [edge.client.get("/me", headers=alice).status_code for _ in range(2)] == [200, 429]


def test_throttling_happens_after_authentication(make_edge, issuer):
    """Bad tokens are refused (401) before they can spend anybody's bucket: the plan counts verified users."""
    edge = make_edge(throttle_rate_limit=1, throttle_burst_limit=1)
    for _ in range(5):
        assert edge.client.get("/me", headers=bearer("garbage")).status_code == 401
    assert edge.client.get("/me", headers=bearer(issuer.mint("user_alice"))).status_code == 200


def test_ip_rate_rule_blocks_with_403_and_spares_other_addresses(make_edge):
    """WAF rate-based rule (limit 10 per 5 minutes, aggregated by IP): the 11th request from one address
    is blocked with 403 ``{"message":"Forbidden"}``, another address is not, and the address is let
    through again once its requests leave the window."""
    edge = make_edge(waf_ip_rate_limit=10, waf_ip_rate_window_seconds=300)
    flooder = {"X-Forwarded-For": "203.0.113.7"}
    for _ in range(10):
        assert edge.client.get("/health", headers=flooder).status_code == 200
    blocked = edge.client.get("/health", headers=flooder)
    assert blocked.status_code == 403
    assert blocked.json() == {"message": "Forbidden"}
    assert edge.client.get("/health", headers={"X-Forwarded-For": "198.51.100.9"}).status_code == 200
    edge.clock.advance(301)
    assert edge.client.get("/health", headers=flooder).status_code == 200


def test_ip_rule_runs_before_authentication(make_edge, issuer):
    """WAF sits in front of API Gateway: a blocked address gets 403 even with a valid token."""
    edge = make_edge(waf_ip_rate_limit=10)
    caller = {"X-Forwarded-For": "203.0.113.8", **bearer(issuer.mint("user_alice"))}
    statuses = [edge.client.get("/me", headers=caller).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [403]


def test_token_bucket_is_thread_safe():
    """Concurrent requests never get more than the burst through a frozen bucket."""
    limiter = TokenBucketLimiter(rate=1, burst=50, clock=FakeClock())
    allowed = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(40):
            decision = limiter.acquire("user_alice")
            with lock:
                allowed.append(decision.allowed)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(allowed) == 50


def test_limiters_keep_bounded_memory():
    """Idle state is dropped (a full bucket or an empty window is what a new caller gets anyway) and
    at most ``max_keys`` callers are tracked, so a flood of distinct users or addresses cannot grow memory."""
    clock = FakeClock()
    buckets = TokenBucketLimiter(rate=100, burst=200, clock=clock, max_keys=1000)
    for n in range(5000):
        buckets.acquire(f"user_{n}")
    assert len(buckets) == 1000
    clock.advance(2.0)  # burst/rate seconds: every bucket is full again
    buckets.acquire("user_new")
    assert len(buckets) == 1

    window = WindowRateRule(limit=10, window_seconds=300, clock=clock, max_keys=1000)
    for n in range(5000):
        window.acquire(f"198.51.100.{n}")
    assert len(window) == 1000
    clock.advance(301)
    window.acquire("203.0.113.1")
    assert len(window) == 1


def test_window_counts_slide():
    """The WAF count looks back over the trailing window: requests older than the window stop counting,
    and blocked requests count too (a client that keeps hammering stays blocked)."""
    clock = FakeClock()
    rule = WindowRateRule(limit=10, window_seconds=60, clock=clock)
    for _ in range(10):
        assert rule.acquire("ip").allowed  # at t = 0, 5, ..., 45
        clock.advance(5)
    assert not rule.acquire("ip").allowed  # t = 50: the 11th in the window
    clock.advance(12)  # t = 62: only the request at t = 0 has left; with the blocked one, still 11
    assert not rule.acquire("ip").allowed
    clock.advance(10)  # t = 72: requests at 0, 5 and 10 have left
    assert rule.acquire("ip").allowed
