"""An event draft: built from what was typed or from a stored event, checked like a calendar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.commands import UserError
from bot.core.reminders.values import EventDraft, EventInfo
from handlers.event_admin.parse import read_end, read_start, read_zone

# An event's fields in the order /newevent takes (and asks for) them.
FIELDS = ("title", "start", "end", "timezone", "place", "description")
MAX_TITLE, MAX_PLACE, MAX_DESCRIPTION = 80, 500, 1500
MAX_LENGTH = timedelta(days=14)


def check_title(title: str, _: Callable[[str], str]) -> str:
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise UserError(_("A title needs 1 to {count} characters.").format(count=MAX_TITLE))
    return title


def check_place(place: str, _: Callable[[str], str]) -> str:
    place = place.strip()
    if not place or len(place) > MAX_PLACE:
        raise UserError(_("A place or link needs 1 to {count} characters.").format(count=MAX_PLACE))
    return place


def check_description(description: str, _: Callable[[str], str]) -> str:
    description = description.strip()
    if not description or len(description) > MAX_DESCRIPTION:
        raise UserError(
            _("A description needs 1 to {count} characters.").format(count=MAX_DESCRIPTION)
        )
    return description


def check_start(starts: datetime, zone: str, now: datetime, _: Callable[[str], str]) -> None:
    if starts.replace(tzinfo=ZoneInfo(zone)) <= now:
        raise UserError(_("That start time has already passed. Events must start in the future."))


def check_end(starts: datetime, ends: datetime, zone: str, _: Callable[[str], str]) -> None:
    # Compared as instants: a clock change between start and end moves the wall clock.
    start_at, end_at = (t.replace(tzinfo=ZoneInfo(zone)) for t in (starts, ends))
    if end_at <= start_at:
        raise UserError(_("The end must come after the start."))
    if end_at - start_at > MAX_LENGTH:
        raise UserError(_("An event can last at most 14 days."))


def checked(draft: EventDraft, now: datetime, _: Callable[[str], str]) -> EventDraft:
    """Friendly errors for what a calendar would get wrong."""
    title = check_title(draft.title, _)
    place = check_place(draft.place, _)
    description = check_description(draft.description, _)
    check_start(draft.starts_local, draft.timezone, now, _)
    check_end(draft.starts_local, draft.ends_local, draft.timezone, _)
    url = place if place.startswith("https://") and " " not in place else None
    return EventDraft(
        title, draft.starts_local, draft.ends_local, draft.timezone, place, description, url
    )


def draft_from_fields(
    fields: tuple[str, ...], now: datetime, _: Callable[[str], str]
) -> EventDraft:
    """A checked draft from the typed FIELDS, in their order."""
    title, start_text, end_text, zone_text, place, description = fields
    # The zone first: the start and end are read as the venue's wall-clock times.
    zone = read_zone(zone_text, _)
    starts = read_start(start_text, zone, now, _)
    ends = read_end(end_text, starts, zone, now, _)
    draft = EventDraft(title, starts, ends, zone, place, description)
    return checked(draft, now, _)


def draft_of(event: EventInfo) -> EventDraft:
    """A stored event as the draft an edit starts from."""
    return EventDraft(
        title=event.title.text,
        starts_local=event.starts_at.replace(tzinfo=None),
        ends_local=event.ends_at.replace(tzinfo=None),
        timezone=event.timezone,
        place=event.place.text,
        description=event.description.text,
        url=event.url,
    )


def with_change(
    old: EventDraft, field: str, value: str, now: datetime, _: Callable[[str], str]
) -> EventDraft:
    """`old` with one field (one of FIELDS) set from what was typed, checked."""
    if field == "start":
        starts = read_start(value, old.timezone, now, _)
        # Moving the start keeps the event's length.
        draft = replace(
            old, starts_local=starts, ends_local=starts + (old.ends_local - old.starts_local)
        )
    elif field == "end":
        ends = read_end(value, old.starts_local, old.timezone, now, _)
        draft = replace(old, ends_local=ends)
    elif field == "timezone":
        draft = replace(old, timezone=read_zone(value, _))
    elif field == "title":
        draft = replace(old, title=value)
    elif field == "place":
        draft = replace(old, place=value)
    else:
        draft = replace(old, description=value)
    return checked(draft, now, _)
