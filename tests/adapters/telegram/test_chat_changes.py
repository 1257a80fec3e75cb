"""What Telegram tells about a chat changes what is stored, through the core's ChatEvents.

A campaign link opened, the bot blocked or added back, a reply that finds the chat gone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.adapters.telegram import TelegramMessenger
from bot.app import Core
from tests.adapters.telegram.fake_server import (
    ALICE,
    BORIS,
    FakeTelegram,
    eventually,
    private_chat,
)


def negated(check: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[bool]]:
    async def negation() -> bool:
        return not await check()

    return negation


async def test_a_deep_link_start_is_counted_in_aggregate_and_greets(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    [greeting] = await fake.say(private_chat(ALICE), ALICE, "/start pride2026")
    await fake.say(private_chat(BORIS), BORIS, "/start pride2026")
    assert greeting.text is not None and greeting.text.startswith("Hello!")
    assert await core.store.campaign_starts() == {"pride2026": 2}


async def test_blocking_the_bot_deactivates_the_chat_and_unblocking_restores_it(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    chat = private_chat(ALICE)
    await fake.say(chat, ALICE, "/subscribe events")

    async def subscribed() -> bool:
        return bool(await core.store.subscribers("events"))

    fake.membership(chat, ALICE, "kicked")
    await eventually(negated(subscribed))
    fake.membership(chat, ALICE, "member")
    await eventually(subscribed)


async def test_a_forbidden_reply_deactivates_the_chat(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    chat = private_chat(BORIS)
    await fake.say(chat, BORIS, "/subscribe petitions")
    fake.block(BORIS["id"])  # blocked, and Telegram's my_chat_member update got lost
    fake.message(chat, BORIS, "/donate")
    await fake.wait_until(lambda: fake.calls_to("sendMessage")[-1].status == 403)
    await eventually(negated(lambda: core.store.subscribers("petitions")))
    [ok] = await fake.say(private_chat(ALICE), ALICE, "/help")
    assert ok.text, "the bot keeps serving everyone else"
