"""The overview's numbers: read once per few seconds however many look, never waited on again."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

from bot.core.dashboard.stats import SUBSCRIBED, CampaignStats, Stats, SubscriberCount, monday


class Reader:
    def __init__(self) -> None:
        self.reads = 0

    async def subscribers(self) -> list[SubscriberCount]:
        self.reads += 1
        await asyncio.sleep(0)
        return [SubscriberCount("events", "telegram", "en", 10 * self.reads)]

    async def weekly(self, since: date) -> Mapping[tuple[date, str], int]:
        return {(since, SUBSCRIBED): 500, (since - timedelta(weeks=1), SUBSCRIBED): 7}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_many_pages_at_once_read_the_counts_once() -> None:
    reader, clock = Reader(), Clock()
    stats = Stats(reader, clock)
    seen = await asyncio.gather(*(stats.campaign() for _ in range(20)))
    assert reader.reads == 1 and len({id(s) for s in seen}) == 1
    assert seen[0].weeks[-1] == monday(clock.now.date()) and len(seen[0].weeks) == 12
    # Only the twelve weeks shown: the week before the first is left out.
    assert seen[0].weekly[SUBSCRIBED] == (500,) + (0,) * 11


async def test_older_counts_are_shown_while_newer_ones_are_read() -> None:
    reader, clock = Reader(), Clock()
    stats = Stats(reader, clock, ttl=timedelta(seconds=5), stale=timedelta(minutes=1))
    first = await stats.campaign()
    clock.now += timedelta(seconds=6)
    # The page does not wait: it gets the counts it had, saying as of when.
    assert await stats.campaign() is first
    await asyncio.sleep(0.01)
    renewed = await stats.campaign()
    assert renewed.as_of == clock.now and renewed.subscribers[0].count == 20
    # Nobody looked for long: the page waits for fresh counts rather than show old ones.
    clock.now += timedelta(minutes=5)
    assert (await stats.campaign()).subscribers[0].count == 30


def test_a_topics_total_never_gives_a_small_group_away() -> None:
    cells = (
        SubscriberCount("events", "telegram", "en", 10),
        SubscriberCount("events", "telegram", "ru", 2),
        SubscriberCount("news", "discord", None, 4),
        SubscriberCount("news", "telegram", "ru", 5),
    )
    campaign = CampaignStats(cells, (), {}, datetime(2026, 12, 2, tzinfo=UTC))
    # 12 beside a table reading 10 would say 2; news's 9 stays "fewer than 10" either way.
    assert campaign.by_topic() == [("events", 10), ("news", 0)]
