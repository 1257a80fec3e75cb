"""/setup on Discord end to end, and what happens when its announcement channel stops working:
the adapter says why in RecipientGone, the core marks the setup broken, and admins are told."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.broadcast.values import DeliveryState, Message
from bot.core.messages import Reply, Request
from bot.core.ports import RecipientGone
from tests.adapters.discord.conftest import EPHEMERAL, Bot, answer, broadcast, set_up
from tests.adapters.discord.fake_payloads import VIEW_CHANNEL


async def test_setup_by_an_admin_subscribes_the_chosen_channel(bot: Bot) -> None:
    fake, core = bot.fake, bot.core
    message = await set_up(
        bot, "announcements", topics="events, petitions", timezone="Europe/Berlin"
    )
    assert message["flags"] & EPHEMERAL
    assert "#announcements" in message["content"]
    channel = bot.channel("announcements")
    stored = await core.server_setups.get_setup("discord", str(fake.guild.id))
    assert stored is not None and stored.channel_id == channel.chat_id
    assert stored.topics == {"events", "petitions"} and stored.timezone == "Europe/Berlin"
    subscribers = await core.store.subscribers("events")
    assert channel in {s.address for s in subscribers}

    shown = await answer(fake, await fake.slash("setup", {"action": "show"}, admin=True))
    assert "#announcements" in shown["content"] and "Europe/Berlin" in shown["content"]
    off = await answer(fake, await fake.slash("setup", {"action": "off"}, admin=True))
    assert "off" in off["content"]
    assert await core.server_setups.get_setup("discord", str(fake.guild.id)) is None
    assert await core.store.get_chat(channel) is None


async def test_the_servers_time_zone_is_the_default_for_commands_there(bot: Bot) -> None:
    await set_up(bot, "announcements", timezone="Asia/Tokyo")
    seen: list[Request] = []

    async def recording(request: Request) -> Reply | None:
        seen.append(request)
        return await bot.core.dispatcher.dispatch(request)

    await bot.stop()
    await bot.start(recording)
    await answer(bot.fake, await bot.fake.slash("events"))
    await answer(bot.fake, await bot.fake.slash("events", in_guild=False))
    assert [r.tz for r in seen] == ["Asia/Tokyo", None]


async def test_setup_is_refused_for_a_member_without_manage_server(bot: Bot) -> None:
    interaction = await bot.fake.slash(
        "setup", admin=False, channel_options={"channel": "announcements"}
    )
    message = await answer(bot.fake, interaction)
    assert "admin" in message["content"].lower()
    assert await bot.core.server_setups.get_setup("discord", str(bot.fake.guild.id)) is None


@pytest.mark.parametrize(
    ("channel", "permission"), [("read-only", "Send Messages"), ("hidden", "View Channel")]
)
async def test_setup_names_the_permission_the_bot_lacks(
    bot: Bot, channel: str, permission: str
) -> None:
    message = await set_up(bot, channel)
    assert permission in message["content"]
    assert await bot.core.server_setups.get_setup("discord", str(bot.fake.guild.id)) is None


async def test_setup_in_a_dm_says_where_to_use_it(bot: Bot) -> None:
    message = await answer(bot.fake, await bot.fake.slash("setup", in_guild=False))
    assert "server" in message["content"]


# ---- a channel that stops working ---------------------------------------------------------


async def test_a_lost_permission_marks_the_setup_broken_and_admins_hear_of_it(bot: Bot) -> None:
    fake, core = bot.fake, bot.core
    await set_up(bot, "announcements")
    channel = bot.channel("announcements")
    # An admin hides the channel from the bot; Discord refuses the next post there.
    await fake.deny("announcements", VIEW_CHANNEL)
    async with asyncio.timeout(5):
        while not bot.running.probe.missing_in_channel(channel.chat_id):  # noqa: ASYNC110
            await asyncio.sleep(0.01)  # until discord.py's cache has the change
    fake.fail(rf"/channels/{channel.chat_id}/messages", 403, 50001, "Missing Access")

    done = await broadcast(core, bot.running, Message("News"))

    assert done.counts == {DeliveryState.GONE: 1}
    stored = await core.server_setups.get_setup("discord", str(fake.guild.id))
    assert stored is not None and stored.broken_reason == "missing:View Channel"
    shown = await answer(fake, await fake.slash("setup", admin=True))
    assert "stopped" in shown["content"] and "View Channel" in shown["content"]


async def test_an_unknown_channel_marks_the_setup_broken_through_the_core(bot: Bot) -> None:
    fake, core = bot.fake, bot.core
    await set_up(bot, "announcements")
    channel = bot.channel("announcements")
    fake.fail(rf"/channels/{channel.chat_id}/messages", 404, 10003, "Unknown Channel")
    with pytest.raises(RecipientGone) as gone:
        await bot.running.send(channel, Reply("News"))
    assert gone.value.reason == "unknown_channel"
    # The adapter only reported it: nothing stored changed until the core hears of it.
    stored = await core.server_setups.get_setup("discord", str(fake.guild.id))
    assert stored is not None and stored.broken_reason is None

    await core.chat_events.gone(channel, gone.value)

    stored = await core.server_setups.get_setup("discord", str(fake.guild.id))
    assert stored is not None and stored.broken_reason == "unknown_channel"
    assert channel not in {s.address for s in await core.store.subscribers("events")}
