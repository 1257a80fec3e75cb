"""The overview's numbers: subscribers by topic, platform and language, and weekly tallies.

All of them are counts read with GROUP BY in the database (db/stores/stats.py); none names a chat.
The page shows them through masking (bot.core.dashboard.masking). They are read at most once per
`TTL` however many organizers reload the page, and the page says when they were read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.core.ports import Clock

# What the weekly tallies count (db/stores/tallies.py writes them under these names).
SUBSCRIBED = "subscribed"
ERASED = "erased"
REMINDER_SENT = "reminder_sent"
BROADCAST_SENT = "broadcast_sent"
WEEKLY = (SUBSCRIBED, ERASED, REMINDER_SENT, BROADCAST_SENT)
WEEKS = 12
TTL = timedelta(seconds=5)


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
        """Subscribers per topic (all platforms and languages), largest first."""
        totals: dict[str, int] = {}
        for cell in self.subscribers:
            totals[cell.topic] = totals.get(cell.topic, 0) + cell.count
        return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


class StatsReader(Protocol):
    """The aggregates, read in the database."""

    async def subscribers(self) -> list[SubscriberCount]:
        """Active chats per topic, platform and language."""

    async def weekly(self, since: date) -> Mapping[tuple[date, str], int]:
        """Each tally's count (all platforms) per week, for the weeks from `since` on."""


class Stats:
    """The overview's numbers, read afresh at most once per `ttl`."""

    def __init__(
        self, reader: StatsReader, clock: Clock, ttl: timedelta = TTL, weeks: int = WEEKS
    ) -> None:
        self._reader = reader
        self._clock = clock
        self._ttl = ttl
        self._weeks = weeks
        self._latest: CampaignStats | None = None
        # One read at a time: many pages opened at once wait for the same read.
        self._reading = asyncio.Lock()

    async def campaign(self) -> CampaignStats:
        """The campaign-wide numbers (for organizers only)."""
        async with self._reading:
            now = self._clock()
            if self._latest is None or now - self._latest.as_of >= self._ttl:
                self._latest = await self._read(now)
            return self._latest

    async def _read(self, now: datetime) -> CampaignStats:
        last = monday(now.date())
        weeks = tuple(last - timedelta(weeks=back) for back in range(self._weeks - 1, -1, -1))
        counts = await self._reader.weekly(weeks[0])
        weekly = {what: tuple(counts.get((week, what), 0) for week in weeks) for what in WEEKLY}
        subscribers = tuple(await self._reader.subscribers())
        return CampaignStats(subscribers, weeks, weekly, now)
