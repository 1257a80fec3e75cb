"""The preview of a campaign-wide broadcast says what Telegram's paid lane costs and takes,
before Confirm, in the organizer's language; without the paid lane it says nothing of Stars."""

from __future__ import annotations

import pytest

from bot.app import Core
from bot.core.i18n import grouped, ngettext_for
from bot.core.messages import ChatKind
from bot.core.ports import PlatformPacing
from handlers.broadcast.texts import duration_text
from tests.support.broadcast import Bot, add_subscribers, bot_of

NBSP = "\u00a0"
GROUP = {"chat": "-100777", "kind": ChatKind.GROUP, "platform": "telegram", "admin": True}


@pytest.fixture
async def bot(core: Core) -> Bot:
    bot = bot_of(core)
    # 12,345 Telegram chats (12,000 English, 345 Russian) and 3 on Discord, all on events.
    await add_subscribers(core.engine, "telegram", [f"t{n}" for n in range(12_000)])
    await add_subscribers(core.engine, "telegram", [f"r{n}" for n in range(345)], locale="ru")
    await add_subscribers(core.engine, "discord", ["d1", "d2", "d3"])
    return bot


def paid_lane(bot: Bot, rate: float = 1000) -> None:
    """What the Telegram adapter declares with BROADCAST_TELEGRAM_PAID=true."""
    bot.messengers["telegram"].pacing = PlatformPacing(rate=25, hard_cap=30, paid_rate=rate)


async def test_the_preview_states_the_stars_and_the_duration_at_the_paid_rate(bot: Bot) -> None:
    paid_lane(bot)
    preview = await bot.say("/broadcast events Rally at the embassy on Saturday")
    assert (
        "Paid broadcast on Telegram: at most 1,235 Telegram Stars from the bot's balance, "
        "about 13 seconds (1,000 messages a second)."
    ) in preview.text
    lines = preview.text.splitlines()
    assert lines.index(next(line for line in lines if line.startswith("Paid"))) < lines.index(
        "Nothing is sent until you press Confirm."
    ), "the cost comes before Confirm"
    assert not bot.messengers["telegram"].sent, "nothing went out"


async def test_the_preview_in_russian_groups_digits_with_a_no_break_space(bot: Bot) -> None:
    paid_lane(bot, rate=300)
    preview = await bot.say("/broadcast events Митинг у посольства в субботу", locale="ru")
    assert (
        f"Платная рассылка в Telegram: не больше 1{NBSP}235 звёзд Telegram с баланса бота, "
        "примерно 42 секунды (300 сообщений в секунду)."
    ) in preview.text


async def test_a_longer_broadcast_is_told_in_minutes(bot: Bot) -> None:
    paid_lane(bot, rate=31)  # 12,345 at 31 a second: 399 s
    preview = await bot.say("/broadcast events Rally", locale="ru")
    assert "примерно 7 минут (31 сообщение в секунду)" in preview.text
    english = await bot.say("/broadcast events Rally")
    assert "about 7 minutes (31 messages a second)" in english.text


async def test_without_the_paid_lane_the_preview_says_nothing_of_stars(bot: Bot) -> None:
    preview = await bot.say("/broadcast events Rally at the embassy on Saturday")
    assert "Nothing is sent until you press Confirm." in preview.text
    assert "Star" not in preview.text and "Paid" not in preview.text


async def test_a_groups_own_broadcast_never_pays(bot: Bot) -> None:
    paid_lane(bot)
    preview = await bot.say("/broadcast here now Meeting tonight", user="55", **GROUP)  # type: ignore[arg-type]
    assert "Nothing is sent until you press Confirm." in preview.text
    assert "Star" not in preview.text


async def test_a_broadcast_only_to_discord_costs_no_stars(core: Core) -> None:
    bot = bot_of(core)
    paid_lane(bot)
    await add_subscribers(core.engine, "discord", ["d1"], topic="petitions")
    preview = await bot.say("/broadcast petitions Sign the letter")
    assert "goes to 1 chat" in preview.text and "Star" not in preview.text


def test_numbers_are_grouped_for_the_readers_language() -> None:
    assert grouped(1_234_567, "en") == "1,234,567"
    assert grouped(1_234_567, "ru-RU") == f"1{NBSP}234{NBSP}567"
    assert grouped(999, "ru") == "999"
    assert grouped(12_345, "de") == "12,345", "a language without a catalog reads English"
    assert grouped(12_345, None) == "12,345"


def test_durations_read_in_seconds_minutes_or_hours_rounded_up(core: Core) -> None:
    english = ngettext_for(core.translator, "en")
    russian = ngettext_for(core.translator, "ru")
    assert duration_text(0, english) == "about 1 second"
    assert duration_text(89, english) == "about 89 seconds"
    assert duration_text(90, english) == "about 2 minutes"
    assert duration_text(5_340, english) == "about 89 minutes"
    assert duration_text(5_341, english) == "about 2 hours"
    assert duration_text(40_000, russian) == "примерно 12 часов"
    assert duration_text(61, russian) == "примерно 61 секунда"
