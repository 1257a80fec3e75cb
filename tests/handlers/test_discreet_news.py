"""Discreet mode for a broadcast's news to its writer (approved, progress, finished) and for
approval requests to an organizer whose private chat is not their user id (a Discord DM).

The real core on SQLite and PostgreSQL, its own broadcast service sending to recording messengers.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from bot.app import Core
from bot.core.broadcast.values import BroadcastState
from bot.core.messages import ActionButton, Reply
from bot.settings import Settings
from tests.handlers.test_discreet import NEUTRAL_EN, NEUTRAL_RU, show_of
from tests.support.broadcast import FakeMessenger, add_subscribers, bot_of
from tests.support.settings import settings_on

SECRET = "Secret plan for Saturday"
DONE = BroadcastState.DONE


@pytest.fixture
def settings(migrated_database_url: str) -> Settings:
    return settings_on(
        migrated_database_url, organizers="console:organizer,console:second,discord:4242"
    )


def button(reply: Reply, command: str) -> ActionButton:
    return next(b for b in reply.buttons if isinstance(b, ActionButton) and b.command == command)


async def until_sent(messenger: FakeMessenger, chat_id: str, count: int) -> list[Reply]:
    async with asyncio.timeout(10):
        while len(messenger.to(chat_id)) < count:  # noqa: ASYNC110 - the fake only records
            await asyncio.sleep(0.01)
    return messenger.to(chat_id)


async def settled(messenger: FakeMessenger, chat_id: str, quiet_s: float = 2.0) -> list[Reply]:
    """What `chat_id` got once nothing more came for `quiet_s` (past one chat's spacing)."""
    async with asyncio.timeout(15):
        while True:
            count = len(messenger.to(chat_id))
            await asyncio.sleep(quiet_s)
            if len(messenger.to(chat_id)) == count:
                return messenger.to(chat_id)


async def test_a_writers_news_in_a_discreet_chat_is_neutral_and_show_gives_its_state(
    core: Core,
) -> None:
    bot = bot_of(core)
    console = bot.messengers["console"]
    # The writer's and the approver's private chats are discreet; the writer's in Russian.
    await bot.say("/settings", "discreet", "on", chat="organizer")
    await bot.say("/settings", "language", "ru", chat="organizer")
    await bot.say("/settings", "discreet", "on", chat="second")
    await add_subscribers(core.engine, "console", [f"c{i}" for i in range(3)])
    core.broadcasts.second_approval_above = 1
    preview = await bot.say("/broadcast events now " + SECRET, locale="ru")
    # The preview the writer asked for is in full, but protected like every reply there.
    [exact] = console.to("organizer")
    assert exact.text == SECRET and exact.protect
    await bot.say("/bcsend", *button(preview, "bcsend").args, locale="ru")

    [asked] = await until_sent(console, "second", 1)
    assert asked.text == NEUTRAL_EN and asked.protect
    shown = await bot.say("/show", *show_of(asked), chat="second")
    await bot.say("/approve", *button(shown, "approve").args, chat="second")

    task = asyncio.create_task(core.broadcasts.run())
    try:
        async with asyncio.timeout(10):
            # The store is polled: the service tells its progress through nothing else.
            while (info := await core.broadcasts.get(1)) is None or info.state is not DONE:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        # The finished report follows the state, after the chat's one-a-second spacing.
        news = (await settled(console, "organizer"))[1:]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    # Approved, then finished (perhaps a progress report between): each only the neutral
    # line in the writer's language, protected, with Show; never the broadcast's numbers.
    assert len(news) >= 2
    assert all(n.text == NEUTRAL_RU and n.protect for n in news), news
    assert all(SECRET not in n.text and "#" not in n.text for n in news)
    shown = await bot.say("/show", *show_of(news[-1]), locale="ru")
    assert shown.edits and shown.protect
    assert shown.text.startswith("#1 ") and "завершена" in shown.text, shown.text
    # A person who is neither its writer nor an organizer learns nothing from it.
    stranger = await bot.say("/show", *show_of(news[-1]), chat="stranger")
    assert "#1" not in stranger.text and "no longer available" in stranger.text


@dataclass
class DirectMessenger(FakeMessenger):
    """A platform where a person's private chat is a channel the bot opens (Discord's DMs)."""

    opened: dict[str, str] = field(default_factory=dict)

    async def direct_chat(self, user_id: str) -> str:
        return self.opened.setdefault(user_id, f"dm-{user_id}")


async def test_an_approval_request_goes_to_the_organizers_dm_and_follows_its_choice(
    core: Core,
) -> None:
    bot = bot_of(core, platforms=("console",))
    discord = DirectMessenger("discord")
    core.outbox["discord"] = discord
    # The Discord organizer chose discreet mode in their DM with the bot: that channel's row.
    await bot.say("/settings", "discreet", "on", chat="dm-4242", user="4242", platform="discord")
    await add_subscribers(core.engine, "console", [f"c{i}" for i in range(3)])
    core.broadcasts.second_approval_above = 1
    preview = await bot.say("/broadcast events now " + SECRET)
    await bot.say("/bcsend", *button(preview, "bcsend").args)

    [asked] = discord.to("dm-4242")
    assert asked.text == NEUTRAL_EN and asked.protect
    assert not discord.to("4242") and not discord.to("user:4242")
    shown = await bot.say("/show", *show_of(asked), chat="dm-4242", user="4242", platform="discord")
    assert SECRET in shown.text
    # The console organizer's own chat chose nothing: the request is there in full.
    [full] = bot.messengers["console"].to("second")
    assert SECRET in full.text and not full.protect
