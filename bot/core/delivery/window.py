"""How many bulk sends one platform may have unrecorded at once, following the round trip.

A send holds its place in the window from the moment its row is claimed until its outcome is
durably recorded. A crash can therefore repeat (broadcasts, at least once) or lose (reminders,
at most once) no more messages than the window holds. The window is just wide enough to reach
the rate at the observed latency: `floor(rate × latency × 1.5) + 1`, so a fast platform keeps few
messages at risk and a slow one still gets its full rate.
"""

from __future__ import annotations

import asyncio
import logging
import math

log = logging.getLogger(__name__)

# Headroom over rate × latency: sends start on a paced schedule, and their outcomes are
# recorded a little after they return.
HEADROOM = 1.5
# How much one observed round trip moves the estimate (an exponential moving average): a single
# slow answer must not widen the window, a lasting change should within a few dozen sends.
SMOOTHING = 0.1
# Before any send has returned: a guess of a typical Bot API round trip.
FIRST_GUESS_S = 0.1


class Window:
    """Places for sends between claim and durable record; its size follows the latency."""

    def __init__(
        self, rate: float, name: str = "", first_guess_s: float = FIRST_GUESS_S, most: int = 1000
    ) -> None:
        self._rate = rate
        self._name = name
        self._latency = first_guess_s
        self._most = most
        self._used = 0
        self._freed = asyncio.Event()
        self.size = self._size_for(first_guess_s)
        self.waiting = 0
        log.info("delivery: %s window starts at %d", name, self.size)

    @property
    def latency_s(self) -> float:
        """The smoothed round trip the size follows."""
        return self._latency

    @property
    def used(self) -> int:
        return self._used

    def _size_for(self, latency_s: float) -> int:
        return max(1, min(self._most, math.floor(self._rate * latency_s * HEADROOM) + 1))

    def observe(self, round_trip_s: float) -> None:
        """One send's round trip: the estimate moves, and the size with it."""
        self._latency += SMOOTHING * (round_trip_s - self._latency)
        size = self._size_for(self._latency)
        if size != self.size:
            # Logged so an operator (and the crash test) can see what a crash could repeat.
            log.info(
                "delivery: %s window now %d (round trip %.0f ms)",
                self._name,
                size,
                self._latency * 1000,
            )
            self.size = size
            self._freed.set()

    async def take(self, most: int) -> int:
        """Wait for at least one free place, then take up to `most`; how many were taken."""
        self.waiting += 1
        try:
            while self._used >= self.size:
                self._freed.clear()
                await self._freed.wait()
        finally:
            self.waiting -= 1
        taken = max(1, min(most, self.size - self._used))
        self._used += taken
        return taken

    def give_back(self, count: int) -> None:
        """`count` sends are recorded (or were never made)."""
        self._used = max(0, self._used - count)
        self._freed.set()


def claim_chunk(size: int) -> int:
    """How many rows to claim at once in a window of `size`: a quarter of it. Claimed rows wait
    their turn in the schedule while holding their places; claiming the whole window at once
    would leave most of it waiting rather than on the wire."""
    return max(1, size // 4)
