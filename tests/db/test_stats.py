"""The overview's aggregates, counted by the real stores as things happen, on both databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.broadcast.values import DeliveryState
from bot.core.dashboard.stats import (
    BROADCAST_SENT,
    ERASED,
    REMINDER_SENT,
    SUBSCRIBED,
    Stats,
    SubscriberCount,
    monday,
)
from bot.core.messages import Address, ChatKind
from bot.core.ports import ChatPrefs
from db.models.tallies import WeeklyTally
from db.stores.broadcasts import SqlBroadcastStore
from db.stores.chats import SqlChatStore
from db.stores.reminders import SqlPlanStore
from db.stores.stats import SqlStats

NOW = datetime.now(UTC)
THIS_WEEK = monday(NOW.date())


def chat(n: int, platform: str = "telegram", **changes: object) -> ChatPrefs:
    prefs = ChatPrefs(
        address=Address(platform, str(1000 + n)), kind=ChatKind.PRIVATE, created_at=NOW
    )
    return replace(prefs, **changes)  # type: ignore[arg-type]


async def test_subscribers_are_counted_by_topic_platform_and_language(engine: AsyncEngine) -> None:
    chats = SqlChatStore(engine)
    for n in range(12):
        await chats.save_chat(chat(n, locale="ru", topics=frozenset({"rallies", "news"})))
    for n in range(3):
        await chats.save_chat(chat(n, "discord", topics=frozenset({"news"})))
    await chats.set_active(Address("telegram", "1000"), False)  # blocked the bot: not counted

    cells = set(await SqlStats(engine).subscribers())

    assert cells == {
        SubscriberCount("rallies", "telegram", "ru", 11),
        SubscriberCount("news", "telegram", "ru", 11),
        SubscriberCount("news", "discord", None, 3),
    }


async def test_subscriptions_and_erasures_are_tallied_per_week(engine: AsyncEngine) -> None:
    chats = SqlChatStore(engine)
    for n in range(4):
        await chats.save_chat(chat(n, topics=frozenset({"rallies", "news"})))
    # Saving the same choices again, or another setting, subscribes nobody new.
    await chats.save_chat(chat(0, topics=frozenset({"rallies", "news"}), locale="en"))
    await chats.forget_chat(Address("telegram", "1001"))
    await chats.forget_chat(Address("telegram", "9999"))  # never stored: nothing erased

    weekly = await SqlStats(engine).weekly(THIS_WEEK)

    assert weekly[(THIS_WEEK, SUBSCRIBED)] == 8
    assert weekly[(THIS_WEEK, ERASED)] == 1
    # The tally outlives the erased chat: 8 subscriptions counted, 3 chats' 6 still stored.
    assert sum(cell.count for cell in await SqlStats(engine).subscribers()) == 6


async def test_sent_reminders_and_deliveries_are_tallied_per_batch(engine: AsyncEngine) -> None:
    broadcasts = SqlBroadcastStore(engine)
    await broadcasts.mark_many(
        [(1, DeliveryState.SENT, 1), (2, DeliveryState.SENT, 1), (3, DeliveryState.GONE, 1)]
    )
    await broadcasts.mark_many([(4, DeliveryState.FAILED, 3)])
    await broadcasts.aclose()
    reminders = SqlPlanStore(engine)
    await reminders.settle_many([(1, "sent"), (2, "sent"), (3, "dropped")])
    await reminders.settle([4], "sent")

    weekly = await SqlStats(engine).weekly(THIS_WEEK)

    assert weekly[(THIS_WEEK, BROADCAST_SENT)] == 2
    assert weekly[(THIS_WEEK, REMINDER_SENT)] == 3


async def test_the_overview_reads_twelve_weeks_with_zeros_and_platforms_summed(
    engine: AsyncEngine,
) -> None:
    old = (THIS_WEEK - timedelta(weeks=13)).isoformat()
    last = (THIS_WEEK - timedelta(weeks=1)).isoformat()
    async with engine.begin() as connection:
        await connection.execute(
            insert(WeeklyTally),
            [
                {"week": old, "what": SUBSCRIBED, "platform": "telegram", "n": 500},
                {"week": last, "what": SUBSCRIBED, "platform": "telegram", "n": 30},
                {"week": last, "what": SUBSCRIBED, "platform": "discord", "n": 12},
            ],
        )
    stats = Stats(SqlStats(engine), lambda: NOW)

    campaign = await stats.campaign()

    assert len(campaign.weeks) == 12 and campaign.weeks[-1] == THIS_WEEK
    assert campaign.weekly[SUBSCRIBED][-2:] == (42, 0)
    assert sum(campaign.weekly[SUBSCRIBED]) == 42  # thirteen weeks ago is not shown
    assert campaign.weekly[ERASED] == (0,) * 12
