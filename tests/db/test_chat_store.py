"""The ChatStore contract, run against the real SQLite store and the in-memory fake alike."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest

from bot.core.messages import Address, ChatKind
from bot.core.ports import ChatPrefs, ChatStore, RsvpAnswer
from db.session import create_engine, upgrade
from db.stores.chats import SqlChatStore
from tests.support.fakes import InMemoryStore
from tests.support.postgres import Server

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ALICE = Address("telegram", "1001")
BOB = Address("discord", "123456789012345678")


@pytest.fixture(params=["sqlite", "postgresql", "memory"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ChatStore]:
    if request.param == "memory":
        yield InMemoryStore()
        return
    if request.param == "postgresql":
        server: Server = request.getfixturevalue("postgres")
        url = server.url(server.fresh_database())
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}"
    engine = create_engine(url)
    await upgrade(engine)
    yield SqlChatStore(engine)
    await engine.dispose()


def prefs(address: Address = ALICE, **changes: Any) -> ChatPrefs:
    return replace(ChatPrefs(address=address, kind=ChatKind.PRIVATE, created_at=NOW), **changes)


async def test_a_saved_chat_reads_back_exactly(store: ChatStore) -> None:
    saved = prefs(
        locale="ru",
        timezone="Europe/Berlin",
        quiet_hours=(time(23), time(7)),
        topics=frozenset({"events", "appeals"}),
    )
    await store.save_chat(saved)
    assert await store.get_chat(ALICE) == saved
    assert await store.get_chat(BOB) is None


async def test_saving_again_replaces_choices_but_keeps_the_creation_time(store: ChatStore) -> None:
    await store.save_chat(prefs(topics=frozenset({"events"})))
    later = datetime(2027, 1, 1, tzinfo=UTC)
    await store.save_chat(
        prefs(topics=frozenset({"petitions"}), quiet_hours=None, created_at=later)
    )
    chat = await store.get_chat(ALICE)
    assert chat is not None
    assert chat.topics == {"petitions"} and chat.quiet_hours is None and chat.created_at == NOW


async def test_subscribers_are_the_active_chats_of_a_topic(store: ChatStore) -> None:
    await store.save_chat(prefs(ALICE, topics=frozenset({"events", "appeals"})))
    await store.save_chat(prefs(BOB, topics=frozenset({"appeals"})))
    assert {c.address for c in await store.subscribers("appeals")} == {ALICE, BOB}
    assert [c.address for c in await store.subscribers("events")] == [ALICE]
    await store.set_active(BOB, False)
    assert [c.address for c in await store.subscribers("appeals")] == [ALICE]
    await store.set_active(BOB, True)
    assert len(await store.subscribers("appeals")) == 2


async def test_rsvps_count_per_event(store: ChatStore) -> None:
    await store.save_chat(prefs(ALICE))
    await store.save_chat(prefs(BOB))
    await store.set_rsvp(ALICE, "rally", RsvpAnswer.GOING)
    await store.set_rsvp(BOB, "rally", RsvpAnswer.MAYBE)
    await store.set_rsvp(BOB, "rally", RsvpAnswer.GOING)
    assert await store.get_rsvp(BOB, "rally") is RsvpAnswer.GOING
    assert dict(await store.rsvp_counts("rally")) == {RsvpAnswer.GOING: 2}
    assert dict(await store.rsvp_counts("other")) == {}


async def test_forget_erases_every_row_and_reports_it(store: ChatStore) -> None:
    await store.save_chat(prefs(ALICE, topics=frozenset({"events", "appeals"})))
    await store.save_chat(prefs(BOB, topics=frozenset({"events"})))
    await store.set_rsvp(ALICE, "rally", RsvpAnswer.GOING)
    erased = await store.forget_chat(ALICE)
    # Tables that later features add count too; these three are the ChatStore's own.
    assert {k: erased[k] for k in ("chats", "chat_topics", "rsvps")} == {
        "chats": 1,
        "chat_topics": 2,
        "rsvps": 1,
    }
    assert await store.get_chat(ALICE) is None
    assert await store.get_rsvp(ALICE, "rally") is None
    assert [c.address for c in await store.subscribers("events")] == [BOB]
    assert not any((await store.forget_chat(ALICE)).values())


async def test_campaign_links_are_counted_without_anybody_attached(store: ChatStore) -> None:
    await store.count_campaign_start("pride2027")
    await store.count_campaign_start("pride2027")
    if isinstance(store, SqlChatStore):
        assert await store.campaign_starts() == {"pride2027": 2}


async def test_the_database_file_holds_no_names_or_message_text(tmp_path: Path) -> None:
    """What is on disk: ids, choices and times only."""
    path = tmp_path / "audit.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    await engine.dispose()
    columns = set()
    with sqlite3.connect(path) as db:
        for (table,) in db.execute("select name from sqlite_master where type='table'"):
            columns |= {f"{table}.{row[1]}" for row in db.execute(f"pragma table_info({table})")}
    forbidden = ("name", "username", "phone", "text", "message", "first", "last")
    assert not [c for c in columns if any(f in c.split(".")[1] for f in forbidden)], columns
    with sqlite3.connect(path) as db:
        assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
