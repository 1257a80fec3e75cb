"""Discreet mode: the choice, what a discreet chat receives, and Show re-rendering the message.

The real core on SQLite and on PostgreSQL; reminders through the core's own scheduler to a
recording messenger, broadcasts through the core's own service to fake messengers.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable

import pytest
from icalendar import Calendar

from bot.app import Core
from bot.core.discreet import SHOW
from bot.core.messages import ActionButton, Reply, UrlButton
from bot.settings import Settings
from tests.support.broadcast import add_subscribers, bot_of
from tests.support.chat import Say
from tests.support.fakes import FixedClock
from tests.support.reminders import RecordingMessenger, Reminders, make_event
from tests.support.settings import settings_on

NEUTRAL_RU = "У вас новое сообщение"
NEUTRAL_EN = "You have a new update"


@pytest.fixture
def settings(migrated_database_url: str) -> Settings:
    return settings_on(migrated_database_url, organizers="console:organizer,console:second")


def show_of(reply: Reply) -> tuple[str, ...]:
    """The arguments of the reply's Show button, as a press sends them."""
    [button] = [b for b in reply.buttons if isinstance(b, ActionButton) and b.command == SHOW]
    return button.args


def settings_presses(reply: Reply) -> list[tuple[str, ...]]:
    return [
        b.args for b in reply.buttons if isinstance(b, ActionButton) and b.command == "settings"
    ]


async def test_russian_chats_are_discreet_until_they_choose_and_english_ones_are_not(
    say: Say,
) -> None:
    ru = await say("/settings", chat="ru", locale="ru")
    assert "Незаметный режим: включён" in ru.text and ru.protect
    en = await say("/settings", chat="en", locale="en")
    assert "Discreet mode: off" in en.text and not en.protect
    # Every reply in a discreet chat is protected, not only the settings.
    assert (await say("/donate", chat="ru", locale="ru")).protect
    assert not (await say("/donate", chat="en")).protect

    off = await say("/settings", "discreet", "off", chat="ru", locale="ru")
    assert "выключен" in off.text
    assert not (await say("/events", chat="ru", locale="ru")).protect
    on = await say("/settings", "discreet", "on", chat="en")
    assert on.protect and "Show" in on.text
    assert "Discreet mode: on" in (await say("/settings", chat="en")).text
    # Typed in Russian too.
    await say("/settings незаметно выкл", chat="en")
    assert "Discreet mode: off" in (await say("/settings", chat="en")).text


async def test_start_offers_the_choice_until_it_is_made(say: Say) -> None:
    first = await say("/start", chat="ru", locale="ru")
    assert "Незаметный режим включён" in first.text
    assert ("discreet", "on") in settings_presses(first)
    assert ("discreet", "off") in settings_presses(first)
    await say("/settings", *settings_presses(first)[-1], chat="ru", locale="ru")
    again = await say("/start", chat="ru", locale="ru")
    assert not [a for a in settings_presses(again) if a[:1] == ("discreet",)]
    assert "Незаметный режим" not in again.text


async def test_a_discreet_chats_notice_is_neutral_and_show_renders_it_in_full(
    ask: Say, rem: Reminders, clock: FixedClock, messenger: RecordingMessenger
) -> None:
    await ask("/subscribe", "events", chat="ru", locale="ru")
    await ask("/subscribe", "events", chat="en", locale="en")
    event = await make_event(rem, clock, "2026-12-05 14:00", title="Vigil")
    await rem.scheduler.tick()

    [(_, neutral)] = [(a, r) for a, r in messenger.sent if a.chat_id == "ru"]
    assert neutral.text == NEUTRAL_RU and neutral.protect
    assert "Vigil" not in neutral.text + " ".join(b.label for b in neutral.buttons)
    [full_en] = messenger.texts("en")
    assert full_en.startswith("📣 New event: “Vigil”")
    assert not [r for a, r in messenger.sent if a.chat_id == "en" and r.protect]

    shown = await ask("/show", *show_of(neutral), chat="ru", locale="ru")
    assert shown.edits and shown.protect
    assert shown.text.startswith("📣 Новое событие: «Vigil»") or "Vigil" in shown.text
    assert any(isinstance(b, ActionButton) and b.command == "rsvp" for b in shown.buttons)
    assert show_of(neutral)[1] == event.id


async def test_show_for_something_gone_says_so_kindly(
    ask: Say, rem: Reminders, clock: FixedClock, messenger: RecordingMessenger
) -> None:
    await ask("/subscribe", "events", chat="ru", locale="ru")
    await make_event(rem, clock, "2026-12-05 14:00", title="Vigil")
    await rem.scheduler.tick()
    [neutral] = [r for a, r in messenger.sent if a.chat_id == "ru"]
    args = show_of(neutral)
    gone = await ask("/show", args[0], "e_999", *args[2:], chat="ru", locale="ru")
    assert gone.edits and gone.text == "Это сообщение больше недоступно."
    # Nonsense from a forged button is the same friendly answer, never an error.
    for forged in (("x",), ("b", "abc"), ("r", "e_1", "event", "-5"), ()):
        assert "недоступно" in (await ask("/show", *forged, chat="ru", locale="ru")).text
    # After /forget the chat has nothing to show any more.
    await ask("/forget", "yes", chat="ru", locale="ru")
    assert "no longer available" in (await ask("/show", *args, chat="ru")).text


