"""A broadcast through the real Discord adapter (discord.py) against the fake Discord server.

Each server channel gets one post and each opted-in DM one message; every send carries a nonce
that is the same when the same message goes to the same chat again (after a crash), with
enforce_nonce, so Discord itself drops the repeat.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.adapters.discord.messenger import DiscordMessenger
from bot.app import Core
from bot.core.broadcast.service import BroadcastService
from bot.core.broadcast.values import BroadcastState, DeliveryState, Message, NewBroadcast
from bot.core.messages import Address, ChatKind, UrlButton
from db.stores.broadcasts import SqlBroadcastStore
from db.stores.setups import SqlServerSetups
from tests.adapters.discord.fake_server import FakeDiscord
from tests.support.broadcast import add_subscribers


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    server.patch(monkeypatch)
    yield server
    await server.stop()


async def test_a_broadcast_through_the_discord_adapter_carries_stable_nonces(
    core: Core, fake: FakeDiscord
) -> None:
    general = fake.guild.channels["general"]
    dm = fake.dm_channel_id
    await add_subscribers(core.engine, "discord", [str(general)], kind=ChatKind.GROUP)
    await add_subscribers(core.engine, "discord", [str(dm)])
    discord = DiscordMessenger(
        fake.token, core.registry, core.translator, SqlServerSetups(core.engine)
    )
    running = asyncio.create_task(discord.run(core.dispatcher.dispatch))
    await fake.wait_identified()
    store = SqlBroadcastStore(core.engine)
    service = BroadcastService(
        store, {"discord": discord}, core.translator, core.deps.clock, core.chat_events, poll_s=0.05
    )
    organizer = Address("console", "organizer")
    message = Message("Rally *Saturday* @everyone", (UrlButton("Map", "https://example.org/m"),))
    info = await service.draft(NewBroadcast("events", message, organizer, "en", organizer, None))
    await service.confirm(info.id)
    task = asyncio.create_task(service.run())
    try:
        async with asyncio.timeout(15):
            while (await service.get(info.id)).state is not BroadcastState.DONE:  # type: ignore[union-attr]  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        done = await service.get(info.id)
        assert done is not None and done.counts == {DeliveryState.SENT: 2}
        [post] = fake.channel_messages[general]
        [direct] = fake.channel_messages[dm]
        for sent in (post, direct):
            assert "Saturday" in sent["content"]
            assert sent["nonce"] and len(sent["nonce"]) <= 25
            assert sent["enforce_nonce"] is True
        assert post["nonce"] != direct["nonce"]

        # The message sent again to the same channel (as after a crash) has the same nonce.
        await discord.send(Address("discord", str(general)), message.reply())
        again = fake.channel_messages[general][-1]
        assert again["nonce"] == post["nonce"]
    finally:
        task.cancel()
        running.cancel()
        await asyncio.gather(task, running, return_exceptions=True)
