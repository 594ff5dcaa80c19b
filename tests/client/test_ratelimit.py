from __future__ import annotations

from typing import Any

import pytest

from pinkit._ratelimit import (
    STANDARD,
    Limit,
    LocalRateLimiter,
    Policy,
    limit_policies,
    resolve_limits,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_burst_then_paces() -> None:
    clock = FakeClock()
    limiter = LocalRateLimiter({"org_read": Limit(3, 3.0)}, clock=clock)
    key = [("fp", "org_read")]
    assert [limiter.reserve(key) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.reserve(key) == pytest.approx(1.0)
    clock.now += 2.0
    assert limiter.reserve(key) == pytest.approx(0.0)


def test_buckets_are_per_token_and_category() -> None:
    limiter = LocalRateLimiter(
        {"org_read": Limit(1, 60.0), "org_write": Limit(1, 60.0)}, clock=FakeClock()
    )
    assert limiter.reserve([("a", "org_read")]) == 0
    assert limiter.reserve([("b", "org_read")]) == 0
    assert limiter.reserve([("a", "org_write")]) == 0
    assert limiter.reserve([("a", "org_read")]) > 0


def test_server_headers_adapt_the_bucket() -> None:
    clock = FakeClock()
    limiter = LocalRateLimiter({"ads_conversions": Limit(5000, 60.0)}, clock=clock)
    key = ("fp", "ads_conversions", "123")
    limiter.reserve([key])
    headers = {
        "x-ratelimit-limit": '120000, 120000;w=60;name="ads_conversions_ad_account_id"',
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": "30",
    }
    limiter.observe(key, headers, limited=False, wait=30.0)
    assert limiter.reserve([key]) == pytest.approx(30.0, abs=0.1)
    clock.now += 31
    assert limiter.reserve([key]) == 0.0


def test_a_429_blocks_until_reset() -> None:
    clock = FakeClock()
    limiter = LocalRateLimiter(STANDARD, clock=clock)
    key = ("fp", "org_write")
    limiter.observe(key, {}, limited=True, wait=12.0)
    assert limiter.reserve([key]) == pytest.approx(12.0)


def test_resolve_limits() -> None:
    assert resolve_limits(False) is None
    assert resolve_limits("off") is None
    assert resolve_limits(None) == dict(STANDARD)
    assert resolve_limits("trial")["org_write"] == Limit(300, 86400.0)
    custom = resolve_limits({"org_read": (10, 1.0), "universal": None})
    assert custom is not None
    assert custom["org_read"] == Limit(10, 1.0)
    assert "universal" not in custom
    with pytest.raises(ValueError, match="preset"):
        resolve_limits("fast")


def test_user_set_limits_are_only_lowered_by_the_server() -> None:
    clock = FakeClock()
    limiter = LocalRateLimiter(
        {"org_read": Limit(1, 3600.0), "org_write": Limit(100, 60.0)},
        pinned=frozenset({"org_read"}),
        clock=clock,
    )
    advertised = {"x-ratelimit-limit": "1000, 1000;w=60"}
    limiter.observe(("fp", "org_read"), advertised, limited=False, wait=0)
    limiter.observe(("fp", "org_write"), advertised, limited=False, wait=0)
    assert limiter.reserve([("fp", "org_read")]) == 0
    assert limiter.reserve([("fp", "org_read")]) > 60
    # org_write follows the server: 1,000 go at once, the next after 60 / 1000 s, not 60 s / 100
    waits = [limiter.reserve([("fp", "org_write")]) for _ in range(1001)]
    assert waits[999] == 0.0 and waits[1000] == pytest.approx(0.06)


def test_conversions_are_limited_per_ad_account() -> None:
    import httpx2

    import pinkit

    client = pinkit.Client("pina_x", base_url="https://api.pinterest.com/v5")
    request, op = client.build_request("POST", "/ad_accounts/549755885175/events", json={})
    keys = client._limit_keys(op, "fp", request)
    assert keys == [("fp", "universal"), ("fp", "ads_conversions", "549755885175")]
    assert isinstance(request, httpx2.Request)


def test_headers_count_only_ascii_digits_and_real_windows() -> None:
    clock = FakeClock()
    limiter = LocalRateLimiter({"org_read": Limit(3, 3.0)}, clock=clock)
    key = ("fp", "org_read")
    limiter.reserve([key])
    # Arabic-Indic digits are no count; a zero window is no window (it would divide by zero).
    limiter.observe(key, {"x-ratelimit-remaining": "\u0660"}, limited=False, wait=5.0)
    limiter.observe(key, {"x-ratelimit-limit": "10, 10;w=0"}, limited=False, wait=0.0)
    assert limiter.reserve([key]) == 0.0
    assert limiter._buckets[key].limit == Limit(10, 3.0)


def test_a_limit_header_is_read_again_only_when_it_changes() -> None:
    clock = FakeClock()
    limiter = LocalRateLimiter({"org_read": Limit(1000, 60.0)}, clock=clock)
    key = ("fp", "org_read")
    limiter.reserve([key])
    for _ in range(3):
        limiter.observe(key, {"x-ratelimit-limit": "60, 60;w=60"}, limited=False, wait=0.0)
    assert limiter._buckets[key].limit == Limit(60, 60.0)
    limiter.observe(key, {"x-ratelimit-limit": "120, 120;w=60"}, limited=False, wait=0.0)
    assert limiter._buckets[key].limit == Limit(120, 60.0)
    assert limiter._buckets[key].rate == 2.0  # the bucket refills at the new limit's rate


def test_a_lowered_limit_holds_before_the_clock_moves() -> None:
    clock = FakeClock()  # a clock that does not move between the calls (a coarse one)
    limiter = LocalRateLimiter({"org_read": Limit(100, 60.0)}, clock=clock)
    key = ("fp", "org_read")
    limiter.reserve([key])
    limiter.observe(key, {"x-ratelimit-limit": "5, 5;w=60"}, limited=False, wait=0.0)
    # One of the five is taken already: four go at once, the fifth after 60 / 5 s.
    waits = [limiter.reserve([key]) for _ in range(5)]
    assert waits[:4] == [0.0] * 4 and waits[4] == pytest.approx(12.0)


def test_the_limit_header_cache_keeps_the_pinned_rule() -> None:
    limiter = LocalRateLimiter(
        {"org_read": Limit(10, 60.0)}, pinned=frozenset({"org_read"}), clock=FakeClock()
    )
    key = ("fp", "org_read")
    limiter.reserve([key])
    for header in ("1000, 1000;w=60", None, "1000, 1000;w=60", "5, 5;w=60", "5, 5;w=60"):
        headers = {} if header is None else {"x-ratelimit-limit": header}
        limiter.observe(key, headers, limited=False, wait=0.0)
        expected = Limit(5, 60.0) if header == "5, 5;w=60" else Limit(10, 60.0)
        assert limiter._buckets[key].limit == expected  # raised never, lowered at once


@pytest.mark.parametrize("value", [(0, 60), (1.5, 60), (10, 0), (10, float("nan")), "x", (1,)])
def test_bad_limits_are_bad_input(value: object) -> None:
    with pytest.raises(ValueError, match="rate limit for org_read"):
        resolve_limits({"org_read": value})  # type: ignore[dict-item]


def test_limit_checks_its_numbers_and_burst() -> None:
    assert Limit(10, 60.0).capacity == 10
    assert Limit(10, 60.0, burst=1).capacity == 1
    assert Limit(10, 60.0, burst=50).capacity == 10
    for bad in ((0, 1.0), (1, 0.0), (True, 1.0)):
        with pytest.raises(ValueError, match=r"requests|window"):
            Limit(*bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="burst"):
        Limit(1, 1.0, burst=0)


def test_a_burst_of_one_spaces_every_request() -> None:
    clock = FakeClock()
    limiter = LocalRateLimiter({"org_read": Limit(10, 1.0, burst=1)}, clock=clock)
    key = [("id", "org_read")]
    waits = [limiter.reserve(key) for _ in range(4)]
    assert waits == pytest.approx([0.0, 0.1, 0.2, 0.3])


def test_the_local_limiter_is_a_rate_limiter_with_async_forms() -> None:
    import anyio

    import pinkit

    limiter = LocalRateLimiter({"org_read": Limit(1, 60.0)}, clock=FakeClock())
    assert isinstance(limiter, pinkit.RateLimiter)

    async def main() -> tuple[float, float]:
        first = await limiter.areserve([("id", "org_read")])
        await limiter.aobserve(("id", "org_read"), {}, limited=True, wait=90.0)
        return first, await limiter.areserve([("id", "org_read")])

    assert anyio.run(main) == (0.0, pytest.approx(90.0))


def test_buckets_follow_the_user_across_a_refresh(pinkit_emulator: Any) -> None:
    """A refresh rotates the access token; the client's buckets stay the user's (and app's):
    the count goes on instead of starting again."""
    import time

    import pinkit

    emu = pinkit_emulator
    token = emu.issue_token(["user_accounts:read"], expires_in=3600)
    store = pinkit.MemoryTokenStore(token)
    limiter = LocalRateLimiter(
        {"org_read": Limit(3, 600.0)}, pinned=frozenset({"org_read"}), clock=time.monotonic
    )
    client = pinkit.Client(
        base_url=emu.base_url,
        oauth_app=emu.default_app,
        token_store=store,
        rate_limiter=limiter,
        clock=emu.clock,
    )
    client.user_account.get()
    key = client._tokens.rate_key
    assert key.startswith(emu.default_app.client_id + ":")
    client.fresh_token()  # not due yet: the same token
    emu.clock.advance(3600)  # now expired: the next request refreshes first
    client.user_account.get()
    assert client.token is not None and client.token.access_token != token.access_token
    assert client._tokens.rate_key == key
    # two slots of three are spent under the one key: the third goes, the fourth waits
    assert limiter.reserve([(key, "org_read")]) == 0.0
    assert limiter.reserve([(key, "org_read")]) > 100
    client.close()


def test_rate_limiter_and_rate_limits_exclude_each_other() -> None:
    import pinkit

    shared = LocalRateLimiter(STANDARD)
    client = pinkit.Client("pina_x", rate_limiter=shared, rate_limit_key="app:user-1")
    assert client.limiter is shared and client._tokens.rate_key == "app:user-1"
    with pytest.raises(pinkit.InvalidInputError, match="not both"):
        pinkit.Client("pina_x", rate_limiter=shared, rate_limits="trial")
    assert pinkit.Client("pina_x", rate_limits=False).limiter is None


def test_held_is_how_long_a_block_still_holds() -> None:
    clock = FakeClock()
    limiter = LocalRateLimiter(STANDARD, clock=clock)
    key = ("fp", "org_read")
    assert limiter.held([key]) == 0.0  # no bucket yet, no block
    limiter.observe(key, {}, limited=True, wait=12.0)
    clock.now += 2
    assert limiter.held([("fp", "universal"), key]) == pytest.approx(10.0)
    clock.now += 11
    assert limiter.held([key]) == 0.0


class _BlockedWhileWaiting(LocalRateLimiter):
    """Every request waits ``wait`` for its slot; while the first one waits, a block of
    ``block`` seconds is set (as another worker's 429 would)."""

    def __init__(self, wait: float, block: float) -> None:
        super().__init__({"org_read": Limit(1000, 60.0)})
        self.wait, self.blocks, self.asked = wait, [block], 0

    def reserve(self, keys: list[tuple[str, ...]]) -> float:
        super().reserve(keys)
        return self.wait

    def held(self, keys: list[tuple[str, ...]]) -> float:
        self.asked += 1
        return self.blocks.pop() if self.blocks else 0.0


def test_a_request_that_waited_for_its_slot_honours_a_block_set_meanwhile(
    inproc_emulator: Any,
) -> None:
    """A slot is reserved before the wait; a 429 another request sees during that wait blocks
    the bucket, and the waiting request must not send into it: it asks again after waiting."""
    import pinkit

    emu = inproc_emulator
    limiter = _BlockedWhileWaiting(wait=2.0, block=5.0)
    with emu.client(rate_limiter=limiter, rate_limit_key="app:u") as client:
        started = emu.clock.now()
        client.user_account.get()
        assert emu.clock.now() - started == pytest.approx(7.0, abs=0.5)  # 2 s, then 5 s more
        assert limiter.asked == 2
        limiter.blocks = [600.0]  # a block past the client's 60 s cap: no sending, no hanging
        with pytest.raises(pinkit.RateLimitError, match="blocked for 600s"):
            client.user_account.get()
    assert [r.operation_id for r in emu.requests] == ["user_account/get"]


@pytest.mark.parametrize(
    ("header", "policies"),
    [
        (
            '120000, 120000;w=60;name="ads_conversions_ad_account_id"',
            (Policy(120000, 60.0, "ads_conversions_ad_account_id"),),
        ),
        (
            '1000, 1000;w=60;name="org_read", 100;w=1;name="universal"',
            (Policy(1000, 60.0, "org_read"), Policy(100, 1.0, "universal")),
        ),
        ("1000", (Policy(1000),)),
        ("10, 10;w=0", (Policy(10),)),  # a zero window is no window
        ("5, 5;w=1.5", (Policy(5),)),  # nor a fraction that Pinterest never sends
        ("\u0661\u0662, \u0661\u0662;w=60", ()),  # Arabic-Indic digits are no number
        ("0, 0;w=60", ()),
        ("5, 00;w=60", (Policy(5),)),  # a quota of none is passed over
        ("9" * 400 + ", " + "9" * 5000 + ";w=60", ()),  # no rate overflows, no int() refuses
        ("5, 5;w=" + "9" * 400, (Policy(5),)),
        ("10;w=1", (Policy(10, 1.0),)),  # no leading number: the quota alone
        (  # the leading number says which quota Remaining counts: that one first
            '100, 1000;w=60;name="org_read", 100;w=1;name="universal"',
            (Policy(100, 1.0, "universal"), Policy(1000, 60.0, "org_read")),
        ),
        ('7, 7;w=60;name="a,5;w=1"', (Policy(7, 60.0, "a,5;w=1"),)),  # quoted: one name
        ('7, 7 ; w = 60 ; name = "universal"', (Policy(7, 60.0, "universal"),)),
        ("", ()),
        (None, ()),
    ],
)
def test_a_limit_header_states_its_quotas_leading_one_first(
    header: str | None, policies: tuple[Policy, ...]
) -> None:
    assert limit_policies(header) == policies


TWO_POLICIES = '1000, 1000;w=60;name="org_read", {n};w=1;name="universal"'


def test_a_universal_quota_in_the_header_sets_the_universal_bucket() -> None:
    clock = FakeClock()
    limiter = LocalRateLimiter(dict(STANDARD), clock=clock)
    keys = [("fp", "universal"), ("fp", "org_read")]
    limiter.reserve(keys)
    header = {"x-ratelimit-limit": TWO_POLICIES.format(n=10**6), "x-ratelimit-remaining": "998"}
    limiter.observe(keys[-1], header, limited=False, wait=0.0)
    assert limiter._buckets[keys[0]].limit == Limit(10**6, 1.0)
    assert limiter._buckets[keys[1]].limit == Limit(1000, 60.0)
    # Remaining speaks of the leading quota (org_read), not of the universal one, whose one
    # slot taken stays taken...
    assert limiter._buckets[keys[1]].tokens == 998
    assert limiter._buckets[keys[0]].tokens == 10**6 - 1
    # ...and the 500th call within a second no longer waits for Standard's 100 a second.
    assert [limiter.reserve(keys[:1]) for _ in range(500)][-1] == 0.0


def test_a_pinned_universal_limit_is_only_lowered_by_the_header() -> None:
    limiter = LocalRateLimiter(
        resolve_limits({"universal": (50, 1.0)}) or {},
        pinned=frozenset({"universal"}),
        clock=FakeClock(),
    )
    key = ("fp", "org_read")
    limiter.reserve([("fp", "universal"), key])
    limiter.observe(key, {"x-ratelimit-limit": TWO_POLICIES.format(n=10**6)}, limited=False, wait=0)
    assert limiter._buckets[("fp", "universal")].limit == Limit(50, 1.0)
    limiter.observe(key, {"x-ratelimit-limit": TWO_POLICIES.format(n=5)}, limited=False, wait=0)
    assert limiter._buckets[("fp", "universal")].limit == Limit(5, 1.0)


def test_a_refusal_by_the_universal_quota_blocks_every_category() -> None:
    clock = FakeClock()
    limiter = LocalRateLimiter(dict(STANDARD), clock=clock)
    read = [("fp", "universal"), ("fp", "org_read")]
    write = [("fp", "universal"), ("fp", "org_write")]
    limiter.reserve(read)
    refused = {"x-ratelimit-limit": '100, 100;w=1;name="universal"', "x-ratelimit-remaining": "0"}
    limiter.observe(read[-1], refused, limited=True, wait=1.0)
    assert limiter._buckets[read[-1]].limit == STANDARD["org_read"]  # not taken for org_read's
    assert limiter.held(write) == pytest.approx(1.0)  # another category waits for it too
    clock.now += 1.0
    assert limiter.held(write) == 0.0


def test_the_first_quota_stated_for_a_bucket_is_the_one_it_takes() -> None:
    limiter = LocalRateLimiter({"org_read": Limit(1000, 60.0)}, clock=FakeClock())
    key = ("fp", "org_read")
    limiter.reserve([key])
    limiter.observe(key, {"x-ratelimit-limit": "10, 10;w=1, 50;w=60"}, limited=False, wait=0.0)
    assert limiter._buckets[key].limit == Limit(10, 1.0)


def test_a_universal_refusal_without_a_universal_bucket_blocks_the_request_s_own() -> None:
    limiter = LocalRateLimiter({"org_read": Limit(1000, 60.0)}, clock=FakeClock())
    key = ("fp", "org_read")
    limiter.reserve([key])
    refused = {"x-ratelimit-limit": '100, 100;w=1;name="universal"', "x-ratelimit-remaining": "0"}
    limiter.observe(key, refused, limited=True, wait=2.0)
    assert limiter.held([key]) == pytest.approx(2.0)
    assert limiter._buckets[key].limit == Limit(1000, 60.0)


def test_a_lowered_limit_owes_at_most_a_window() -> None:
    limiter = LocalRateLimiter({"org_read": Limit(1000, 60.0)}, clock=FakeClock())
    key = ("fp", "org_read")
    for _ in range(1000):
        limiter.reserve([key])
    limiter.observe(key, {"x-ratelimit-limit": "100, 100;w=60"}, limited=False, wait=0.0)
    assert 0 < limiter.reserve([key]) <= 60.6  # not the nine minutes 900 slots would take


def test_an_unlimited_category_still_learns_the_universal_quota() -> None:
    limiter = LocalRateLimiter({"universal": Limit(100, 1.0)}, clock=FakeClock())
    keys = [("fp", "universal"), ("fp", "org_read")]
    limiter.reserve(keys)
    header = {"x-ratelimit-limit": TWO_POLICIES.format(n=10**6), "x-ratelimit-remaining": "0"}
    limiter.observe(keys[-1], header, limited=False, wait=5.0)
    assert limiter._buckets[keys[0]].limit == Limit(10**6, 1.0)
    assert limiter.held(keys) == 0.0  # Remaining is org_read's, which is not limited here
