"""The paid lane's estimate: the most a broadcast can cost in Stars, and how long it takes."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.broadcast.paid import (
    STARS_PER_MESSAGE,
    PaidEstimate,
    estimate,
    seconds_for,
    stars_for,
)
from bot.core.broadcast.service import BroadcastService
from bot.core.ports import PlatformPacing
from tests.support.broadcast import FakeMessenger

COUNTS = st.integers(min_value=0, max_value=10_000_000)
RATES = st.floats(min_value=0.5, max_value=1000, allow_nan=False, allow_infinity=False)


def test_telegrams_price_is_a_tenth_of_a_star_a_message() -> None:
    assert Fraction(1, 10) == STARS_PER_MESSAGE
    assert [stars_for(n) for n in (0, 1, 9, 10, 11, 12_345, 100_000)] == [
        0, 1, 1, 1, 2, 1_235, 10_000,
    ]  # fmt: skip


def test_durations_round_up_to_whole_seconds() -> None:
    assert [seconds_for(n, 1000) for n in (0, 1, 1000, 1001, 12_345)] == [0, 1, 1, 2, 13]
    assert seconds_for(100, 25) == 4


def test_an_estimate_names_the_platform_and_the_rate() -> None:
    assert estimate("telegram", 12_345, 1000) == PaidEstimate("telegram", 12_345, 1_235, 13, 1000)


def test_nonsense_is_refused() -> None:
    with pytest.raises(ValueError):
        stars_for(-1)
    with pytest.raises(ValueError):
        seconds_for(10, 0)


@given(COUNTS)
def test_the_stars_are_the_price_rounded_up_never_less(messages: int) -> None:
    stars = stars_for(messages)
    assert stars >= messages * STARS_PER_MESSAGE > stars - 1
    assert stars_for(messages + 1) >= stars, "one more message never costs less"


@given(COUNTS, COUNTS)
def test_two_broadcasts_never_cost_less_than_one_to_both(first: int, second: int) -> None:
    # Each rounds up on its own, so splitting can cost at most one Star more, never less.
    together = stars_for(first + second)
    assert together <= stars_for(first) + stars_for(second) <= together + 1


@given(COUNTS, RATES)
def test_the_duration_covers_every_message_at_the_rate(messages: int, rate: float) -> None:
    seconds = seconds_for(messages, rate)
    assert seconds * Fraction(rate) >= messages
    assert seconds == 0 or (seconds - 1) * Fraction(rate) < messages
    assert seconds_for(messages, rate * 2) <= seconds, "a faster lane is never slower"


def service(**messengers: PlatformPacing) -> BroadcastService:
    """A service with only what paid_estimate reads: the messengers' pacing."""
    nothing = cast(Any, None)
    return BroadcastService(
        nothing,
        {name: FakeMessenger(name, pacing) for name, pacing in messengers.items()},
        nothing,
        nothing,
        nothing,
    )


def test_the_service_estimates_the_telegram_recipients_of_every_language() -> None:
    paid = service(telegram=PlatformPacing(paid_rate=1000), discord=PlatformPacing(rate=40))
    breakdown = {("telegram", "en"): 12_000, ("telegram", "ru"): 345, ("discord", "en"): 50}
    assert paid.paid_estimate(breakdown) == PaidEstimate("telegram", 12_345, 1_235, 13, 1000)


def test_no_estimate_without_a_paid_lane_or_without_its_recipients() -> None:
    free = service(telegram=PlatformPacing(rate=25), discord=PlatformPacing())
    assert free.paid_estimate({("telegram", "en"): 100}) is None
    paid = service(telegram=PlatformPacing(paid_rate=1000), discord=PlatformPacing())
    assert paid.paid_estimate({("discord", "en"): 100}) is None
    assert paid.paid_estimate({}) is None
    assert paid.paid_estimate({("matrix", "en"): 5}) is None, "a platform not running"
