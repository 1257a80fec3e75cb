"""An organizer's day on Discord with the clock moving: the organizer creates an event through
the step-by-step form in their DM with the bot (the Answer button and its modal for each
question, one wrong start and one wrong end asked again), publishes it; two supporters in their
own DMs, in different languages and time zones, are told about it, say they will or might come,
are reminded five minutes before it in their own zone, and are told once when it is cancelled
after an edit.

The real `allybot run` process against the fake Discord (50-150 ms a REST call; the fake
Telegram stays idle), on the real clock, people acting about once a second. The reminder loop
ticks every 30 s, so what it sends (announcement, reminder, cancellation notice) arrives up to
30 s after it is due. The whole test takes about two and a half to three minutes of wall time.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from content.i18n import format_time_range
from tests.adapters.discord.fake_payloads import JSON, snowflake
from tests.e2e.conftest import BotProcess
from tests.e2e.discord import (
    LaggyDiscord,
    action_args,
    answer,
    answer_button,
    button,
    content,
    dm_form_answer,
    dm_press,
)
from tests.e2e.people import eventually, pause, texts

EVENT_ZONE = "Europe/Moscow"  # the venue's
TITLE = "Vigil"
PLACE, NEW_PLACE = "Pushkin Square", "Mayakovsky Square"
DESCRIPTION = "Candles and names, for those who cannot speak for themselves."
# Reminders come from 5 minutes before at the earliest (`/reminders` refuses less); the event
# starts at the first whole minute at least this far ahead, so the reminder is due within about
# a minute and a half of its creation.
LEAD = "5m"
STARTS_AFTER = timedelta(minutes=5, seconds=50)
# A tick of the reminder loop (30 s) and the API's latency, at most.
LOOP_S = 40.0
ORGANIZER_LOCALE = "en-US"


@dataclass(frozen=True)
class Supporter:
    """Someone who talks to the bot in their own DM channel with it."""

    name: str
    user_id: int
    dm: int
    locale: str  # the Discord client's
    zone: str
    rsvp: str  # "going" or "maybe"

    @property
    def language(self) -> str:
        return self.locale[:2]


def starting_soon() -> tuple[datetime, datetime]:
    """The start (a whole minute, STARTS_AFTER from now or a little more) and the end, an hour
    later, both in EVENT_ZONE."""
    earliest = datetime.now(UTC) + STARTS_AFTER
    starts = (earliest + timedelta(minutes=1)).replace(second=0, microsecond=0)
    zone = ZoneInfo(EVENT_ZONE)
    return starts.astimezone(zone), (starts + timedelta(hours=1)).astimezone(zone)


def natural_start(starts: datetime) -> str:
    """The start as an organizer types it: today or tomorrow at HH:MM, at the venue."""
    today = datetime.now(UTC).astimezone(starts.tzinfo).date()
    day = "today" if starts.date() == today else "tomorrow"
    assert starts.date() - today <= timedelta(days=1)
    return f"{day} at {starts:%H:%M}"


def before(starts: datetime) -> str:
    """A time alone, on the start's day, before the start (the start itself just after 00:00)."""
    earlier = starts - timedelta(minutes=30)
    return f"{earlier:%H:%M}" if earlier.date() == starts.date() else "00:00"


def end_text(starts: datetime, ends: datetime) -> str:
    """The end as typed: the time alone, or with its date when it falls on the next day."""
    return f"{ends:%H:%M}" if ends.date() == starts.date() else f"{ends:%Y-%m-%d %H:%M}"


def in_words(moment: datetime) -> str:
    """A time as the form echoes it in English: "Tuesday 1 December 2026, 17:17"."""
    return f"{moment:%A} {moment.day} {moment:%B %Y, %H:%M}"


def local_when(person: Supporter, starts: datetime, ends: datetime) -> str:
    """How the bot writes the event's time for `person`: in their zone and language."""
    return "🕒 " + format_time_range(starts, ends, ZoneInfo(person.zone), person.language)


def seen(message: JSON) -> str:
    """A message's text as a person reads it (Discord shows `\\.` as `.`)."""
    return content(message).replace("\\", "")


