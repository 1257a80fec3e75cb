"""What the dashboard's Events pages need beyond the EventStore, handed in by bot/dashboard.py.

Each part is the chat's own code, passed in rather than written again: the RSVP counts /rsvp
shows, the step-by-step form's per-answer check (Dispatcher.check_answer), the calendar files
/ics sends, and the way reminders write an event's time. The web adapter may import none of
handlers/ or content/; it gets them here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.messages import Request
from bot.core.ports import RsvpAnswer
from bot.core.reminders.values import EventInfo

# Dashboard.parts key of the EventsDesk.
EVENTS = "events"


@dataclass(frozen=True, slots=True)
class EventsDesk:
    """The Events pages' view of the core."""

    # An event's answers by kind, as /rsvp counts them (shown through `count`, masked under 10).
    rsvp_counts: Callable[[str], Awaitable[Mapping[RsvpAnswer, int]]]
    # The check of the last of request.args, the answers to `form_command` so far: its echo,
    # or UserError with the chat's own refusal.
    check: Callable[[Request], Awaitable[str]]
    # The step-by-step command whose checks the form runs, and the order it asks its fields in.
    form_command: str
    form_fields: tuple[str, ...]
    # The public iCalendar feed: (events, language, now, calendar name) -> the file.
    feed: Callable[[Sequence[EventInfo], str | None, datetime, str], bytes]
    # "Saturday, 5 December 2026, 19:00–21:00 (Berlin)": an event's time in a zone and language.
    when: Callable[[datetime, datetime, ZoneInfo, str | None], str]
