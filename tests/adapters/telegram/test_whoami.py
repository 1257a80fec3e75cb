"""/whoami asked in a Telegram group: the id goes to the asker's private chat, never the group."""

from __future__ import annotations

from bot.adapters.telegram import TelegramMessenger
from tests.adapters.telegram.fake_server import (
    ALICE,
    BOT_USERNAME,
    GROUP,
    FakeTelegram,
    private_chat,
)


async def test_whoami_in_a_group_answers_in_the_private_chat(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    fake.chats[ALICE["id"]] = private_chat(ALICE)
    [shown] = await fake.answered(GROUP, ALICE, f"/whoami@{BOT_USERNAME}")
    assert shown.chat_id == ALICE["id"]
    assert f"Your user id: telegram:{ALICE['id']}" in (shown.text or "")
    assert fake.in_chat(GROUP["id"]) == []


async def test_whoami_in_a_group_without_a_private_chat_posts_no_id(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    fake.chats[ALICE["id"]] = private_chat(ALICE)
    fake.block(ALICE["id"])
    [line] = await fake.answered(GROUP, ALICE, f"/whoami@{BOT_USERNAME}")
    assert line.chat_id == GROUP["id"]
    assert str(ALICE["id"]) not in (line.text or "")
    assert "open a private chat with me" in (line.text or "")
