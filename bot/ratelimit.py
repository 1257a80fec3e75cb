"""The per-person action rate limit: a token bucket that people at human speed never empty.

Each person has a bucket of `burst` actions, refilled at `per_minute` a minute. Someone tapping
once a second, or ten times within ten seconds, always finds one left; a script sending dozens a
second empties it and is refused until it refills, each refusal saying when to try again. There
is no penalty period: the moment a token is back, the next action goes through.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from bot.core.ports import ALLOW, Verdict

# Default limits (settings RATE_LIMIT_PER_MINUTE and RATE_LIMIT_BURST): two actions a second
# sustained, twenty at once. A person tapping through menus does about one a second.
PER_MINUTE = 120
BURST = 20
# The shortest wait a refusal asks for: "try again in 1 second" reads like a dare to a script.
MIN_RETRY_S = 2
# How often buckets that have refilled are dropped (a full bucket is the same as none).
PRUNE_EVERY_S = 60.0


class TokenBucketLimiter:
    """`burst` actions at once per person, `per_minute` a minute sustained; in memory, for one
    process (SQLite). Several processes on PostgreSQL share db.stores.shared.SqlRateLimiter."""

    def __init__(
        self,
        per_minute: float = PER_MINUTE,
        burst: int = BURST,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError("the rate limit needs per_minute > 0 and burst >= 1")
        self._rate = per_minute / 60.0  # tokens a second
        self._burst = float(burst)
        self._monotonic = monotonic
        # key -> (tokens left, when they were counted)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._next_prune = monotonic() + PRUNE_EVERY_S

    async def check(self, key: str) -> Verdict:
        now = self._monotonic()
        if now >= self._next_prune:
            self._prune(now)
        tokens, then = self._buckets.get(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - then) * self._rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return ALLOW
        self._buckets[key] = (tokens, now)
        wait = math.ceil((1.0 - tokens) / self._rate)
        return Verdict(False, float(max(wait, MIN_RETRY_S)))

    async def forget(self, key: str) -> None:
        # The bucket holds the asker's id (in `key`); after /forget nothing of them stays. The
        # price: whoever follows every few commands with `/forget confirm` starts afresh each
        # time (each round erases their own chat); the erasure promise wins.
        self._buckets.pop(key, None)

    @property
    def people(self) -> int:
        """How many buckets are held (people active within the last minute or so)."""
        return len(self._buckets)

    def _prune(self, now: float) -> None:
        self._next_prune = now + PRUNE_EVERY_S
        full_after = self._burst / self._rate
        self._buckets = {
            key: (tokens, then)
            for key, (tokens, then) in self._buckets.items()
            if now - then < full_after
        }


class Unlimited:
    """The local console (one trusted user), benchmarks and scripted sessions."""

    async def check(self, key: str) -> Verdict:
        return ALLOW

    async def forget(self, key: str) -> None:
        """Nothing is held."""
