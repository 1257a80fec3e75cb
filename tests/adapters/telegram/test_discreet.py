"""Discreet mode on Telegram, through the real PTB stack against the fake Bot API: every message
to a discreet chat carries protect_content, and Show edits the neutral message in place."""

from __future__ import annotations

from datetime import datetime

from bot.adapters.telegram import TelegramMessenger
from bot.app import Core
from bot.core.discreet import REMINDER, ShowTarget, neutral
from bot.core.i18n import gettext_for
from bot.core.messages import Address
from bot.core.reminders.values import EventDraft
from tests.adapters.telegram.fake_server import ALICE, BORIS, GROUP, FakeTelegram, private_chat

BORIS_CHAT = Address("telegram", str(BORIS["id"]))


def protect_flags(fake: FakeTelegram, chat_id: int) -> list[object]:
    return [
        call.params.get("protect_content")
        for call in fake.calls_to("sendMessage")
        if int(call.params["chat_id"]) == chat_id
    ]


async def test_replies_in_a_russian_chat_are_protected_until_it_turns_discreet_mode_off(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    boris, alice = private_chat(BORIS), private_chat(ALICE)
    [start] = await fake.say(boris, BORIS, "/start")
    assert start.protect and "Незаметный режим включён" in (start.text or "")
    [plain] = await fake.say(alice, ALICE, "/start")
    assert not plain.protect and "Discreet mode is off" in (plain.text or "")
    assert protect_flags(fake, ALICE["id"]) == [None], "left out, never false"
    [off] = await fake.tap(start, "Выключить незаметный режим", BORIS)
    assert "выключен" in (off.text or "")
    [after] = await fake.say(boris, BORIS, "/donate")
    assert not after.protect


async def test_show_edits_the_neutral_message_to_the_full_reminder(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    boris = private_chat(BORIS)
    await fake.say(boris, BORIS, "/subscribe events")  # the chat's row, in Russian
    events = core.deps.events
    now = core.deps.clock()
    draft = EventDraft(
        "Vigil",
        datetime(2031, 5, 17, 19),
        datetime(2031, 5, 17, 21),
        "Europe/Berlin",
        "Square",
        ".",
    )
    event = await events.confirm((await events.save_draft(draft, None, now)).id, now)
    assert event is not None
    _ = gettext_for(core.translator, "ru")
    await tg.send(BORIS_CHAT, neutral(ShowTarget(REMINDER, event.id, "event", 60), _))
    [sent] = await fake.replies(BORIS["id"])
    assert sent.text == "У вас новое сообщение" and sent.protect
    assert [b["text"] for b in sent.buttons] == ["Показать"]

    fake.press(sent, "Показать", BORIS)
    await fake.wait_until(lambda: bool(fake.calls_to("editMessageText")))
    await fake.wait_until(lambda: sent.text != "У вас новое сообщение")
    assert sent.first_text == "У вас новое сообщение"
    assert "Vigil" in (sent.text or "") and "1 час" in (sent.text or ""), sent.text
    # The full message has the event's own buttons instead of Show; nothing new was sent.
    assert "Показать" not in [b["text"] for b in sent.buttons]
    assert any(b.get("callback_data", "").startswith("rsvp ") for b in sent.buttons)
    assert len(fake.in_chat(BORIS["id"])) == 2  # the /subscribe answer and the reminder

    # Once the event is gone, Show says so in the message itself.
    await tg.send(BORIS_CHAT, neutral(ShowTarget(REMINDER, "e_404", "event", 60), _))
    [stale] = await fake.replies(BORIS["id"])
    fake.press(stale, "Показать", BORIS)
    await fake.wait_until(lambda: stale.text != "У вас новое сообщение")
    assert stale.text == "Это сообщение больше недоступно." and not stale.buttons


async def test_show_in_a_discreet_group_opens_the_message_for_the_whole_group(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    """The README's word: a group that chose discreet mode shares its messages, so Show pressed
    by any member edits the group's message itself (nothing goes to the presser's private chat),
    and it stays protected."""
    fake.admins[GROUP["id"]] = {ALICE["id"]}
    await fake.say(GROUP, ALICE, "/settings discreet on")
    _ = gettext_for(core.translator, "en")
    group = Address("telegram", str(GROUP["id"]))
    await tg.send(group, neutral(ShowTarget(REMINDER, "remembrance", "remembrance", 7), _))
    [sent] = await fake.replies(GROUP["id"])
    assert sent.text == "You have a new update" and sent.protect
    private_before = len(fake.in_chat(BORIS["id"]))

    fake.press(sent, "Show", BORIS)
    await fake.wait_until(lambda: sent.text != "You have a new update")
    assert sent.first_text == "You have a new update" and sent.chat_id == GROUP["id"]
    assert "Chechen LGBT Day of Remembrance" in (sent.text or ""), sent.text
    assert len(fake.in_chat(BORIS["id"])) == private_before
    edits = fake.calls_to("editMessageText")
    assert [int(c.params["chat_id"]) for c in edits] == [GROUP["id"]]
