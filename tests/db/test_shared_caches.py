"""Two stores on one PostgreSQL database, as two processes would hold them: what one writes, the
other reads at once (no per-process cache to go stale). On SQLite (one process) the caches stay."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event

from bot.core.messages import Address, ChatKind
from bot.core.ports import ChatPrefs
from bot.core.reminders.values import EventDraft
from db.session import create_engine, upgrade
from db.stores.chats import SqlChatStore
from db.stores.events import SqlEventStore
from tests.support.postgres import Server

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ALICE = Address("telegram", "1001")
GROUP = Address("telegram", "-100")
DRAFT = EventDraft(
    "Rally", datetime(2026, 12, 5, 14), datetime(2026, 12, 5, 16), "UTC", "Square", "Come."
)


async def test_preferences_written_by_one_process_are_read_by_the_other(
    postgres: Server,
) -> None:
    url = postgres.url(postgres.fresh_database())
    first, second = create_engine(url), create_engine(url)
    try:
        await upgrade(first)
        a, b = SqlChatStore(first), SqlChatStore(second)
        # B looks first: "no such chat" must not stick once A saves it.
        assert await b.get_chat(ALICE) is None
        await a.save_chat(ChatPrefs(ALICE, ChatKind.PRIVATE, NOW, timezone="Europe/Berlin"))
        seen = await b.get_chat(ALICE)
        assert seen is not None and seen.timezone == "Europe/Berlin"
        await a.save_chat(ChatPrefs(ALICE, ChatKind.PRIVATE, NOW, timezone="Asia/Tokyo"))
        seen = await b.get_chat(ALICE)
        assert seen is not None and seen.timezone == "Asia/Tokyo"
        # B saves on top of what A wrote: an update of A's row, not a second insert.
        await b.save_chat(ChatPrefs(ALICE, ChatKind.PRIVATE, NOW, topics=frozenset({"news"})))
        seen = await a.get_chat(ALICE)
        assert seen is not None and seen.topics == frozenset({"news"})
        await a.forget_chat(ALICE)
        assert await b.get_chat(ALICE) is None
    finally:
        await first.dispose()
        await second.dispose()


async def test_events_and_lead_times_written_by_one_process_are_read_by_the_other(
    postgres: Server,
) -> None:
    url = postgres.url(postgres.fresh_database())
    first, second = create_engine(url), create_engine(url)
    try:
        await upgrade(first)
        await SqlChatStore(first).save_chat(ChatPrefs(GROUP, ChatKind.GROUP, NOW))
        a, b = SqlEventStore(first), SqlEventStore(second)
        assert await b.visible(GROUP, NOW, past=False) == []
        assert await b.leads(GROUP) != (60,)
        draft = await a.save_draft(DRAFT, GROUP, NOW)
        assert await a.confirm(draft.id, NOW) is not None
        await a.set_leads(GROUP, (60,))
        assert [e.id for e in await b.visible(GROUP, NOW, past=False)] == [draft.id]
        assert await b.leads(GROUP) == (60,)
        await a.cancel(draft.id, NOW)
        assert await b.visible(GROUP, NOW, past=False) == []
    finally:
        await first.dispose()
        await second.dispose()


async def test_sqlite_keeps_its_cache(tmp_path: Path) -> None:
    """The one-process case: a repeated read is served from memory (no statement)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'allybot.sqlite3'}")
    await upgrade(engine)
    store = SqlChatStore(engine)
    await store.save_chat(ChatPrefs(ALICE, ChatKind.PRIVATE, NOW))
    statements: list[str] = []

    def count(_connection: object, _cursor: object, sql: str, *_: object) -> None:
        statements.append(sql)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        assert await store.get_chat(ALICE) is not None
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
        await engine.dispose()
    assert statements == []
