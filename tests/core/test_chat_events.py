"""ChatEvents on the real stores: a chat that blocks the bot is erased, a server channel that
lost a permission stays marked broken, and only the content's campaign tags are counted; on
SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.chats import ChatEvents
from bot.core.messages import Address, ChatKind
from bot.core.ports import ChatPrefs, RecipientGone, RsvpAnswer
from bot.core.server_setup import ServerSetup
from content.loader import load_campaign
from content.schema import Remembrance
from db.models.chats import CampaignStart
from db.session import create_engine, upgrade
from db.stores.chats import SqlChatStore
from db.stores.setups import SqlServerSetups

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
BLOCKED = Address("telegram", "5550001234")
CHANNEL = Address("discord", "123456789012345678")
SERVER = "876543210987654321"


@dataclass
class World:
    events: ChatEvents
    store: SqlChatStore
    setups: SqlServerSetups
    engine: AsyncEngine


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    engine = create_engine(database_url)
    await upgrade(engine)
    store, setups = SqlChatStore(engine), SqlServerSetups(engine)
    yield World(ChatEvents(store, setups, ("pride2026", "remembrance")), store, setups, engine)
    await engine.dispose()


async def subscribed(world: World, address: Address, kind: ChatKind) -> None:
    prefs = ChatPrefs(address, kind, NOW, timezone="Pacific/Chatham", topics=frozenset({"events"}))
    await world.store.save_chat(prefs)
    await world.store.set_rsvp(address, "rally", RsvpAnswer.GOING)


async def test_a_chat_that_blocks_the_bot_is_erased_not_only_switched_off(world: World) -> None:
    await subscribed(world, BLOCKED, ChatKind.PRIVATE)
    await world.events.gone(BLOCKED, RecipientGone())
    assert await world.store.get_chat(BLOCKED) is None
    assert await world.store.get_rsvp(BLOCKED, "rally") is None
    assert await world.store.rsvp_counts("rally") == {}
    # Coming back starts afresh: there is nothing left to switch on.
    await world.events.returned(BLOCKED)
    assert await world.store.subscribers("events") == []


async def test_a_chat_reported_gone_without_a_reason_is_erased_too(world: World) -> None:
    await subscribed(world, BLOCKED, ChatKind.PRIVATE)
    await world.events.gone(BLOCKED)
    assert await world.store.get_chat(BLOCKED) is None


async def test_a_channel_that_lost_a_permission_stays_marked_broken(world: World) -> None:
    await subscribed(world, CHANNEL, ChatKind.GROUP)
    setup = ServerSetup("discord", SERVER, CHANNEL.chat_id, frozenset({"events"}), None, None)
    await world.setups.save_setup(setup)
    await world.events.gone(CHANNEL, RecipientGone(reason="missing:Send Messages"))
    # Kept so the server's admins can be told what to fix, but sent nothing.
    assert await world.store.get_chat(CHANNEL) is not None
    assert await world.store.subscribers("events") == []
    stored = await world.setups.get_setup("discord", SERVER)
    assert stored is not None and stored.broken_reason == "missing:Send Messages"


async def test_a_moved_chat_keeps_its_choices_at_the_new_address(world: World) -> None:
    old, new = Address("telegram", "-7399990002"), Address("telegram", "-1007399990002")
    await subscribed(world, old, ChatKind.GROUP)
    await world.events.gone(old, RecipientGone(moved_to=new))
    assert await world.store.get_chat(old) is None
    moved = await world.store.get_chat(new)
    assert moved is not None and moved.topics == {"events"}


async def test_only_the_contents_campaign_tags_are_counted(world: World) -> None:
    for index in range(1000):
        await world.events.link_opened(f"made-up-{index}")
    await world.events.link_opened("pride2026")
    await world.events.link_opened("pride2026")
    assert await world.store.campaign_starts() == {"pride2026": 2}
    async with world.engine.connect() as connection:
        rows = await connection.scalar(select(func.count()).select_from(CampaignStart))
    assert rows == 1, "1,000 unknown tags left no row"


def test_the_packaged_content_declares_its_campaign_tags() -> None:
    tags = load_campaign().campaign_tags
    assert tags and all(0 < len(tag) <= 64 for tag in tags)


@pytest.mark.parametrize(
    "tags",
    [
        ["has space"],
        ["ünïcode"],
        ["x" * 65],
        [""],
        ["pride", "pride"],
        [f"t{i}" for i in range(51)],
    ],
)
def test_campaign_tags_are_a_few_short_distinct_words(tags: list[str]) -> None:
    remembrance = load_campaign().remembrance.model_dump()
    with pytest.raises(ValidationError):
        Remembrance.model_validate({**remembrance, "campaign_tags": tags})
