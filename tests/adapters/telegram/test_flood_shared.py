"""A 429 on a reply holds the bot's bulk sends too: one budget per platform (README, pacing)."""

from __future__ import annotations

import asyncio
import functools

from bot.app import Core
from tests.adapters.telegram.conftest import NewMessenger
from tests.adapters.telegram.fake_server import ALICE, FakeTelegram, private_chat, running


async def test_flood_control_on_a_reply_pauses_broadcasts_and_reminders_as_long_as_asked(
    core: Core, fake: FakeTelegram, core_messenger: NewMessenger
) -> None:
    budget = core.budgets.of("telegram")
    messenger = core_messenger(on_flood=functools.partial(core.budgets.pause, "telegram"))
    async with running(messenger, core.dispatcher.dispatch, fake):
        fake.flood("sendMessage", retry_after=1)
        asking = asyncio.create_task(fake.say(private_chat(ALICE), ALICE, "/donate"))
        async with asyncio.timeout(5):
            while not fake.calls_to("sendMessage"):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        assert budget.paused, "bulk sends wait while Telegram asked to"
        [reply] = await asking
        assert reply.text
        async with asyncio.timeout(2):
            await budget.opened()
        refused, accepted = fake.calls_to("sendMessage")[-2:]
        assert accepted.at - refused.at >= 1.0
