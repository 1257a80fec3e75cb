"""Private means private: a reply marked private never shows in a group, whoever asks there."""

from __future__ import annotations

from typing import Any

from bot.adapters.telegram import TelegramMessenger
from tests.adapters.telegram.fake_server import (
    ALICE,
    BORIS,
    BOT_ID,
    BOT_USERNAME,
    GROUP,
    ORGANIZER,
    FakeTelegram,
    Sent,
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


async def test_a_step_by_step_command_in_a_group_asks_there_and_previews_privately(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    """The questions come where the answers are read (replies to the bot in the group); the
    preview, which is only for the admin, arrives in their private chat."""
    fake.make_admin(GROUP["id"], ALICE["id"])
    fake.chats[ALICE["id"]] = private_chat(ALICE)
    bot = {"id": BOT_ID, "is_bot": True, "first_name": "allybot"}
    [when] = await fake.answered(GROUP, ALICE, f"/bcwrite@{BOT_USERNAME} here")
    assert when.chat_id == GROUP["id"] and "When should it go out?" in (when.text or "")

    def replying_to(question: Sent) -> dict[str, Any]:
        return {"message_id": question.message_id, "chat": GROUP, "from": bot, "date": 0}

    [what] = await fake.answered(GROUP, ALICE, "now", reply_to_message=replying_to(when))
    assert what.chat_id == GROUP["id"] and "Now write the message" in (what.text or "")
    [preview] = await fake.answered(
        GROUP, ALICE, "Meeting tonight at eight", reply_to_message=replying_to(what)
    )
    assert preview.chat_id == ALICE["id"], "the preview is only for the admin who wrote it"
    assert "Meeting tonight at eight" in (preview.text or "")
