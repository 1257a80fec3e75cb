"""The queue depths the metrics read at each scrape, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models.broadcasts import BroadcastRecipientRow, BroadcastRow
from db.models.chats import Chat
from db.models.events import PlannedReminder
from db.stores.queues import QueueDepths, SqlQueueReader

NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
C: Table = Chat.__table__  # type: ignore[assignment]
B: Table = BroadcastRow.__table__  # type: ignore[assignment]
R: Table = BroadcastRecipientRow.__table__  # type: ignore[assignment]
P: Table = PlannedReminder.__table__  # type: ignore[assignment]


async def test_an_empty_database_has_empty_queues(engine: AsyncEngine) -> None:
    assert await SqlQueueReader(engine).depths(NOW) == QueueDepths({}, 0, 0.0)


async def test_open_recipients_by_platform_and_due_reminders_with_the_oldest_ones_lag(
    engine: AsyncEngine,
) -> None:
    epoch = int(NOW.timestamp())
    async with engine.begin() as connection:
        chats = [
            (
                await connection.execute(
                    insert(C).values(
                        platform="telegram",
                        chat_id=str(5550000 + n),
                        kind="private",
                        created_at=NOW,
                    )
                )
            ).inserted_primary_key[0]
            for n in range(4)
        ]
        broadcast = (
            await connection.execute(
                insert(B).values(
                    state="sending",
                    audience="events",
                    body="b",
                    links="",
                    locale="en",
                    origin_platform="telegram",
                    origin_chat_id="1",
                    created_at=NOW,
                )
            )
        ).inserted_primary_key[0]
        recipients = [
            ("telegram", "queued"),
            ("telegram", "queued"),
            ("telegram", "sending"),
            ("telegram", "sent"),
            ("discord", "queued"),
            ("discord", "gone"),
        ]
        for platform, state in recipients:
            await connection.execute(
                insert(R).values(
                    broadcast_id=broadcast, platform=platform, chat_id="1", state=state
                )
            )
        plan = [
            # (due, state): overdue by 90 s and 30 s, due in the future, already sent.
            (epoch - 90, "planned"),
            (epoch - 30, "planned"),
            (epoch + 600, "planned"),
            (epoch - 900, "sent"),
        ]
        for n, (due, state) in enumerate(plan):
            await connection.execute(
                insert(P).values(
                    chat_pk=chats[n],
                    key=f"k{n}",
                    event_id="e",
                    kind="before",
                    lead=60,
                    due_at=due,
                    stale_at=due + 3600,
                    state=state,
                )
            )
    depths = await SqlQueueReader(engine).depths(NOW)
    assert depths == QueueDepths({"telegram": 3, "discord": 1}, 2, 90.0)
    # An hour later the third is due too; the oldest is later still.
    later = await SqlQueueReader(engine).depths(NOW + timedelta(hours=1))
    assert (later.reminders_due, later.reminder_lag_s) == (3, 3690.0)
