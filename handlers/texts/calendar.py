"""RFC 5545 calendar files for events, so supporters can add them with one tap."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from icalendar import Calendar, vDuration
from icalendar import Event as CalendarEvent

from bot.core.reminders.values import EventInfo, EventStatus

# How often a subscribed calendar should fetch the feed again.
FEED_REFRESH = timedelta(hours=1)


def event_ics(
    event: EventInfo, locale: str | None, now: datetime, *, neutral_title: str | None = None
) -> bytes:
    """One VEVENT with the event's own time zone, so calendars show it at the right wall time.

    With `neutral_title` (discreet mode) the entry says only that and where and when: no
    title, description or link that would tell a glance at the calendar what it is.
    """
    calendar = _calendar()
    calendar.add_component(_entry(event, locale, now, neutral_title))
    calendar.add_missing_timezones()
    ics: bytes = calendar.to_ical()
    return ics


def events_feed(events: Sequence[EventInfo], locale: str | None, now: datetime, name: str) -> bytes:
    """A subscribable calendar of `events` (the public feed): each entry as `event_ics` writes
    it, with the same UID (so an event added alone and by the feed is one entry), and how often
    calendars should fetch it again."""
    calendar = _calendar()
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    # Google Calendar reads neither: it refreshes on its own schedule (about a day).
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    for event in events:
        calendar.add_component(_entry(event, locale, now, None))
    calendar.add_missing_timezones()
    ics: bytes = calendar.to_ical()
    return ics


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//allybot//campaign events//EN")
    calendar.add("version", "2.0")
    return calendar


def _entry(
    event: EventInfo, locale: str | None, now: datetime, neutral_title: str | None
) -> CalendarEvent:
    entry = CalendarEvent()
    entry.add("uid", f"{event.id}@allybot")
    entry.add("dtstamp", now)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", neutral_title or event.title.get(locale))
    entry.add("location", event.place.get(locale))
    if neutral_title is None:
        description = event.description.get(locale)
        if event.how_to_help is not None:
            description += "\n\n" + event.how_to_help.get(locale)
        entry.add("description", description)
    if event.status is EventStatus.CANCELLED:
        # Calendars that imported the event earlier mark it cancelled on re-import.
        entry.add("status", "CANCELLED")
    if event.url and neutral_title is None:
        entry.add("url", event.url)
    return entry
