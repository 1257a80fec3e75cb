"""Migrations on SQLite and PostgreSQL: from empty to head with the schema the models describe,
the triggers that mark chats for re-planning and stamp finished broadcasts working on both, and
on PostgreSQL several processes starting at once migrating one after another."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from db.dialect import MIGRATION_LOCK
from db.models.base import Base
from db.models.broadcasts import BroadcastRow
from db.models.chats import Chat, ChatTopic, Rsvp
from db.models.events import ReminderDirty, ReminderLeads
from db.session import alembic_config, create_engine, upgrade
from tests.support.postgres import Server

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
# Long enough for an upgrade that is not blocked to finish, short for one that waits on the lock.
BLOCKED_FOR = 3.0


async def heads_applied(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
        return {row[0] for row in rows}


def all_heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


async def test_upgrade_reaches_every_head_with_the_modelled_schema(engine: AsyncEngine) -> None:
    assert await heads_applied(engine) == all_heads()
    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    # Indexes and tables only: column type spellings differ harmlessly between the dialects.
    structural = [d for d in differences if isinstance(d, tuple) and d[0].endswith("_index")]
    structural += [d for d in differences if isinstance(d, tuple) and d[0].endswith("_table")]
    assert structural == []
    await upgrade(engine)  # a second start finds nothing left to do
    assert await heads_applied(engine) == all_heads()


async def dirty(engine: AsyncEngine) -> set[int]:
    async with engine.connect() as connection:
        return set((await connection.scalars(select(ReminderDirty.chat_pk))).all())


async def clear(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(ReminderDirty.__table__.delete())


async def test_changes_a_plan_depends_on_mark_the_chat_for_replanning(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        chat = {"platform": "telegram", "kind": "private", "locale": "en", "timezone": "UTC"}
        values = {**chat, "active": True, "discreet": False, "created_at": NOW}
        first = (
            await connection.execute(insert(Chat).values(chat_id="1", **values))
        ).inserted_primary_key
        other = (
            await connection.execute(insert(Chat).values(chat_id="2", **values))
        ).inserted_primary_key
    pk, other_pk = first[0], other[0]
    assert await dirty(engine) == set()
    steps = [
        insert(ChatTopic).values(chat_pk=pk, topic="events"),
        ChatTopic.__table__.delete().where(ChatTopic.chat_pk == pk),
        insert(Rsvp).values(chat_pk=pk, event_id="e1", answer="going"),
        update(Rsvp).where(Rsvp.chat_pk == pk).values(answer="maybe"),
        Rsvp.__table__.delete().where(Rsvp.chat_pk == pk),
        insert(ReminderLeads).values(chat_pk=pk, leads="60"),
        update(ReminderLeads).where(ReminderLeads.chat_pk == pk).values(leads="30"),
        update(Chat).where(Chat.id == pk).values(timezone="Europe/Moscow"),
        update(Chat).where(Chat.id == pk).values(quiet_start=60, quiet_end=420),
        update(Chat).where(Chat.id == pk).values(active=False),
    ]
    for step in steps:
        async with engine.begin() as connection:
            await connection.execute(step)
        assert await dirty(engine) == {pk}, step
        await clear(engine)
    # A change the plan does not depend on marks nothing; nor does writing the same zone again.
    async with engine.begin() as connection:
        await connection.execute(update(Chat).where(Chat.id == pk).values(locale="ru"))
        await connection.execute(update(Chat).where(Chat.id == pk).values(timezone="Europe/Moscow"))
    assert await dirty(engine) == set()
    assert other_pk not in await dirty(engine)


async def test_a_finished_broadcast_is_stamped_by_the_database(engine: AsyncEngine) -> None:
    row = {
        "state": "sending",
        "audience": "events",
        "body": "Rally",
        "links": "[]",
        "origin_platform": "telegram",
        "origin_chat_id": "1",
        "locale": "en",
        "created_at": NOW,
        "total": 0,
    }
    async with engine.begin() as connection:
        key = (await connection.execute(insert(BroadcastRow).values(**row))).inserted_primary_key
        stamp = select(BroadcastRow.finished_at).where(BroadcastRow.id == key[0])
        assert await connection.scalar(stamp) is None
        await connection.execute(
            update(BroadcastRow).where(BroadcastRow.id == key[0]).values(state="done")
        )
        finished = await connection.scalar(stamp)
    assert isinstance(finished, int)
    assert abs(finished - datetime.now(UTC).timestamp()) < 120


async def test_postgres_upgrades_started_at_once_wait_for_each_other(postgres: Server) -> None:
    url = postgres.url(postgres.fresh_database())
    engines = [create_engine(url) for _ in range(3)]
    holder = create_engine(url)
    try:
        async with holder.connect() as connection:
            # Another process is migrating: every upgrade waits for its lock…
            await connection.execute(text(f"SELECT pg_advisory_lock({MIGRATION_LOCK})"))
            started = [asyncio.create_task(upgrade(engine)) for engine in engines]
            done, _ = await asyncio.wait(started, timeout=BLOCKED_FOR)
            assert done == set()
            await connection.execute(text(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
            await connection.commit()
        # …then they migrate one after another, the later ones finding nothing to do.
        async with asyncio.timeout(60):
            await asyncio.gather(*started)
        assert await heads_applied(engines[0]) == all_heads()
    finally:
        for engine in (*engines, holder):
            await engine.dispose()


async def test_two_transactions_marking_one_chat_both_commit(engine: AsyncEngine) -> None:
    """On PostgreSQL both can find the chat not yet queued; the second must not fail for it."""
    async with engine.begin() as connection:
        chat = {"platform": "telegram", "chat_id": "1", "kind": "private", "locale": "en"}
        values = {**chat, "timezone": "UTC", "active": True, "discreet": False, "created_at": NOW}
        pk = (await connection.execute(insert(Chat).values(**values))).inserted_primary_key[0]
    await clear(engine)
    async with engine.connect() as first, engine.connect() as second:
        await first.execute(insert(ChatTopic).values(chat_pk=pk, topic="events"))
        if engine.dialect.name == "postgresql":
            # The second sees no queued row yet (the first has not committed) and waits for it.
            waiting = asyncio.create_task(
                second.execute(insert(ChatTopic).values(chat_pk=pk, topic="news"))
            )
            await asyncio.sleep(0.5)
            await first.commit()
            async with asyncio.timeout(10):
                await waiting
            await second.commit()
        else:
            # SQLite lets one writer at a time: the second transaction starts after the first.
            await first.commit()
            await second.execute(insert(ChatTopic).values(chat_pk=pk, topic="news"))
            await second.commit()
    assert await dirty(engine) == {pk}
