"""/newevent, /editevent, /cancelevent: organizers (and a group's admins) manage events in chat.

Campaign organizers make campaign-wide events; a group's or server's admins make events for their
own chat only. Every change shows a preview first; the unconfirmed version is stored as a draft
(it expires) so that the Publish button needs to carry only its id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.commands import UserError
from bot.core.messages import ActionButton, Address, Reply, Request
from bot.core.ports import RsvpAnswer
from bot.core.reminders.values import EventDraft, EventInfo, EventStatus
from bot.core.timezones import resolve_zone, suggest_zones
from handlers.deps import Deps
from handlers.events import describe, event_buttons, find_event
from handlers.policy import is_group_admin, is_organizer, may_manage, may_publish
from handlers.prefs import save_chat_if_new

FIELDS = ("title", "start", "end", "timezone", "place", "description")
MAX_TITLE, MAX_PLACE, MAX_DESCRIPTION = 80, 500, 1500
MAX_LENGTH = timedelta(days=14)
FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H.%M",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H.%M",
    "%d.%m.%y %H:%M",
    "%d/%m/%Y %H:%M",
)


def parse_wall_time(text: str) -> datetime | None:
    """'2027-03-29 18:00' or '29.03.2027 18:00' -> a naive wall-clock time; None if unreadable."""
    cleaned = " ".join(text.replace(",", " ").split())
    for pattern in FORMATS:
        try:
            return datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
    return None


def parse_end(text: str, starts: datetime) -> datetime | None:
    """A full date and time, or just a time on the start's day ('20:00')."""
    full = parse_wall_time(text)
    if full is not None:
        return full
    for pattern in ("%H:%M", "%H.%M"):
        try:
            at = datetime.strptime(text.strip(), pattern).time()
        except ValueError:
            continue
        ends = datetime.combine(starts.date(), at)
        return ends if ends > starts else ends + timedelta(days=1)
    return None


def _new_scope(request: Request, deps: Deps) -> Address | None:
    """Where a new event goes: everywhere (organizers) or this group (its admins)."""
    _ = deps.gettext(request)
    if is_organizer(request, deps):
        return None
    if is_group_admin(request):
        return request.chat
    raise UserError(
        _(
            "Only campaign organizers can create events for everyone, and a group's admins for "
            "their own group."
        )
    )


def _check_manage(event: EventInfo, request: Request, deps: Deps) -> None:
    _ = deps.gettext(request)
    if event.from_content:
        raise UserError(
            _(
                "“{title}” comes from the campaign's content files; change it there "
                "(content/data/events.yaml)."
            ).format(title=event.title.get(request.locale))
        )
    if not may_manage(request, deps, event.scope):
        raise UserError(_("Only campaign organizers or this group's admins can change this event."))


def _zone(text: str, _: Callable[[str], str]) -> str:
    zone = resolve_zone(text)
    if zone is None:
        message = _("“{value}” is not a time zone I know.").format(value=text)
        suggestions = suggest_zones(text)
        if suggestions:
            message += " " + _("Did you mean one of these?") + " " + ", ".join(suggestions)
        else:
            message += " " + _("Use a name like Europe/Berlin or America/New_York.")
        raise UserError(message)
    return zone


def _checked(draft: EventDraft, now: datetime, _: Callable[[str], str]) -> EventDraft:
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


def _start_error(value: str, _: Callable[[str], str]) -> str:
    return _("I could not read the start “{value}”. Write it like 2027-03-29 18:00.").format(
        value=value
    )


def _end_error(value: str, _: Callable[[str], str]) -> str:
    return _("I could not read the end “{value}”. Write it like 2027-03-29 20:00 or 20:00.").format(
        value=value
    )


def _draft_from_args(args: tuple[str, ...], request: Request, deps: Deps) -> EventDraft:
    _ = deps.gettext(request)
    title, start_text, end_text, zone_text, place, description = args
    starts = parse_wall_time(start_text)
    if starts is None:
        raise UserError(
            _("I could not read the start “{value}”. Write it like 2027-03-29 18:00.").format(
                value=start_text
            )
        )
    ends = parse_end(end_text, starts)
    if ends is None:
        raise UserError(
            _(
                "I could not read the end “{value}”. Write it like 2027-03-29 20:00 or 20:00."
            ).format(value=end_text)
        )
    draft = EventDraft(title, starts, ends, _zone(zone_text, _), place, description)
    return _checked(draft, deps.clock(), _)


def _preview(event: EventInfo, request: Request, deps: Deps, heading: str) -> Reply:
    _ = deps.gettext(request)
    if event.scope is None:
        audience = _("Everyone will see it in /events; chats subscribed to events get reminders.")
    else:
        audience = _("Only this chat will see it and get its reminders.")
    text = "\n\n".join((heading, describe(event, request, deps), audience))
    return Reply(
        text,
        buttons=(
            ActionButton(_("✅ Publish"), "eventdraft", (event.id, "publish")),
            ActionButton(_("✖ Discard"), "eventdraft", (event.id, "discard")),
        ),
    )