# Longer than the suite's 120 s: the reminder comes minutes after the event is created.
@pytest.mark.timeout(300)
async def test_a_discord_organizers_day_from_a_form_event_to_its_cancellation(
    discord: LaggyDiscord, both: BotProcess
) -> None:
    await both.start()
    supporters = (
        Supporter("Dana", snowflake(), snowflake(), "en-US", "Europe/Berlin", "going"),
        Supporter("Дамир", snowflake(), snowflake(), "ru", "America/New_York", "maybe"),
    )

    async def slash(person: Supporter, name: str, options: dict[str, str]) -> str:
        interaction = await discord.dm_slash(
            name, options, user_id=person.user_id, dm=person.dm, locale=person.locale
        )
        return seen(await answer(discord, interaction))

    async def get_ready(person: Supporter) -> None:
        """Each supporter: their time zone, the events topic, and reminders 5 minutes before."""
        _ = texts(person.language)
        zone = await slash(person, "settings", {"what": "timezone", "value": person.zone})
        assert person.zone in zone, zone
        await pause()
        # Full texts, also for Дамир, whose Russian DM would be discreet until he chose.
        await slash(person, "settings", {"what": "discreet", "value": "off"})
        await pause()
        done = await slash(person, "subscribe", {"topic": "events"})
        assert _("Done: you will get reminders about {topic}.").split("{")[0] in done, done
        await pause()
        leads = await slash(person, "reminders", {"times": LEAD})
        assert "5" in leads, leads

    await asyncio.gather(*(get_ready(person) for person in supporters))

    # The organizer creates the event through the form in their DM with the bot.
    organizer, org_dm = discord.organizer_id, snowflake()
    where = {"user_id": organizer, "dm": org_dm, "locale": ORGANIZER_LOCALE}
    await pause()
    intro = await answer(
        discord, await discord.dm_slash("newevent", {}, user_id=organizer, dm=org_dm)
    )
    await pause()
    question = await dm_press(discord, intro, button(intro, "Start"), **where)
    assert "Which time zone is the venue in?" in seen(question), seen(question)
    await pause()
    question = await dm_form_answer(discord, question, "Moscow", **where)
    assert f"Time zone: {EVENT_ZONE}." in seen(question), seen(question)
    assert "What is the event called?" in seen(question), seen(question)
    await pause()
    when_question = await dm_form_answer(discord, question, TITLE, **where)
    asking_start = "When does it start?"
    assert asking_start in seen(when_question), seen(when_question)

    # A start it cannot read: the same question again, with the error, and an Answer button.
    await pause()
    again = await dm_form_answer(discord, when_question, "soon", **where)
    assert seen(again).startswith("I could not read the start “soon”."), seen(again)
    assert seen(again).endswith("\n\n" + seen(when_question)), seen(again)
    answer_button(again)
    await pause()
    starts, ends = starting_soon()
    end_question = await dm_form_answer(discord, again, natural_start(starts), **where)
    starts_echo = f"Starts: {in_words(starts)} ({EVENT_ZONE})."
    # The start in words comes with the next question, before it.
    assert seen(end_question).startswith(starts_echo + "\n\n"), seen(end_question)
    asking_end = "When does it end?"
    assert asking_end in seen(end_question), seen(end_question)

    # An end before the start: said so, and the same question again.
    await pause()
    again = await dm_form_answer(discord, end_question, before(starts), **where)
    assert seen(again).startswith("The end must come after the start."), seen(again)
    # The same question, without the start's echo (it was accepted before).
    end_prompt = seen(end_question).split("\n\n")[-1]
    assert end_prompt.startswith(asking_end), seen(end_question)
    assert seen(again).endswith("\n\n" + end_prompt), seen(again)
    answer_button(again)
    await pause()
    place_question = await dm_form_answer(discord, again, end_text(starts, ends), **where)
    assert f"Ends: {in_words(ends)} ({EVENT_ZONE})." in seen(place_question)
    assert "Where is it?" in seen(place_question), seen(place_question)
    await pause()
    about_question = await dm_form_answer(discord, place_question, PLACE, **where)
    assert "Describe it" in seen(about_question), seen(about_question)
    await pause()
    preview = await dm_form_answer(discord, about_question, DESCRIPTION, **where)
    assert seen(preview).startswith("Preview of the new event:"), seen(preview)
    assert TITLE in seen(preview) and EVENT_ZONE in seen(preview), seen(preview)
    await pause()
    published = await dm_press(discord, preview, button(preview, "Publish"), **where)
    assert seen(published).startswith("Published."), seen(published)
    [event_id] = action_args(published, "ics")
    published_at = time.monotonic()

    def in_dm(person: Supporter, words: str) -> list[JSON]:
        return [m for m in discord.channel_messages[person.dm] if seen(m).startswith(words)]

    # Each supporter is told once, in their zone and language, and says they will come.
    async def announced_and_rsvp(person: Supporter) -> None:
        _ = texts(person.language)
        new_event = _("📣 New event: “{title}”").format(title=TITLE)
        await discord.wait_for(lambda: bool(in_dm(person, new_event)), within=LOOP_S)
        [announcement] = in_dm(person, new_event)
        assert local_when(person, starts, ends) in seen(announcement), seen(announcement)
        await pause()
        going_label = _("🙋 I'll be there: {title}").format(title=TITLE)[:80]
        going = await dm_press(
            discord,
            announcement,
            button(announcement, going_label),
            user_id=person.user_id,
            dm=person.dm,
            locale=person.locale,
        )
        said = _("Your answer for “{title}”: {answer}.")
        assert said.format(title=TITLE, answer=_("going")) in seen(going), seen(going)
        if person.rsvp == "maybe":
            await pause()
            [maybe_id] = [
                str(b["custom_id"])
                for row in going["components"]
                for b in row["components"]
                if b.get("label") == _("maybe")
            ]
            maybe = await dm_press(
                discord, going, maybe_id, user_id=person.user_id, dm=person.dm, locale=person.locale
            )
            assert said.format(title=TITLE, answer=_("maybe")) in seen(maybe), seen(maybe)

    await asyncio.gather(*(announced_and_rsvp(person) for person in supporters))

    # The reminder, five minutes before the start (give or take a tick), in each one's zone.
    due = starts - timedelta(minutes=5)
    wait_s = (due - datetime.now(UTC)).total_seconds() + LOOP_S

    async def reminded(person: Supporter) -> None:
        _ = texts(person.language)
        reminder_words = _("⏰ Reminder: “{title}” starts in {lead}.").split("{")[0]
        await discord.wait_for(lambda: bool(in_dm(person, reminder_words)), within=wait_s)
        arrived = datetime.now(UTC)
        [reminder] = in_dm(person, reminder_words)
        assert TITLE in seen(reminder) and "5" in seen(reminder).split("\n")[0], seen(reminder)
        assert local_when(person, starts, ends) in seen(reminder), seen(reminder)
        assert due - timedelta(seconds=1) <= arrived <= due + timedelta(seconds=LOOP_S)

    await asyncio.gather(*(reminded(person) for person in supporters))

    # The organizer moves it, then cancels it.
    await pause()
    changed = await answer(
        discord,
        await discord.dm_slash(
            "editevent",
            {"event": event_id, "field": "place", "value": NEW_PLACE},
            user_id=organizer,
            dm=org_dm,
        ),
    )
    assert NEW_PLACE in seen(changed), seen(changed)
    await pause()
    updated = await dm_press(discord, changed, button(changed, "Publish"), **where)
    assert seen(updated).startswith("Updated."), seen(updated)
    await pause()
    question = await answer(
        discord,
        await discord.dm_slash("cancelevent", {"event": event_id}, user_id=organizer, dm=org_dm),
    )
    assert "2 chats said they would or might come" in seen(question), seen(question)
    await pause()
    cancelled = await dm_press(discord, question, button(question, "Yes, cancel it"), **where)
    assert seen(cancelled).startswith("Cancelled"), seen(cancelled)

    # Each supporter who said they would or might come is told once.
    await eventually(lambda: all(in_dm(person, "❌") for person in supporters), within=LOOP_S)
    for person in supporters:
        [notice] = in_dm(person, "❌")
        assert TITLE in seen(notice), seen(notice)
    await asyncio.sleep(5)  # a duplicate would come from the next tick, or a re-plan
    for person in supporters:
        kinds = Counter(
            word
            for message in discord.channel_messages[person.dm]
            for word in ("📣", "⏰", "❌")
            if seen(message).startswith(word)
        )
        assert kinds == {"📣": 1, "⏰": 1, "❌": 1}, (person.name, kinds)
        # And nothing else: the answers to their commands and presses are interaction replies.
        assert len(discord.channel_messages[person.dm]) == 3, discord.channel_messages[person.dm]
    assert time.monotonic() - published_at < 4 * 60
    assert "Traceback" not in both.stderr, both.stderr
