"""An organizer's day on Telegram with the clock moving: an event is created and published, two
supporters in different time zones are told about it, say they will come, are reminded five
minutes before it in their own zone, and are told once when it is cancelled after an edit.

The event is made with the step-by-step form, natural dates and two corrected mistakes.
The real `allybot run` process against the fake Bot API (100-300 ms a call), on the real clock,
people acting about once a second. The reminder loop ticks every 30 s, so each thing the loop
sends (announcement, reminder, cancellation notice) arrives up to 30 s after it is due. The whole
test takes about two and a half to three minutes of wall time.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from content.i18n import format_time_range
from tests.adapters.telegram.fake_server import ALICE, BORIS, ORGANIZER, FakeTelegram, Sent
from tests.adapters.telegram.fake_server import private_chat as chat_of
from tests.e2e.conftest import BotProcess
from tests.e2e.people import button_data, pause, texts

EVENT_ZONE = "Europe/Moscow"  # the organizer's, and the venue's
ZONES = {ALICE["id"]: "Europe/Berlin", BORIS["id"]: "America/New_York"}
TITLE = "Vigil"
PLACE, NEW_PLACE = "Pushkin-square", "Mayakovsky-square"
DESCRIPTION = "Candles and names, for those who cannot speak for themselves."
# Reminders come from 5 minutes before at the earliest (`/reminders` refuses less); the event
# starts at the first whole minute at least this far ahead, so the reminder is due within about
# a minute and a half of its creation.
LEAD = "5m"
STARTS_AFTER = timedelta(minutes=5, seconds=50)
# A tick of the reminder loop (30 s) and the API's latency, at most.
LOOP_S = 40.0


def callback(sent: Sent, prefix: str) -> str:
    """The callback data of `sent`'s button whose data starts with `prefix`."""
    for candidate in sent.buttons:
        data = str(candidate.get("callback_data", ""))
        if data.startswith(prefix):
            return data
    raise AssertionError(f"no {prefix!r} button under {sent.text!r}")


async def create_event(
    fake: FakeTelegram,
    organizer: dict[str, Any],
    starts: datetime,
    ends: datetime,
    *,
    title: str = TITLE,
    place: str = PLACE,
    description: str = DESCRIPTION,
) -> Sent:
    """The organizer creates an event step by step, as people do: the form's questions answered
    one message at a time, the zone typed ("or type it"), the start in words ("today at 18:07"),
    and two mistakes corrected on the way (an unreadable start, an end before the start), each
    asked again without losing the answers before it. Returns the preview with Publish."""
    chat = chat_of(organizer)

    async def answer(text: str) -> str:
        await pause()
        [reply] = await fake.say(chat, organizer, text)
        return reply.text or ""

    [intro] = await fake.say(chat, organizer, "/newevent")
    await pause()
    [asked] = await fake.tap(intro, button_data(intro, "eventform"), organizer)
    assert "time zone" in (asked.text or ""), asked.text
    assert "What is the event called?" in await answer("Moscow")
    assert "When does it start?" in await answer(title)

    # A start nobody could read is asked for again; the zone and title stay.
    again = await answer("soon-ish")
    assert "could not read" in again and "When does it start?" in again, again
    local_now = datetime.now(starts.tzinfo)
    day = "today" if starts.date() == local_now.date() else "tomorrow"
    echoed = await answer(f"{day} at {starts:%H:%M}")
    # The start is echoed in words before the next question, so a misread shows at once.
    weekday = f"{starts:%A} {starts.day} {starts:%B} {starts.year}, {starts:%H:%M}"
    assert f"Starts: {weekday} ({EVENT_ZONE})." in echoed, echoed
    assert "When does it end?" in echoed, echoed

    # An end before the start is refused instead of becoming the next day.
    early = starts - timedelta(minutes=30)
    refused = await answer(f"{early:%H:%M}" if early.date() == starts.date() else "00:00")
    assert "The end must come after the start." in refused, refused
    end_text = f"{ends:%H:%M}" if ends.date() == starts.date() else f"{ends:%Y-%m-%d %H:%M}"
    assert "Where is it?" in await answer(end_text)
    assert "Describe it" in await answer(place)
    await pause()
    [preview] = await fake.say(chat, organizer, description)
    return preview


def starting_soon() -> tuple[datetime, datetime]:
    """The start (a whole minute, STARTS_AFTER from now or a little more) and the end, an hour
    later, both in EVENT_ZONE."""
    earliest = datetime.now(UTC) + STARTS_AFTER
    starts = (earliest + timedelta(minutes=1)).replace(second=0, microsecond=0)
    zone = ZoneInfo(EVENT_ZONE)
    return starts.astimezone(zone), (starts + timedelta(hours=1)).astimezone(zone)


def local_when(person: dict[str, Any], starts: datetime, ends: datetime) -> str:
    """How the bot writes the event's time for `person`: in their zone and language."""
    zone = ZoneInfo(ZONES[person["id"]])
    return "🕒 " + format_time_range(starts, ends, zone, person["language_code"])


def with_words(fake: FakeTelegram, person: dict[str, Any], words: str) -> list[Sent]:
    return [s for s in fake.in_chat(person["id"]) if words in (s.text or "")]


