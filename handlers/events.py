"""/events: upcoming (or past) events in the asker's time zone, with calendar files and RSVPs."""

from __future__ import annotations

from bot.core.commands import UserError
from bot.core.messages import ActionButton, Attachment, Button, Reply, Request, UrlButton
from content.i18n import format_time_range
from content.schema import Event
from handlers.calendar import event_ics
from handlers.deps import Deps
from handlers.prefs import zone_of

# Past events are a record, not a feed: the most recent few are enough.
PAST_SHOWN = 10


def describe(event: Event, request: Request, deps: Deps) -> str:
    """One event: what, when (in the asker's zone), where, and how to help."""
    _ = deps.gettext(request)
    locale = request.locale
    zone = zone_of(request)
    lines = [
        event.title.get(locale),
        "🕒 " + format_time_range(event.starts_at, event.ends_at, zone, locale),
    ]
    if zone.key != event.timezone:
        lines.append(
            "   "
            + _("local time:")
            + " "
            + format_time_range(event.starts_at, event.ends_at, event.zone, locale)
        )
    lines.append("📍 " + event.place.get(locale))
    lines.append(event.description.get(locale))
    lines.append(_("How to help:") + " " + event.how_to_help.get(locale))
    return "\n".join(lines)


async def events(request: Request, deps: Deps) -> Reply:
    """List upcoming events, or past ones with `/events past`."""
    _ = deps.gettext(request)
    now = deps.clock()
    if request.args[:1] == ("past",):
        past = sorted(
            (e for e in deps.campaign.events if e.ends_at <= now),
            key=lambda e: e.starts_at,
            reverse=True,
        )[:PAST_SHOWN]
        if not past:
            return Reply(_("There are no past events on record yet."))
        body = "\n\n".join(describe(e, request, deps) for e in past)
        return Reply(_("Past events:") + "\n\n" + body)

    upcoming = sorted(
        (e for e in deps.campaign.events if e.ends_at > now), key=lambda e: e.starts_at
    )
    if not upcoming:
        return Reply(
            _(
                "No events are planned right now. Subscribe and I will tell you as soon as a "
                "fundraiser or rally is announced."
            )
            + "\n"
            + _("Past events: /events past"),
            buttons=(ActionButton(_("🔔 Tell me about new events"), "subscribe", ("events",)),),
        )
    buttons: list[Button] = []
    for event in upcoming:
        title = event.title.get(request.locale)
        buttons.append(
            ActionButton(
                _("📅 Add to calendar: {title}").format(title=title)[:80], "ics", (event.id,)
            )
        )
        buttons.append(
            ActionButton(
                _("🙋 I'll be there: {title}").format(title=title)[:80], "rsvp", (event.id, "going")
            )
        )
        if event.url:
            buttons.append(UrlButton(title, event.url))
    body = "\n\n".join(describe(e, request, deps) for e in upcoming)
    return Reply(_("Upcoming events:") + "\n\n" + body, buttons=tuple(buttons))


def _event(request: Request, deps: Deps) -> Event:
    _ = deps.gettext(request)
    event = deps.campaign.event(request.args[0]) if request.args else None
    if event is None:
        raise UserError(_("I don't know that event any more. Send /events to see what is on."))
    return event


async def ics(request: Request, deps: Deps) -> Reply:
    """The event as a calendar file."""
    _ = deps.gettext(request)
    event = _event(request, deps)
    content = event_ics(event, request.locale, deps.clock())
    return Reply(
        _("Open the file to add “{title}” to your calendar.").format(
            title=event.title.get(request.locale)
        ),
        attachment=Attachment(f"{event.id}.ics", content, "text/calendar"),
    )
