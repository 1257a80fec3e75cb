"""Every supporter command, driven chat-style through the real dispatcher and SQLite store."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import Core
from bot.core.messages import ActionButton, Address, UrlButton
from tests.support.chat import Say
from tests.support.fakes import FixedClock

CYRILLIC = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")


def is_russian(text: str) -> bool:
    return sum(ch in CYRILLIC for ch in text.lower()) > len(text) // 4


def actions(reply_buttons: tuple[object, ...]) -> list[ActionButton]:
    return [b for b in reply_buttons if isinstance(b, ActionButton)]


async def test_start_explains_the_bot_and_offers_the_menu(say: Say) -> None:
    reply = await say("/start")
    assert "Chechnya" in reply.text
    assert "/forget" in reply.text
    assert [b.command for b in actions(reply.buttons)] == [
        "donate",
        "events",
        "petition",
        "remember",
        "subscribe",
        "settings",
        # Discreet mode on or off, offered until the chat chooses (tests/handlers/test_discreet).
        "settings",
        "settings",
    ]


async def test_start_and_help_speak_russian_to_russian_speakers(say: Say) -> None:
    for command in ("/start", "/help"):
        reply = await say(command, locale="ru")
        assert is_russian(reply.text), reply.text
        assert all(is_russian(b.label) for b in reply.buttons)


async def test_help_lists_every_public_command(say: Say, core: Core) -> None:
    reply = await say("/help")
    for command in core.registry.visible():
        if command.name not in ("start", "help") and command.shown_to(organizer=False, admin=False):
            assert f"/{command.name}" in reply.text


async def test_donate_links_every_open_fund_and_says_what_money_does(say: Say, core: Core) -> None:
    reply = await say("/donate")
    funds = core.deps.campaign.donate.funds
    links = [b for b in reply.buttons if isinstance(b, UrlButton)]
    open_funds = [f for f in funds if f.url is not None and f.offered(core.deps.clock().date())]
    assert [b.url for b in links] == [f.url.en for f in open_funds if f.url is not None]
    assert len(links) >= 2 and all(b.url.startswith("https://") for b in links)
    assert "4,000" in reply.text and "4,555" in reply.text
    assert "Chechnya" in reply.text


async def test_donate_stores_nothing_about_who_asked(say: Say, core: Core) -> None:
    await say("/donate", chat="curious")
    assert await core.store.get_chat(Address("console", "curious")) is None


async def test_donate_in_russian(say: Say) -> None:
    reply = await say("/donate", locale="ru")
    assert is_russian(reply.text)


async def test_events_says_when_nothing_is_upcoming_and_offers_to_subscribe(say: Say) -> None:
    reply = await say("/events")
    assert "No events are planned" in reply.text
    assert [(b.command, b.args) for b in actions(reply.buttons)] == [("subscribe", ("events",))]


async def test_past_events_show_the_hong_kong_fundraiser_in_the_readers_zone(say: Say) -> None:
    await say("/settings timezone Europe/London")
    reply = await say("/events past")
    assert "Hong Kong" in reply.text
    # 19:00 in Hong Kong on 2 June 2017 is 12:00 in London (BST), shown with the local time too.
    assert "Friday, 2 June 2017, 12:00–15:00 (Europe/London)" in reply.text
    assert "19:00–22:00 (Asia/Hong_Kong)" in reply.text


async def test_past_events_in_russian(say: Say) -> None:
    reply = await say("/events past", locale="ru")
    assert "2 июня 2017" in reply.text
    assert is_russian(reply.text)


async def test_upcoming_event_offers_a_calendar_file_and_an_rsvp(
    say: Say, clock: FixedClock
) -> None:
    clock.now = datetime(2017, 5, 30, 9, 0, tzinfo=UTC)
    reply = await say("/events")
    assert "Upcoming events" in reply.text and "Hong Kong" in reply.text
    pressed = {b.command: b for b in actions(reply.buttons)}
    calendar = await say(" ".join(("/" + pressed["ics"].command, *pressed["ics"].args)))
    assert calendar.attachment is not None
    assert calendar.attachment.mime_type == "text/calendar"
    ics = calendar.attachment.content.decode()
    assert "DTSTART;TZID=Asia/Hong_Kong:20170602T190000" in ics
    assert "BEGIN:VTIMEZONE" in ics
    rsvp = pressed["rsvp"]
    answer = await say(" ".join(("/rsvp", *rsvp.args)))
    assert "going" in answer.text and "So far: 1 going, 0 maybe" in answer.text


async def test_rsvp_shows_your_answer_and_only_counts_of_others(
    say: Say, clock: FixedClock, core: Core
) -> None:
    clock.now = datetime(2017, 5, 30, 9, 0, tzinfo=UTC)
    event = core.deps.campaign.events[0].id
    await say(f"/rsvp {event} going", chat="a")
    await say(f"/rsvp {event} maybe", chat="b")
    reply = await say(f"/rsvp {event} going", chat="c")
    assert "So far: 2 going, 1 maybe" in reply.text
    mine = await say(f"/rsvp {event}", chat="b")
    assert "Your answer" in mine.text and "maybe" in mine.text
    assert "2 going, 1 maybe" in mine.text
    assert reply.private


async def test_a_calendar_button_for_a_vanished_event_answers_politely(say: Say) -> None:
    reply = await say("/ics no-such-event")
    assert "don't know that event" in reply.text


async def test_petition_lists_the_other_actions_and_tells_old_petitions_as_history(
    say: Say, core: Core
) -> None:
    reply = await say("/petition")
    petitions = core.deps.campaign.petitions
    assert all(p.title.en in reply.text for p in petitions.petitions)
    assert all(a.title.en in reply.text for a in petitions.actions)
    # Every packaged petition is history now: told, never offered to sign.
    signs = [b for b in reply.buttons if isinstance(b, UrlButton) and b.label.startswith("Sign")]
    assert signs == []
    letter = [b for b in actions(reply.buttons) if b.args == ("letter",)]
    assert letter, "the MP letter template is one tap away"


async def test_petition_letter_asks_for_a_personal_sentence(say: Say) -> None:
    reply = await say("/petition letter")
    assert "one sentence of your own" in reply.text
    assert "[" in reply.text  # the placeholder the writer replaces


async def test_petition_in_russian(say: Say) -> None:
    assert is_russian((await say("/petition", locale="ru")).text)
    assert is_russian((await say("/petition letter", locale="ru")).text)


async def test_remember_counts_the_days_to_29_march_and_offers_a_reminder(say: Say) -> None:
    reply = await say("/remember")  # the clock says 21 November 2026
    assert "#100forJustice" in reply.text
    assert "29 March" in reply.text
    assert "Days until the next Day of Remembrance: 128." in reply.text
    assert [(b.command, b.args) for b in actions(reply.buttons)] == [
        ("subscribe", ("remembrance",))
    ]


async def test_remember_counts_in_the_readers_time_zone(say: Say, clock: FixedClock) -> None:
    clock.now = datetime(2027, 3, 28, 22, 30, tzinfo=UTC)
    assert "Days until the next Day of Remembrance: 1." in (await say("/remember")).text
    await say("/settings timezone Europe/Moscow")  # already 01:30 on 29 March there
    assert "Today is the Day of Remembrance." in (await say("/remember")).text


async def test_remember_in_russian(say: Say) -> None:
    reply = await say("/remember", locale="ru")
    assert is_russian(reply.text) and "#100forJustice" in reply.text
