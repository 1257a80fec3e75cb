"""How fast the bot sends on its own: the pacer that keeps under a platform's declared limits.

Each messenger declares its platform's limits (`Messenger.pacing`); bulk sending never uses a
platform's whole budget, so ordinary command replies (which do not pass through here) always
find room.

The pacer is a virtual schedule (GCRA): each send takes the next slot `1/rate` after the previous
slot, not after the previous send, so timer overshoot and a slow delivery do not lower the
average rate. A sliding one-second window and a 1% margin keep every 1-second window at or under
the cap even while catching up.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from bot.core.ports import PlatformPacing, Sleep

SAFETY = 0.99
# Requests reach the platform a little after they leave (later still on a busy event loop); two
# of them a few milliseconds closer together there than here must not make 26 in a second.
WINDOW_MARGIN_S = 0.01


class Schedule:
    """Hands out send slots on a virtual timeline `1/rate` apart (GCRA).

    A send that comes late (its timer overshot) does not push the whole timeline back: the next
    one may follow sooner, up to `catch_up` intervals early, so the average stays at the rate.
    One interval is enough for that and keeps bursts to two back to back: with several sends in
    flight, a burst reaches the platform a few milliseconds apart or together, and a wider one
    (four, before the send window) pushed a platform's own one-second count over the cap. A
    sliding one-second window caps any burst at the rate itself.
    """

    def __init__(
        self, rate: float, monotonic: Callable[[], float], sleep: Sleep, catch_up: int = 1
    ) -> None:
        self._interval = 1.0 / (rate * SAFETY)
        self._tolerance = catch_up * self._interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._tat = 0.0  # the theoretical time of the next send
        self._window: deque[float] = deque(maxlen=max(1, int(rate)))
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait for this caller's slot."""
        async with self._lock:
            now = self._monotonic()
            earliest = max(now, self._tat - self._tolerance)
            window = self._window
            if len(window) == window.maxlen:
                earliest = max(earliest, window[0] + 1.0 + WINDOW_MARGIN_S)
            if earliest > now:
                await self._sleep(earliest - now)
            sent = max(self._monotonic(), earliest)
            self._tat = max(self._tat, sent) + self._interval
            window.append(sent)


class Pacer:
    """One platform's overall, paid and DM schedules, and per-chat spacing (kept a minute)."""

    def __init__(
        self,
        pacing: PlatformPacing,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.pacing = pacing
        self._monotonic = monotonic
        self._sleep = sleep
        self._overall = Schedule(pacing.rate, monotonic, sleep)
        self._paid = Schedule(pacing.paid_rate, monotonic, sleep) if pacing.paid_rate else None
        self._private = (
            Schedule(pacing.private_rate, monotonic, sleep) if pacing.private_rate else None
        )
        # chat id -> recent send times (only the last minute matters).
        self._recent: OrderedDict[str, deque[float]] = OrderedDict()
        # chat id -> when a bulk stream took its next turn (see `reserve`).
        self._reserved: dict[str, float] = {}

    def wait_for(self, chat_id: str, group: bool) -> float:
        """Seconds until this chat may get another message; 0 if now."""
        sends = self._recent.get(chat_id)
        last_sent = sends[-1] if sends else None
        taken = [t for t in (last_sent, self._reserved.get(chat_id)) if t is not None]
        if not taken:
            return 0.0
        now = self._monotonic()
        wait = max(taken) + self.pacing.per_chat_interval_s - now
        limit = self.pacing.group_per_minute
        if sends and group and limit is not None and len(sends) >= limit:
            wait = max(wait, sends[-limit] + 60.0 - now)
        return max(wait, 0.0)

    def reserve(self, chat_id: str, group: bool) -> bool:
        """Take the chat's next turn now, if it is free, for a send that will come shortly.

        Bulk streams reserve a chat when they claim its row, so a broadcast and a reminder tick
        walking the same chats pass over each other's instead of both claiming one and then
        waiting for it with their places in the window.
        """
        if self.wait_for(chat_id, group) > 0:
            return False
        self._reserved[chat_id] = self._monotonic()
        return True

    async def acquire(
        self, chat_id: str, group: bool, paid: bool = False, reserved: bool = False
    ) -> None:
        """Wait until the chat may get another message and a slot in the platform's budget.

        The chat is taken before any wait for the slot, with no await in between, so two
        streams can never both find it free at once. A send that `reserve`d the chat has its
        turn already (it waits only if a long pause outlasted the reservation and another
        stream took the chat meanwhile).
        """
        if reserved:
            self._reserved.pop(chat_id, None)
        while (wait := self.wait_for(chat_id, group)) > 0:
            await self._sleep(wait)
        sends = self._recent.pop(chat_id, None) or deque(maxlen=self.pacing.group_per_minute or 1)
        sends.append(self._monotonic())
        self._recent[chat_id] = sends
        schedule = self._paid if paid and self._paid is not None else self._overall
        await schedule.acquire()
        if not group and self._private is not None:
            await self._private.acquire()
        # The spacing counts from when the message really leaves.
        now = self._monotonic()
        sends[-1] = now
        self._forget_older_than(now - 60.0)

    def _forget_older_than(self, cutoff: float) -> None:
        if self._reserved and len(self._reserved) > 1000:
            # Reservations never used (the send was cancelled) expire with their second.
            self._reserved = {c: t for c, t in self._reserved.items() if t >= cutoff}
        while self._recent:
            first = next(iter(self._recent.values()))
            if first[-1] >= cutoff:
                return
            self._recent.popitem(last=False)
