"""Discord split across processes (README, "Scaling out"): a gateway process may hold one shard of
many, and a sender process without the discord role sends over REST without any gateway."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from bot.adapters.discord import DiscordMessenger, build_discord
from bot.app import Core
from bot.core.messages import Reply
from bot.core.ports import TryLater
from bot.settings import Settings
from tests.adapters.discord.conftest import Bot
from tests.adapters.discord.fake_server import FakeDiscord


async def test_a_gateway_process_identifies_as_its_own_shard(bot: Bot) -> None:
    assert bot.fake.shards[-1] is None  # one connection for every server by default
    await bot.stop()
    await bot.start(shard=(1, 3))
    assert bot.fake.shards[-1] == [1, 3]


async def test_a_sender_only_process_sends_without_the_gateway(
    core: Core, fake: FakeDiscord
) -> None:
    messenger = DiscordMessenger(
        fake.token, core.registry, core.translator, core.server_setups, outbound_only=True
    )
    task = asyncio.create_task(messenger.run(core.dispatcher.dispatch))
    channel = str(fake.guild.channels["general"])
    try:
        async with asyncio.timeout(10):
            while True:
                try:
                    await messenger.send(
                        SimpleNamespace(platform="discord", chat_id=channel),  # type: ignore[arg-type]
                        Reply("Rally on Saturday"),
                    )
                    break
                except TryLater:
                    await asyncio.sleep(0.05)  # logging in over REST
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert [m["content"] for m in fake.channel_messages[int(channel)]] == ["Rally on Saturday"]
    assert fake.identify_count == 0  # it never opened the gateway


def test_only_the_first_shard_uploads_the_slash_commands(core: Core) -> None:
    def built(**settings: object) -> DiscordMessenger:
        parts = SimpleNamespace(
            settings=Settings(_env_file=None, discord_bot_token="abc.def", **settings),  # type: ignore[arg-type]
            registry=core.registry,
            translator=core.translator,
            server_setups=core.server_setups,
            server_probes={},
            chat_events=core.chat_events,
        )
        return build_discord(parts)

    assert built().sync_on_start and built().shard is None
    first = built(discord_shard_id=0, discord_shard_count=2)
    second = built(discord_shard_id=1, discord_shard_count=2)
    assert (first.shard, first.sync_on_start) == ((0, 2), True)
    assert (second.shard, second.sync_on_start) == ((1, 2), False)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"discord_shard_id": 0}, "together"),
        ({"discord_shard_count": 2}, "together"),
        ({"discord_shard_id": 2, "discord_shard_count": 2}, "0 to 1"),
    ],
)
def test_shard_settings_are_refused_with_a_clear_line(values: dict[str, int], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(_env_file=None, **values)  # type: ignore[arg-type]
