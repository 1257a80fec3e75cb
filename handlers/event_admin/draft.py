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


def checked(draft: EventDraft, now: datetime, _: Callable[[str], str]) -> EventDraft:
    """Friendly errors for what a calendar would get wrong."""
    title, place, description = draft.title.strip(), draft.place.strip(), draft.description.strip()
    if not title or len(title) > MAX_TITLE:
        raise UserError(_("A title needs 1 to {count} characters.").format(count=MAX_TITLE))
    if not place or len(place) > MAX_PLACE:
        raise UserError(_("A place or link needs 1 to {count} characters.").format(count=MAX_PLACE))
    if not description or len(description) > MAX_DESCRIPTION:
        raise UserError(
            _("A description needs 1 to {count} characters.").format(count=MAX_DESCRIPTION)
        )
    zone = ZoneInfo(draft.timezone)
    starts = draft.starts_local.replace(tzinfo=zone)
    ends = draft.ends_local.replace(tzinfo=zone)
    if starts <= now:
        raise UserError(_("That start time has already passed. Events must start in the future."))
    if ends <= starts:
        raise UserError(_("The end must come after the start."))
    if ends - starts > MAX_LENGTH:
        raise UserError(_("An event can last at most 14 days."))
    url = place if place.startswith("https://") and " " not in place else None
    return EventDraft(
        title, draft.starts_local, draft.ends_local, draft.timezone, place, description, url
    )


def draft_from_fields(
    fields: tuple[str, ...], now: datetime, _: Callable[[str], str]
) -> EventDraft:
    """A checked draft from the typed FIELDS, in their order."""
    title, start_text, end_text, zone_text, place, description = fields
    starts = read_start(start_text, _)
    ends = read_end(end_text, starts, _)
    draft = EventDraft(title, starts, ends, read_zone(zone_text, _), place, description)
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
        starts = read_start(value, _)
        # Moving the start keeps the event's length.
        draft = replace(
            old, starts_local=starts, ends_local=starts + (old.ends_local - old.starts_local)
        )
    elif field == "end":
        draft = replace(old, ends_local=read_end(value, old.starts_local, _))
    elif field == "timezone":
        draft = replace(old, timezone=read_zone(value, _))
    elif field == "title":
        draft = replace(old, title=value)
    elif field == "place":
        draft = replace(old, place=value)
    else:
        draft = replace(old, description=value)
    return checked(draft, now, _)
