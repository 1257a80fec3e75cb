"""forget_chat reaches every row that names the chat or the asker, and leaves the rest alone."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.messages import Address, ChatKind
from bot.core.ports import ChatPrefs, RsvpAnswer
from bot.settings import Settings
from db.models.broadcasts import BroadcastRecipientRow, BroadcastRow
from db.models.chats import Chat
from db.models.events import PlannedReminder, ReminderLeads, StoredEvent
from db.models.setups import ServerSetupRow
from db.stores.chats import SqlChatStore
from tests.support.chat import Say
from tests.support.settings import settings_on

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
GROUP = Address("telegram", "-1005550001234")
ADMIN = Address("telegram", "7770009999")
OTHER = Address("telegram", "4440001111")
UNKNOWN_GROUP = Address("telegram", "-1003330002222")  # a group asked "here", no chat row


@pytest.fixture
def settings(database_url: str) -> Settings:
    """/forget through the real core, on SQLite and on PostgreSQL."""
    return settings_on(database_url)


def broadcast(origin: Address, **values: Any) -> dict[str, Any]:
    return {
        "state": "sending",
        "audience": "here",
        "body": "Meeting tonight",
        "links": "[]",
        "origin_platform": origin.platform,
        "origin_chat_id": origin.chat_id,
        "locale": "en",
        "created_at": NOW,
        "total": 1,
        **values,
    }


async def add(engine: AsyncEngine, table: Any, **values: Any) -> int:
    async with engine.begin() as connection:
        result = await connection.execute(insert(table).values(**values))
        key = result.inserted_primary_key
        return key[0] if key and isinstance(key[0], int) else 0


async def chat_pk(engine: AsyncEngine, store: SqlChatStore, address: Address) -> int:
    await store.save_chat(ChatPrefs(address, ChatKind.GROUP, NOW))
    async with engine.connect() as connection:
        found = await connection.scalar(
            select(Chat.id).where(
                Chat.platform == address.platform, Chat.chat_id == address.chat_id
            )
        )
    assert found is not None
    return int(found)


def every_value(path: Path) -> list[str]:
    """Every value in every table, as text, read beside the application."""
    values = []
    with sqlite3.connect(path) as db:
        tables = [t for (t,) in db.execute("select name from sqlite_master where type='table'")]
        for table in tables:
            for row in db.execute(f"select * from {table}"):
                values += [f"{table}:{value}" for value in row]
    return values


async def test_forget_in_a_group_erases_every_row_naming_the_group_or_its_admin(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    store = SqlChatStore(engine)
    group_pk = await chat_pk(engine, store, GROUP)
    other_pk = await chat_pk(engine, store, OTHER)
    await store.save_chat(
        ChatPrefs(
            GROUP, ChatKind.GROUP, NOW, timezone="Pacific/Chatham", topics=frozenset({"events"})
        )
    )
    await store.set_rsvp(GROUP, "rally", RsvpAnswer.GOING)
    await store.set_rsvp(OTHER, "rally", RsvpAnswer.GOING)
    # The group's own broadcast "here", and one the admin started into another group.
    here = await add(engine, BroadcastRow, **broadcast(GROUP))
    await add(
        engine,
        BroadcastRecipientRow,
        broadcast_id=here,
        chat_pk=group_pk,
        platform="telegram",
        state="sent",
    )
    elsewhere = await add(engine, BroadcastRow, **broadcast(UNKNOWN_GROUP, created_by=str(ADMIN)))
    await add(
        engine,
        BroadcastRecipientRow,
        broadcast_id=elsewhere,
        platform="telegram",
        chat_id=UNKNOWN_GROUP.chat_id,
        state="queued",
    )
    # An organizer's campaign-wide broadcast the admin approved, reaching the group and another.
    campaign = await add(
        engine,
        BroadcastRow,
        **broadcast(
            OTHER, audience="events", created_by=str(OTHER), approved_by=str(ADMIN), total=2
        ),
    )
    for pk in (group_pk, other_pk):
        await add(
            engine,
            BroadcastRecipientRow,
            broadcast_id=campaign,
            chat_pk=pk,
            platform="telegram",
            state="queued",
        )
    await add(
        engine,
        ServerSetupRow,
        platform="telegram",
        server_id=GROUP.chat_id,
        channel_id=GROUP.chat_id,
        topics="events",
        timezone="Pacific/Chatham",
        updated_at=NOW,
    )
    await add(
        engine,
        StoredEvent,
        scope_chat_pk=group_pk,
        status="draft",
        title="Picnic",
        description="",
        place="Park",
        timezone="Pacific/Chatham",
        starts_local=datetime(2026, 12, 1, 18),
        ends_local=datetime(2026, 12, 1, 20),
        starts_at=1,
        ends_at=2,
        created_at=0,
    )
    # A campaign-wide draft the admin wrote elsewhere (a private chat): it names the admin.
    await add(
        engine,
        StoredEvent,
        scope_chat_pk=None,
        status="draft",
        title="Vigil draft",
        description="",
        place="Square",
        timezone="Pacific/Chatham",
        starts_local=datetime(2026, 12, 2, 18),
        ends_local=datetime(2026, 12, 2, 20),
        starts_at=1,
        ends_at=2,
        created_at=0,
        drafted_by=str(ADMIN),
    )
    await add(engine, ReminderLeads, chat_pk=group_pk, leads="60")
    await add(
        engine,
        PlannedReminder,
        chat_pk=group_pk,
        key="rally:event:60",
        event_id="rally",
        kind="event",
        lead=60,
        due_at=1,
        stale_at=2,
        state="sent",
    )

    erased = await store.forget_chat(GROUP, ADMIN)

    assert {k: v for k, v in erased.items() if v} == {
        "chats": 1,
        "chat_topics": 1,
        "rsvps": 1,
        "broadcasts": 2,
        "broadcast_approvals": 1,
        "broadcast_recipients": 1,
        "server_setups": 1,
        "event_drafts": 1,
        "stored_events": 1,
        "reminder_leads": 1,
        "reminder_plan": 1,
        "reminder_dirty": 1,
    }
    left = every_value(tmp_path / "erase.sqlite3")
    for gone in (
        GROUP.chat_id,
        ADMIN.chat_id,
        str(ADMIN),
        "Pacific/Chatham",
        "Picnic",
        "Vigil draft",
    ):
        assert not [v for v in left if gone in v], gone
    # The other chat and the organizer's broadcast carry on; the campaign's totals stay true.
    assert await store.get_rsvp(OTHER, "rally") is RsvpAnswer.GOING
    async with engine.connect() as connection:
        rows = (await connection.execute(select(BroadcastRow.__table__))).all()
        recipients = (await connection.execute(select(BroadcastRecipientRow.__table__))).all()
    assert [(r.id, r.approved_by, r.created_by) for r in rows] == [(campaign, None, str(OTHER))]
    assert {(r.chat_pk, r.chat_id, r.state) for r in recipients} == {
        (None, None, "gone"),
        (other_pk, None, "queued"),
    }


async def test_forget_without_anything_stored_says_so(engine: AsyncEngine) -> None:
    erased = await SqlChatStore(engine).forget_chat(GROUP, ADMIN)
    assert not any(erased.values())


async def test_a_group_admin_who_broadcast_here_is_told_what_went_in_both_languages(
    say: Say,
) -> None:
    group: dict[str, Any] = {"chat": "-100777", "user": "55", "kind": ChatKind.GROUP, "admin": True}
    for locale, expected in (("en", "Erased: 1 broadcast started"), ("ru", "Удалена 1 рассылка")):
        await say("/broadcast here now Meeting tonight", locale=locale, **group)
        reply = await say("/forget confirm", locale=locale, **group)
        assert expected in reply.text and "Nothing was stored" not in reply.text
        assert "this chat's settings" not in reply.text, "the group had no settings to erase"
    nothing = await say("/forget confirm", **group)
    assert "Nothing was stored" in nothing.text
