"""The event store's memory: a read that raced a write keeps nothing old, and the purge that erases
switched-off chats takes their events out of what is kept."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

import db.stores.events
from bot.core.messages import Address, ChatKind
from bot.core.ports import ChatPrefs
from bot.core.reminders.values import EventDraft, EventInfo
from db.stores.chats import SqlChatStore
from db.stores.events import SqlEventStore
from db.stores.retention import SqlRetentionStore

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
GROUP = Address("telegram", "-100")
load = db.stores.events._load
DRAFT = EventDraft(
    "Rally", datetime(2026, 12, 5, 14), datetime(2026, 12, 5, 16), "UTC", "Square", "Come."
)


async def publish(events: SqlEventStore, scope: Address | None = None) -> str:
    draft = await events.save_draft(DRAFT, scope, NOW)
    assert await events.confirm(draft.id, NOW) is not None
    return draft.id


async def test_a_read_that_raced_a_write_keeps_nothing(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = SqlEventStore(engine)
    event_id = await publish(events)
    loaded, release = asyncio.Event(), asyncio.Event()

    async def slow_load(*args: Any) -> list[EventInfo]:
        rows = await load(*args)
        loaded.set()
        await release.wait()
        return rows

    # The read loads the event, the cancel commits while the read is still on its way back.
    monkeypatch.setattr(db.stores.events, "_load", slow_load)
    read = asyncio.create_task(events.visible(GROUP, NOW, past=False))
    await loaded.wait()
    monkeypatch.setattr(db.stores.events, "_load", load)
    await events.cancel(event_id, NOW)
    release.set()
    assert [e.id for e in await read] == [event_id]  # it was read before the cancel...
    assert await events.visible(GROUP, NOW, past=False) == []  # ...and not kept


async def test_the_purge_of_switched_off_chats_takes_their_events(engine: AsyncEngine) -> None:
    events = SqlEventStore(engine)
    chats = SqlChatStore(engine, on_change=events.forget_cached)
    retention = SqlRetentionStore(engine, on_change=events.forget_cached)
    await chats.save_chat(ChatPrefs(GROUP, ChatKind.GROUP, NOW))
    event_id = await publish(events, GROUP)
    await events.set_leads(GROUP, (60,))
    assert [e.id for e in await events.visible(GROUP, NOW, past=False)] == [event_id]
    assert await events.leads(GROUP) == (60,)
    await chats.set_active(GROUP, False)
    assert (await retention.purge_inactive_chats())["switched_off_chats"] == 1
    assert await events.visible(GROUP, NOW, past=False) == []
    assert await events.get(event_id) is None
    assert await events.leads(GROUP) != (60,)
