"""/events: upcoming (or past) events in the asker's time zone, with calendar files and RSVPs.

Events come from the campaign's content files and from organizers in chat, through one port
(`deps.events`): campaign-wide events and this chat's own, soonest (or, past, latest) first.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from bot.core.commands import UserError
from bot.core.messages import ActionButton, Attachment, Button, Reply, Request, UrlButton
from bot.core.reminders.values import EventInfo, EventStatus
from bot.core.timezones import zone_named
from content.i18n import format_time_range
from handlers.deps import Deps
from handlers.texts.calendar import event_ics

# The word asking a discreet chat's calendar file and links for their full titles.
FULL = "full"
# Past events are a record, not a feed: the most recent few are enough.
PAST_SHOWN = 10


async def find_event(request: Request, deps: Deps, event_id: str | None) -> EventInfo:
    """The event this chat may see, or a friendly error."""
    _ = deps.gettext(request)
    event = await deps.events.get(event_id) if event_id else None
    if event is None or (event.scope is not None and event.scope != request.chat):
        raise UserError(_("I don't know that event any more. Send /events to see what is on."))
    return event


def describe(
    event: EventInfo, request: Request, deps: Deps, *, show_id: bool = False, past: bool = False
) -> str:
    """One event: what, when (in the asker's zone), where, and how to help.

    Internal ids are shown only where an organizer needs them (`show_id`: their own previews and
    /events for organizers). A `past` event is told in the past tense, without a call to come.
    """
    _ = deps.gettext(request)
    locale = request.locale
    zone = zone_named(request.tz)
    cancelled = event.status is EventStatus.CANCELLED
    title = event.title.get(locale)
    when = format_time_range(event.starts_at, event.ends_at, zone, locale)
    if past:
        if cancelled:
            title += " " + _("(cancelled)")
            when = _("Was planned for: {when}").format(when=when)
        else:
            when = _("Took place: {when}").format(when=when)
    lines = [title, "🕒 " + when]
    if zone.key != event.timezone:
        lines.append(
            "   "
            + _("local time:")
            + " "
            + format_time_range(event.starts_at, event.ends_at, ZoneInfo(event.timezone), locale)
        )
    lines.append("📍 " + event.place.get(locale))
    lines.append(event.description.get(locale))
    if event.how_to_help is not None and not past:
        lines.append(_("How to help:") + " " + event.how_to_help.get(locale))
    if cancelled and not past:
        lines.insert(0, _("❌ Cancelled"))
    if show_id and event.stored:
        lines.append(_("Event id: {id}").format(id=event.edit_of or event.id))
    return "\n".join(lines)


def event_buttons(event: EventInfo, locale: str | None, _: Callable[[str], str]) -> list[Button]:
    """Add to calendar, RSVP, and the event's own link."""
    title = event.title.get(locale)
    buttons: list[Button] = [
        # Whole: each platform's adapter shortens a label to its own limit, at a word.
        ActionButton(_("📅 Add to calendar: {title}").format(title=title), "ics", (event.id,)),
        ActionButton(
            _("🙋 I'll be there: {title}").format(title=title), "rsvp", (event.id, "going")
        ),
    ]
    if event.url:
        buttons.append(UrlButton(title, event.url))
    return buttons


async def events(request: Request, deps: Deps) -> Reply:
    """List upcoming events, or past ones with `/events past`."""
    _ = deps.gettext(request)
    now = deps.clock()
    if request.args[:1] == ("past",):
        past = (await deps.events.visible(request.chat, now, past=True))[:PAST_SHOWN]
        if not past:
            return Reply(_("There are no past events on record yet."))
        body = "\n\n".join(describe(e, request, deps, past=True) for e in past)
        return Reply(_("Past events:") + "\n\n" + body)

    upcoming = await deps.events.visible(request.chat, now, past=False)
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
    buttons = [b for event in upcoming for b in event_buttons(event, request.locale, _)]
    organizer = request.user in deps.organizers
    body = "\n\n".join(describe(e, request, deps, show_id=organizer) for e in upcoming)
    return Reply(_("Upcoming events:") + "\n\n" + body, buttons=tuple(buttons))


async def ics(request: Request, deps: Deps) -> Reply:
    """The event as a calendar file (in a discreet chat titled "Meeting" unless asked in full)."""
    _ = deps.gettext(request)
    event = await find_event(request, deps, request.args[0] if request.args else None)
    full = not request.discreet or request.args[1:2] == (FULL,)
    if not full:
        content = event_ics(event, request.locale, deps.clock(), neutral_title=_("Meeting"))
        return Reply(
            _(
                "Open the file to add it to your calendar. In discreet mode it is called "
                "“Meeting”, without a description."
            ),
            buttons=(ActionButton(_("📅 With the full title"), "ics", (event.id, FULL)),),
            attachment=Attachment("meeting.ics", content, "text/calendar"),
        )
    content = event_ics(event, request.locale, deps.clock())
    return Reply(
        _("Open the file to add “{title}” to your calendar.").format(
            title=event.title.get(request.locale)
        ),
        # A content event's id is a readable slug; a stored event's ("e_12") is internal.
        attachment=Attachment(
            f"{event.id if event.from_content else 'event'}.ics", content, "text/calendar"
        ),
    )
