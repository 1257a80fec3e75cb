"""The content files' events as the platform-neutral values handlers and reminders use."""

from __future__ import annotations

from bot.core.reminders.values import EventInfo, Localized
from content.schema import Campaign, Event, Status, Text


def _localized(text: Text) -> Localized:
    return Localized(text.en, (("ru", text.ru),) if text.ru else ())


def content_event(event: Event) -> EventInfo:
    """A content-file event as the platform-neutral value every handler and reminder uses."""
    return EventInfo(
        id=event.id,
        title=_localized(event.title),
        description=_localized(event.description),
        place=_localized(event.place),
        timezone=event.timezone,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        how_to_help=_localized(event.how_to_help),
        url=event.url,
        topics=event.topics,
        from_content=True,
    )


def content_events(campaign: Campaign) -> tuple[EventInfo, ...]:
    """Every event of the content files that is not closed (cancelled), for the event store;
    a historic one is listed among past events by its dates."""
    return tuple(content_event(e) for e in campaign.events if e.status is not Status.CLOSED)
