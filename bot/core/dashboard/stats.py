"""The overview's numbers: subscribers by topic, platform and language, and weekly tallies.

All of them are counts read with GROUP BY in the database (db/stores/stats.py); none names a chat.
The page shows them through masking (bot.core.dashboard.masking). They are read at most once per
`TTL` however many organizers reload the page, and the page says when they were read.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.core.dashboard.masking import masked
from bot.core.ports import Clock

# What the weekly tallies count (db/stores/tallies.py writes them under these names).
SUBSCRIBED = "subscribed"
ERASED = "erased"
REMINDER_SENT = "reminder_sent"
BROADCAST_SENT = "broadcast_sent"
WEEKLY = (SUBSCRIBED, ERASED, REMINDER_SENT, BROADCAST_SENT)
WEEKS = 12
TTL = timedelta(seconds=5)
# Numbers older than this are read again before the page is shown.
STALE = timedelta(minutes=1)

log = logging.getLogger(__name__)


def monday(day: date) -> date:
    """The Monday of `day`'s week: the key its tallies are kept under."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True, slots=True)
class SubscriberCount:
    """Active chats subscribed to `topic` on `platform` speaking `language` (None: not chosen)."""

    topic: str
    platform: str
    language: str | None
    count: int


@dataclass(frozen=True, slots=True)
class CampaignStats:
    """Everything the overview draws, as of `as_of`."""

    subscribers: tuple[SubscriberCount, ...]
    # The last WEEKS Mondays, oldest first, and for each tally its count in each of them.
    weeks: tuple[date, ...]
    weekly: Mapping[str, tuple[int, ...]]
    as_of: datetime

    def by_topic(self) -> list[tuple[str, int]]:
        """Subscribers per topic (all platforms and languages), largest first, counting only
        the cells shown as numbers: a total that included a cell under 10 would give it away
        when the table beside it lists the others (12 in all, 10 in English: 2 in Russian)."""
        totals: dict[str, int] = {}
        for cell in self.subscribers:
            totals[cell.topic] = totals.get(cell.topic, 0) + (masked(cell.count) or 0)
        return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


class StatsReader(Protocol):
    """The aggregates, read in the database."""

    async def subscribers(self) -> list[SubscriberCount]:
        """Active chats per topic, platform and language."""

    async def weekly(self, since: date) -> Mapping[tuple[date, str], int]:
        """Each tally's count (all platforms) per week, for the weeks from `since` on."""


class Stats:
    """The overview's numbers, read afresh at most once per `ttl`.

    Counting 100,000 subscribers takes the database a few hundred milliseconds on SQLite: no page
    waits for it once read. A page asked for after `ttl` gets the numbers already read (the page
    says as of when) while one read runs in the background for the next; only numbers older than
    `stale` (nobody looked for a while) are waited for.
    """

    def __init__(
        self,
        reader: StatsReader,
        clock: Clock,
        ttl: timedelta = TTL,
        weeks: int = WEEKS,
        stale: timedelta = STALE,
    ) -> None:
        self._reader = reader
        self._clock = clock
        self._ttl = ttl
        self._stale = stale
        self._weeks = weeks
        self._latest: CampaignStats | None = None
        # One read at a time: many pages opened at once wait for the same read.
        self._reading = asyncio.Lock()
        self._renewal: asyncio.Task[None] | None = None

    async def campaign(self) -> CampaignStats:
        """The campaign-wide numbers (for organizers only)."""
        latest = self._latest
        if latest is not None:
            age = self._clock() - latest.as_of
            if age < self._ttl:
                return latest
            if age < self._stale:
                if self._renewal is None:
                    self._renewal = asyncio.create_task(self._renew())
                return latest
        async with self._reading:
            latest = self._latest
            if latest is None or self._clock() - latest.as_of >= self._ttl:
                latest = self._latest = await self._read(self._clock())
            return latest

    async def _renew(self) -> None:
        try:
            async with self._reading:
                self._latest = await self._read(self._clock())
        except Exception:
            # The page keeps the numbers it has (and says as of when); the next look tries again.
            log.exception("could not read the overview's counts")
        finally:
            self._renewal = None

    async def _read(self, now: datetime) -> CampaignStats:
        last = monday(now.date())
        weeks = tuple(last - timedelta(weeks=back) for back in range(self._weeks - 1, -1, -1))
        counts = await self._reader.weekly(weeks[0])
        weekly = {what: tuple(counts.get((week, what), 0) for week in weeks) for what in WEEKLY}
        subscribers = tuple(await self._reader.subscribers())
        return CampaignStats(subscribers, weeks, weekly, now)
