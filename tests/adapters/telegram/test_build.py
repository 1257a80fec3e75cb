"""build_telegram: the composition root's settings become the running Telegram messenger."""

from __future__ import annotations

import dataclasses
import re

import pytest

from bot.adapters.telegram import build_telegram
from bot.app import Core
from bot.settings import Settings
from tests.adapters.telegram.fake_server import BORIS, TOKEN, FakeTelegram, private_chat, running

CYRILLIC = re.compile("[а-яА-ЯёЁ]")


async def test_the_composition_roots_settings_point_the_bot_at_a_self_hosted_api_server(
    core: Core, fake: FakeTelegram
) -> None:
    root = fake.base_url.removesuffix("/bot")  # as a self-hosted server is usually given
    settings = core.settings.model_copy(update={"telegram_api_base_url": root})
    messenger = build_telegram(dataclasses.replace(core, settings=settings))
    async with running(messenger, core.dispatcher.dispatch, fake):
        [reply] = await fake.say(private_chat(BORIS), BORIS, "/remember")
    assert reply.text is not None and CYRILLIC.search(reply.text)
    methods = [c.method for c in fake.calls]
    assert methods[:2] == ["getMe", "deleteWebhook"]
    first_poll = fake.calls_to("getUpdates")[0]
    assert methods.index("getUpdates") > 1 and first_poll.params["timeout"] == 10, "long polling"


async def test_the_broadcast_rate_setting_reaches_the_messenger(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROADCAST_TELEGRAM_RATE", "28")
    configured = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=TOKEN,  # type: ignore[arg-type]
    )
    assert configured.broadcast_telegram_rate == 28
    assert build_telegram(dataclasses.replace(core, settings=configured)).pacing.rate == 28


async def test_a_broadcast_rate_above_telegrams_ceiling_is_capped_at_30(core: Core) -> None:
    # Settings refuse more than 30 already; the messenger holds the line on its own as well.
    too_fast = core.settings.model_copy(update={"broadcast_telegram_rate": 500})
    assert build_telegram(dataclasses.replace(core, settings=too_fast)).pacing.rate == 30
