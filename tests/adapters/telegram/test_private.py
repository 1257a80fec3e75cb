"""Private means private: a reply marked private never shows in a group, whoever asks there."""

from __future__ import annotations

from bot.adapters.telegram import TelegramMessenger
from tests.adapters.telegram.fake_server import (
    ALICE,
    BORIS,
    BOT_USERNAME,
    GROUP,
    ORGANIZER,
    FakeTelegram,
    private_chat,
)

NEUTRAL = (
    "My answer to that is only for you. Please open a private chat with me, press Start, then "
    "try again."
)


async def test_an_organizers_broadcasts_asked_in_a_group_arrive_in_their_private_chat(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    fake.make_admin(GROUP["id"], ORGANIZER["id"])
    [listing] = await fake.answered(GROUP, ORGANIZER, f"/broadcasts@{BOT_USERNAME}")
    assert listing.chat_id == ORGANIZER["id"]
    assert listing.text == "No broadcasts yet. Start one with /broadcast."
    assert fake.in_chat(GROUP["id"]) == []


async def test_group_settings_are_answered_privately_in_the_askers_language(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    fake.make_admin(GROUP["id"], BORIS["id"], owner=True)
    fake.chats[BORIS["id"]] = private_chat(BORIS)
    [shown] = await fake.answered(GROUP, BORIS, f"/settings@{BOT_USERNAME}")
    assert shown.chat_id == BORIS["id"] and shown.text
    [changed] = await fake.answered(GROUP, BORIS, f"/settings@{BOT_USERNAME} timezone Europe/Paris")
    assert changed.chat_id == BORIS["id"] and "Europe/Paris" in (changed.text or "")
    assert fake.in_chat(GROUP["id"]) == []


async def test_when_the_private_chat_is_closed_the_group_gets_one_neutral_line_only(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    fake.make_admin(GROUP["id"], ALICE["id"])
    fake.chats[ALICE["id"]] = private_chat(ALICE)
    fake.block(ALICE["id"])  # she stopped the bot in her private chat
    [line] = await fake.answered(GROUP, ALICE, f"/settings@{BOT_USERNAME} timezone Europe/Paris")
    assert (line.chat_id, line.text, line.buttons) == (GROUP["id"], NEUTRAL, [])
    assert line.reply_to is not None, "it answers the command, so the asker knows it is theirs"
    # Boris never pressed Start at all; he is told in his language.
    fake.make_admin(GROUP["id"], BORIS["id"])
    [line] = await fake.answered(GROUP, BORIS, f"/broadcasts@{BOT_USERNAME}")
    assert line.chat_id == GROUP["id"]
    assert (line.text or "").startswith("Мой ответ на это — только для вас.")
    assert [s.chat_id for s in fake.sent] == [GROUP["id"], GROUP["id"]]
    assert [c.status for c in fake.calls_to("sendMessage")] == [403, 200, 400, 200]
