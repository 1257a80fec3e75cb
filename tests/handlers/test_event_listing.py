"""What supporters see of events: no internal ids; past events stay listed, cancelled ones marked,
told in the past tense (no call to come along to 2017)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.core.messages import ActionButton, Reply
from tests.support.chat import Say as Ask
from tests.support.fakes import FixedClock
from tests.support.reminders import ORGANIZER

STORED_ID = re.compile(r"\be_\d+\b")


def event(title: str, day: str) -> tuple[str, ...]:
    return (title, f"2026-12-{day} 14:00", "16:00", "london", "Trafalgar Square", "Stand with us.")


async def publish(ask: Ask, fields: tuple[str, ...]) -> str:
    preview = await ask("/newevent", *fields, chat=ORGANIZER)
    [draft_id] = [
        b.args[0]
        for b in preview.buttons
        if isinstance(b, ActionButton) and b.command == "eventdraft" and b.args[1:] == ("publish",)
    ]
    assert f"Event id: {draft_id}" in preview.text  # the organizer's own preview names it
    published = await ask("/eventdraft", draft_id, "publish", chat=ORGANIZER)
    assert "Published." in published.text and f"Event id: {draft_id}" in published.text
    return draft_id


def no_ids(reply: Reply) -> bool:
    return "Event id" not in reply.text and not STORED_ID.search(reply.text)


async def test_supporters_see_no_internal_ids_and_organizers_do(
    say: Ask, clock: FixedClock
) -> None:
    event_id = await publish(say, event("Rally", "05"))
    for locale in ("en", "ru"):
        listing = await say("/events", chat="supporter", locale=locale)
        assert "Rally" in listing.text and no_ids(listing), listing.text
    rsvp = await say("/rsvp", event_id, "going", chat="supporter")
    assert no_ids(rsvp)
    ics = await say("/ics", event_id, chat="supporter")
    assert no_ids(ics) and ics.attachment is not None
    assert ics.attachment.filename == "event.ics"
    organizer = await say("/events", chat=ORGANIZER)
    assert f"Event id: {event_id}" in organizer.text


async def test_past_events_stay_listed_cancelled_ones_marked_in_the_past_tense(
    say: Ask, clock: FixedClock
) -> None:
    await publish(say, event("Rally", "05"))
    vigil = await publish(say, event("Vigil", "06"))
    done = await say("/cancelevent", vigil, "confirm", chat=ORGANIZER)
    assert "Cancelled" in done.text
    clock.now = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
    await say("/settings", "timezone", "Europe/London", chat="supporter")
    past = await say("/events past", chat="supporter")
    assert "Vigil (cancelled)" in past.text
    assert "Was planned for: Sunday, 6 December 2026, 14:00–16:00" in past.text
    assert "Took place: Saturday, 5 December 2026, 14:00–16:00" in past.text
    assert "Hong Kong" in past.text and "Took place: Friday, 2 June 2017" in past.text
    # Latest first; the 2017 fundraiser's call to come along and help is not repeated.
    assert past.text.index("Vigil") < past.text.index("Rally") < past.text.index("Hong Kong")
    assert "Come along" not in past.text and "How to help" not in past.text
    assert no_ids(past)
    ru = await say("/events past", chat="reader", locale="ru")
    assert "Vigil (отменено)" in ru.text
    assert "Было запланировано на: воскресенье, 6 декабря 2026" in ru.text
    assert "Прошло: суббота, 5 декабря 2026" in ru.text
    assert "Приходите" not in ru.text and no_ids(ru)


async def test_subscription_buttons_promise_only_what_is_sent(say: Ask) -> None:
    # Petition subscribers get organizers' broadcasts on the topic; nothing announces content
    # petitions on its own, so the button does not promise news of each new one.
    for locale, label in (("en", "🔔 Tell me about petitions"), ("ru", "🔔 Сообщать о петициях")):
        reply = await say("/petition", chat="reader", locale=locale)
        labels = [b.label for b in reply.buttons if isinstance(b, ActionButton)]
        assert label in labels, labels
        assert not any("new petitions" in lab or "новых петиц" in lab for lab in labels)