# Longer than the suite's 120 s: the reminder comes minutes after the event is created.
@pytest.mark.timeout(300)
async def test_an_organizer_day_from_a_new_event_to_its_cancellation(
    fake: FakeTelegram, bot: BotProcess
) -> None:
    await bot.start()
    supporters = (ALICE, BORIS)

    async def get_ready(person: dict[str, Any]) -> None:
        """Each supporter: their time zone, the events topic, and reminders 5 minutes before."""
        _ = texts(person["language_code"])
        chat = chat_of(person)
        [zone] = await fake.say(chat, person, f"/settings timezone {ZONES[person['id']]}")
        assert ZONES[person["id"]] in (zone.text or ""), zone.text
        await pause()
        # Full texts, also for Boris, whose Russian chat would be discreet until he chose
        # (discreet chats are followed in test_discreet.py).
        await fake.say(chat, person, "/settings discreet off")
        await pause()
        await fake.say(chat, person, "/subscribe events")
        await pause()
        # Less than five minutes is refused, and says what is accepted.
        [refused] = await fake.say(chat, person, "/reminders 2m")
        assert "2m" in (refused.text or "") and "5" in (refused.text or ""), refused.text
        await pause()
        [leads] = await fake.say(chat, person, f"/reminders {LEAD}")
        assert "5" in (leads.text or ""), leads.text

    await asyncio.gather(*(get_ready(person) for person in supporters))

    # The organizer creates the event and publishes it.
    organizer = ORGANIZER
    starts, ends = starting_soon()
    preview = await create_event(fake, organizer, starts, ends)
    assert (preview.text or "").startswith("Preview of the new event:"), preview.text
    await pause()
    [published] = await fake.tap(preview, button_data(preview, "eventdraft"), organizer)
    assert (published.text or "").startswith("Published."), published.text
    event_id = callback(published, "ics ").split()[1]
    published_at = time.monotonic()

    # Each supporter is told once, in their zone and language, and says they will come.
    async def announced_and_rsvp(person: dict[str, Any], answer: str) -> None:
        _ = texts(person["language_code"])
        new_event = _("📣 New event: “{title}”").format(title=TITLE)
        [announcement] = await fake.replies(person["id"], within=LOOP_S)
        assert (announcement.text or "").startswith(new_event), announcement.text
        assert local_when(person, starts, ends) in (announcement.text or "")
        await pause()
        [going] = await fake.tap(announcement, button_data(announcement, "rsvp"), person)
        assert _("going") in (going.text or ""), going.text
        if answer == "maybe":
            await pause()
            maybe_button = button_data(going, f"rsvp {event_id} maybe")
            [maybe] = await fake.tap(going, maybe_button, person)
            assert _("maybe") in (maybe.text or ""), maybe.text

    await asyncio.gather(announced_and_rsvp(ALICE, "going"), announced_and_rsvp(BORIS, "maybe"))

    # The reminder, five minutes before the start (give or take a tick), in each one's zone.
    due = starts - timedelta(minutes=5)
    wait_s = (due - datetime.now(UTC)).total_seconds() + LOOP_S

    async def reminded(person: dict[str, Any]) -> None:
        _ = texts(person["language_code"])
        [reminder] = await fake.replies(person["id"], within=wait_s)
        arrived = datetime.now(UTC)
        assert _("⏰ Reminder: “{title}” starts in {lead}.").split("{")[0] in (reminder.text or "")
        assert local_when(person, starts, ends) in (reminder.text or ""), reminder.text
        assert due - timedelta(seconds=1) <= arrived <= due + timedelta(seconds=LOOP_S)

    await asyncio.gather(*(reminded(person) for person in supporters))

    # The organizer moves it, then cancels it.
    org_chat = chat_of(organizer)
    [changed] = await fake.say(org_chat, organizer, f"/editevent {event_id} place {NEW_PLACE}")
    assert NEW_PLACE in (changed.text or ""), changed.text
    await pause()
    [updated] = await fake.tap(changed, button_data(changed, "eventdraft"), organizer)
    assert (updated.text or "").startswith("Updated."), updated.text
    await pause()
    [question] = await fake.say(org_chat, organizer, f"/cancelevent {event_id}")
    assert "2 chats said they would or might come" in (question.text or ""), question.text
    await pause()
    [cancelled] = await fake.tap(question, "❌ Yes, cancel it", organizer)
    assert (cancelled.text or "").startswith("Cancelled"), cancelled.text

    # Each supporter who said they would or might come is told once.
    async def told(person: dict[str, Any]) -> None:
        [notice] = await fake.replies(person["id"], within=LOOP_S)
        assert notice.text is not None and notice.text.startswith("❌"), notice.text
        assert TITLE in notice.text

    await asyncio.gather(*(told(person) for person in supporters))
    await asyncio.sleep(5)  # a duplicate would come from the next tick, or a re-plan
    for person in supporters:
        _ = texts(person["language_code"])
        kinds = Counter(
            word
            for sent in fake.in_chat(person["id"])
            for word in ("📣", "⏰", "❌")
            if (sent.text or "").startswith(word)
        )
        assert kinds == {"📣": 1, "⏰": 1, "❌": 1}, (person["first_name"], kinds)
    assert time.monotonic() - published_at < 4 * 60
    assert "Traceback" not in bot.stderr, bot.stderr