async def test_a_broadcast_is_never_in_a_discreet_chats_notification(
    core: Core, clock: FixedClock
) -> None:
    bot = bot_of(core)
    await add_subscribers(core.engine, "telegram", ["t-ru"], locale="ru")
    await add_subscribers(core.engine, "telegram", ["t-en"], locale="en")
    text = "Rally at the embassy on Saturday"
    preview = await bot.say(
        "/broadcast", "events", "now", f"{text}\nMap | https://example.org/rally"
    )
    confirm = next(
        b for b in preview.buttons if isinstance(b, ActionButton) and b.command == "bcsend"
    )
    await bot.say("/bcsend", *confirm.args)
    telegram = bot.messengers["telegram"]
    task = asyncio.create_task(core.broadcasts.run())
    try:
        async with asyncio.timeout(10):
            while len(telegram.sent) < 2:  # noqa: ASYNC110 - the fake records, nothing to await
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    [ru] = telegram.to("t-ru")
    [en] = telegram.to("t-en")
    assert ru.text == NEUTRAL_RU and ru.protect and text not in ru.text
    assert not [b for b in ru.buttons if isinstance(b, UrlButton)]
    assert en.text.startswith(text) and not en.protect

    say = bot.say
    shown = await say("/show", *show_of(ru), chat="t-ru", platform="telegram", locale="ru")
    assert shown.edits and shown.text.startswith(text) and shown.protect
    assert [b.url for b in shown.buttons if isinstance(b, UrlButton)] == [
        "https://example.org/rally"
    ]


async def test_an_approval_request_to_a_discreet_organizer_is_neutral(core: Core) -> None:
    bot = bot_of(core)
    await bot.say("/settings", "discreet", "on", chat="second")
    await add_subscribers(core.engine, "console", [f"c{i}" for i in range(3)])
    core.broadcasts.second_approval_above = 1
    preview = await bot.say("/broadcast events now Secret plan")
    confirm = next(
        b for b in preview.buttons if isinstance(b, ActionButton) and b.command == "bcsend"
    )
    await bot.say("/bcsend", *confirm.args)
    [asked] = bot.messengers["console"].to("second")
    assert asked.text == NEUTRAL_EN and asked.protect
    shown = await bot.say("/show", *show_of(asked), chat="second")
    assert "Secret plan" in shown.text and shown.edits
    assert any(isinstance(b, ActionButton) and b.command == "approve" for b in shown.buttons)
    # Only organizers see an approval request's text.
    stranger = await bot.say("/settings", "discreet", "on", chat="stranger")
    assert stranger.protect
    refused = await bot.say("/show", *show_of(asked), chat="stranger")
    assert "Secret plan" not in refused.text


async def test_calendar_files_and_donate_links_have_neutral_titles_in_a_discreet_chat(
    ask: Say, rem: Reminders, clock: FixedClock
) -> None:
    event = await make_event(rem, clock, "2026-12-05 14:00", title="Vigil for Chechnya")

    def summary_of(reply: Reply) -> str:
        assert reply.attachment is not None
        calendar = Calendar.from_ical(io.BytesIO(reply.attachment.content).read())
        [entry] = calendar.walk("VEVENT")
        return str(entry.get("summary"))

    neutral = await ask("/ics", event.id, chat="ru", locale="ru")
    assert summary_of(neutral) == "Встреча" and "Vigil" not in neutral.text
    assert neutral.attachment is not None and b"Vigil" not in neutral.attachment.content
    assert neutral.attachment.filename == "meeting.ics"
    [full_button] = [b for b in neutral.buttons if isinstance(b, ActionButton)]
    full = await ask("/ics", *full_button.args, chat="ru", locale="ru")
    assert summary_of(full) == "Vigil for Chechnya"
    assert summary_of(await ask("/ics", event.id, chat="en")) == "Vigil for Chechnya"

    def link_labels(reply: Reply) -> list[str]:
        return [b.label for b in reply.buttons if isinstance(b, UrlButton)]

    plain = await ask("/donate", chat="en")
    discreet = await ask("/donate", chat="ru", locale="ru")
    assert link_labels(plain) and len(link_labels(discreet)) == len(link_labels(plain))
    assert all(label.startswith("🔗") for label in link_labels(discreet))
    assert not set(link_labels(discreet)) & set(link_labels(plain))
    asked_full = await ask("/donate", "full", chat="ru", locale="ru")
    await ask("/settings", "discreet", "off", chat="ru2", locale="ru")
    assert link_labels(asked_full) == link_labels(await ask("/donate", chat="ru2", locale="ru"))


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_neutral_line_reveals_nothing(locale: str, core: Core) -> None:
    from bot.core.discreet import REMINDER, ShowTarget, neutral
    from bot.core.i18n import gettext_for

    _: Callable[[str], str] = gettext_for(core.translator, locale)
    reply = neutral(ShowTarget(REMINDER, "remembrance", "remembrance", 7), _)
    assert reply.text == (NEUTRAL_RU if locale == "ru" else NEUTRAL_EN)
    assert reply.protect


async def test_privacy_shows_the_choice_as_stored(say: Say) -> None:
    await say("/subscribe", "events", chat="ru", locale="ru")
    assert "Незаметный режим: не выбран" in (await say("/privacy", chat="ru", locale="ru")).text
    await say("/settings", "discreet", "off", chat="ru", locale="ru")
    assert "Незаметный режим: выключен" in (await say("/privacy", chat="ru", locale="ru")).text
