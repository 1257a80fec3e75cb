"""What the SQLite chat store reads, and the engine's driver under it: a new chat's first command
and first save read nothing, and what is known about stored chats stays right across restarts,
moves and erasures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.messages import Address, ChatKind
from bot.core.ports import ChatPrefs
from db.session import create_engine, upgrade
from db.stores.chats import SqlChatStore
from db.transactions import in_transaction, reading

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ALICE = Address("telegram", "1001")
BOB = Address("telegram", "1002")


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'reads.sqlite3'}")
    await upgrade(engine)
    yield engine
    await engine.dispose()


def statements(engine: AsyncEngine) -> list[str]:
    """Every SQL statement the engine runs from now on, as it is run."""
    seen: list[str] = []

    def record(_c: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement.split()[0].upper())

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    return seen


def prefs(address: Address, *topics: str) -> ChatPrefs:
    return ChatPrefs(address, ChatKind.PRIVATE, NOW, topics=frozenset(topics))


async def test_a_new_chat_is_read_and_saved_without_a_select(engine: AsyncEngine) -> None:
    store = SqlChatStore(engine)
    await store.get_chat(BOB)  # the first miss reads which chats exist, once
    seen = statements(engine)
    assert await store.get_chat(ALICE) is None
    await store.save_chat(prefs(ALICE, "events"))
    # The chat, its topic, and the overview's weekly tally of new subscriptions (an upsert).
    assert seen == ["INSERT", "INSERT", "INSERT"]
    assert await store.get_chat(ALICE) == prefs(ALICE, "events")


async def test_chats_stored_before_a_restart_are_found(engine: AsyncEngine) -> None:
    await SqlChatStore(engine).save_chat(prefs(ALICE, "events"))
    restarted = SqlChatStore(engine)
    assert await restarted.get_chat(ALICE) == prefs(ALICE, "events")
    assert await restarted.get_chat(BOB) is None
    # Saving again updates the row rather than inserting a second one.
    await restarted.save_chat(prefs(ALICE, "appeals"))
    assert await SqlChatStore(engine).get_chat(ALICE) == prefs(ALICE, "appeals")


async def test_moved_and_erased_chats_read_right(engine: AsyncEngine) -> None:
    store = SqlChatStore(engine)
    await store.save_chat(prefs(ALICE, "events"))
    assert await store.move_chat(ALICE, BOB)
    assert await store.get_chat(BOB) == replace(prefs(ALICE, "events"), address=BOB)
    assert await store.get_chat(ALICE) is None
    await store.forget_chat(BOB)
    assert await store.get_chat(BOB) is None
    await store.save_chat(prefs(BOB, "petitions"))
    assert await SqlChatStore(engine).get_chat(BOB) == prefs(BOB, "petitions")


async def test_the_driver_returns_rows_and_raises_at_the_statement(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        rows = await connection.execute(text("SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3"))
        assert [row[0] for row in rows] == [1, 2, 3]
    await SqlChatStore(engine).save_chat(prefs(ALICE))
    insert = text(
        "INSERT INTO chats (platform, chat_id, kind, active, created_at)"
        " VALUES (:p, :c, 'private', 1, '2026-11-21 12:00:00.000000')"
    )
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(insert, [{"p": "telegram", "c": "7"}])
            await connection.execute(insert, {"p": ALICE.platform, "c": ALICE.chat_id})
    # The failed transaction left nothing behind, and the connection is usable again.
    async with engine.connect() as connection:
        count = await connection.scalar(text("SELECT count(*) FROM chats"))
        assert count == 1


async def test_a_short_transaction_commits_whole_or_leaves_nothing(engine: AsyncEngine) -> None:
    """The chat store's transactions run on the driver's own thread in one trip: a statement
    failing halfway rolls back the ones before it, and the connection serves the next one."""
    insert = text(
        "INSERT INTO chats (platform, chat_id, kind, active, created_at)"
        " VALUES (:p, :c, 'private', 1, '2026-11-21 12:00:00.000000')"
    )
    await SqlChatStore(engine).save_chat(prefs(ALICE))

    def twice(connection: Connection) -> None:
        connection.execute(insert, {"p": "telegram", "c": "7"})
        connection.execute(insert, {"p": ALICE.platform, "c": ALICE.chat_id})

    with pytest.raises(IntegrityError):
        await in_transaction(engine, twice)
    count = await reading(engine, lambda c: c.scalar(text("SELECT count(*) FROM chats")))
    assert count == 1


async def test_chats_saved_at_once_are_all_stored(engine: AsyncEngine) -> None:
    """Many first subscriptions at the same moment, each on whichever pooled connection (and
    thread) is free, wait for SQLite's write lock in turn and are all kept."""
    store = SqlChatStore(engine)
    chats = [Address("telegram", str(2000 + n)) for n in range(60)]
    await asyncio.gather(*(store.save_chat(prefs(chat, "events")) for chat in chats))
    restarted = SqlChatStore(engine)
    for chat in chats:
        assert await restarted.get_chat(chat) == prefs(chat, "events")
