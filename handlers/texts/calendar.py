"""RFC 5545 calendar files for events, so supporters can add them with one tap."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from bot.core.reminders.values import EventInfo, EventStatus


def event_ics(
    event: EventInfo, locale: str | None, now: datetime, *, neutral_title: str | None = None
) -> bytes:
    """One VEVENT with the event's own time zone, so calendars show it at the right wall time.

    With `neutral_title` (discreet mode) the entry says only that and where and when: no
    title, description or link that would tell a glance at the calendar what it is.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//allybot//campaign events//EN")
    calendar.add("version", "2.0")
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
    calendar.add_component(entry)
    calendar.add_missing_timezones()
    ics: bytes = calendar.to_ical()
    return ics
