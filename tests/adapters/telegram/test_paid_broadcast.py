"""Telegram's paid broadcast lane: allow_paid_broadcast on exactly the replies the core marks paid.

Each paid message costs the campaign Stars from the bot's balance, so the parameter must reach
Telegram on every call of a paid reply (its text parts and its file) and on no other call.
"""

from __future__ import annotations

import dataclasses

import pytest

from bot.adapters.telegram import TelegramMessenger, build_telegram, telegram_pacing
from bot.app import Core
from bot.core.messages import Address, Attachment, Reply
from bot.settings import Settings
from tests.adapters.telegram.fake_server import ALICE, TOKEN, FakeTelegram, private_chat

ALICE_CHAT = Address("telegram", str(ALICE["id"]))


def paid_flags(fake: FakeTelegram) -> list[object]:
    """allow_paid_broadcast as each sendMessage and sendDocument carried it (None: left out)."""
    return [
        call.params.get("allow_paid_broadcast")
        for call in fake.calls
        if call.method in ("sendMessage", "sendDocument")
    ]


async def test_a_paid_reply_sends_allow_paid_broadcast_and_a_normal_one_does_not(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    fake.chats[ALICE["id"]] = private_chat(ALICE)
    await tg.send(ALICE_CHAT, Reply("Rally at the embassy on Saturday", paid=True))
    assert paid_flags(fake) == [True]
    await tg.send(ALICE_CHAT, Reply("Your reminder: the rally starts in an hour"))
    assert paid_flags(fake) == [True, None], "a reminder or notice never pays"
    assert [sent.text for sent in fake.in_chat(ALICE["id"])] == [
        "Rally at the embassy on Saturday",
        "Your reminder: the rally starts in an hour",
    ]


async def test_every_part_and_the_file_of_a_paid_reply_are_paid(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    fake.chats[ALICE["id"]] = private_chat(ALICE)
    long_text = "\n".join(f"Line {n}: " + "word " * 60 for n in range(20))  # over 4,096
    calendar = Attachment("rally.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    await tg.send(ALICE_CHAT, Reply(long_text, attachment=calendar, paid=True))
    flags = paid_flags(fake)
    assert len(flags) >= 3 and set(flags) == {True}, flags


def settings_with(**env: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=TOKEN,  # type: ignore[arg-type]
        **env,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("env", "rate", "paid_rate"),
    [
        ({}, 25, None),
        ({"broadcast_telegram_rate": "28"}, 28, None),
        ({"broadcast_telegram_paid": "true"}, 25, 1000),
        ({"broadcast_telegram_paid": "true", "broadcast_telegram_rate": "300"}, 25, 300),
    ],
)
async def test_paid_broadcasts_add_a_paid_lane_and_keep_the_free_one_at_25(
    core: Core, env: dict[str, str], rate: float, paid_rate: float | None
) -> None:
    messenger = build_telegram(dataclasses.replace(core, settings=settings_with(**env)))
    assert (messenger.pacing.rate, messenger.pacing.paid_rate) == (rate, paid_rate)
    assert messenger.pacing.hard_cap == 30, "the free lane never goes past Telegram's 30"


def test_the_paid_lane_never_goes_past_telegrams_1000_a_second() -> None:
    # The settings refuse more already; the adapter holds the line on its own as well.
    assert telegram_pacing(5000, paid=True).paid_rate == 1000
    assert telegram_pacing(5000, paid=False).rate == 30