async def newevent(request: Request, deps: Deps) -> Reply:
    """Create an event: step by step, or all at once from slash-command options."""
    _ = deps.gettext(request)
    store = deps.events
    scope = _new_scope(request, deps)
    if len(request.args) < len(FIELDS):
        where = _("for everyone") if scope is None else _("for this group only")
        return Reply(
            _(
                "Let's create an event {where}. I will ask for its title, start, end, time zone, "
                "place or link, and description, then show a preview before anything is published."
            ).format(where=where),
            buttons=(ActionButton(_("✏️ Start"), "eventform"),),
        )
    draft = _draft_from_args(request.args, request, deps)
    if scope is not None:
        await save_chat_if_new(request, deps)
    event = await store.save_draft(draft, scope, deps.clock())
    return _preview(event, request, deps, _("Preview of the new event:"))


async def eventdraft(request: Request, deps: Deps) -> Reply:
    """Publish or discard a previewed draft (from its buttons)."""
    _ = deps.gettext(request)
    store = deps.events
    draft_id, action = (*request.args, "", "")[:2]
    now = deps.clock()
    draft = await store.get_draft(draft_id, now)
    if draft is None:
        return Reply(_("This draft has expired or was already used. Start again if needed."))
    if not may_publish(request, deps, draft.scope):
        raise UserError(_("Only campaign organizers or this group's admins can publish this."))
    if action == "discard":
        await store.discard(draft_id)
        return Reply(_("Discarded. Nothing was published."))
    if draft.starts_at <= now:
        raise UserError(_("That start time has already passed. Events must start in the future."))
    event = await store.confirm(draft_id, now)
    if event is None:
        return Reply(_("This draft has expired or was already used. Start again if needed."))
    heading = _("Updated.") if draft.edit_of else _("Published.")
    return Reply(
        heading + "\n\n" + describe(event, request, deps),
        buttons=tuple(event_buttons(event, request.locale, _)),
    )


def _as_draft(event: EventInfo) -> EventDraft:
    return EventDraft(
        title=event.title.text,
        starts_local=event.starts_at.replace(tzinfo=None),
        ends_local=event.ends_at.replace(tzinfo=None),
        timezone=event.timezone,
        place=event.place.text,
        description=event.description.text,
        url=event.url,
    )


async def editevent(request: Request, deps: Deps) -> Reply:
    """Change one field of an event, with a preview to confirm."""
    _ = deps.gettext(request)
    store = deps.events
    event_id, field, value = request.args
    event = await find_event(request, deps, event_id)
    _check_manage(event, request, deps)
    if event.status is not EventStatus.SCHEDULED:
        raise UserError(_("That event was cancelled; it can no longer be changed."))
    old = _as_draft(event)
    if field == "start":
        starts = parse_wall_time(value)
        if starts is None:
            raise UserError(_start_error(value, _))
        # Moving the start keeps the event's length.
        draft = replace(
            old, starts_local=starts, ends_local=starts + (old.ends_local - old.starts_local)
        )
    elif field == "end":
        ends = parse_end(value, old.starts_local)
        if ends is None:
            raise UserError(_end_error(value, _))
        draft = replace(old, ends_local=ends)
    elif field == "timezone":
        draft = replace(old, timezone=_zone(value, _))
    elif field == "title":
        draft = replace(old, title=value)
    elif field == "place":
        draft = replace(old, place=value)
    else:
        draft = replace(old, description=value)
    draft = _checked(draft, deps.clock(), _)
    pending = await store.save_draft(draft, event.scope, deps.clock(), edit_of=event.id)
    return _preview(pending, request, deps, _("Preview of the changed event:"))


async def cancelevent(request: Request, deps: Deps) -> Reply:
    """Cancel an event after a confirmation; those who said they would come are told."""
    _ = deps.gettext(request)
    store = deps.events
    event = await find_event(request, deps, request.args[0])
    _check_manage(event, request, deps)
    title = event.title.get(request.locale)
    if event.status is EventStatus.CANCELLED:
        return Reply(_("“{title}” is already cancelled.").format(title=title))
    if request.args[1:] != ("confirm",):
        counts = await deps.store.rsvp_counts(event.id)
        coming = counts.get(RsvpAnswer.GOING, 0) + counts.get(RsvpAnswer.MAYBE, 0)
        return Reply(
            _(
                "Cancel “{title}”? {count} chats said they would or might come; they will be told."
            ).format(title=title, count=coming)
            + "\n\n"
            + describe(event, request, deps),
            buttons=(ActionButton(_("❌ Yes, cancel it"), "cancelevent", (event.id, "confirm")),),
        )
    cancelled = await store.cancel(event.id, deps.clock())
    if cancelled is None:
        return Reply(_("“{title}” is already cancelled.").format(title=title))
    return Reply(
        _("Cancelled “{title}”. Everyone who said they would or might come will be told.").format(
            title=title
        )
    )
