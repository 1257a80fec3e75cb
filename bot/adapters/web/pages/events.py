"""Events: the list with RSVP counts (masked under 10), one event's page, its edit and cancel.

An organizer sees every event; a group's or server's admin sees their own group's (which they
may change) and the campaign-wide ones (read only), and nothing of another group: its id is a
404, as if it did not exist. Every change is the chat's command through `act`, so the chat's
rules hold and the same notices go out (a cancellation reaches everyone who said going).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.adapters.web.acting import act
from bot.adapters.web.pages.act import actions, links
from bot.adapters.web.render import DASHBOARD, gettext, language, render
from bot.adapters.web.session import grant_of
from bot.core.dashboard.access import Grant
from bot.core.dashboard.events import EVENTS, EventsDesk
from bot.core.messages import Reply
from bot.core.ports import RsvpAnswer
from bot.core.reminders.values import EventInfo, EventStatus

routes = web.RouteTableDef()
# What the edit forms offer, in /newevent's order; the chat's /editevent takes the same names.
EDITABLE = ("title", "start", "end", "timezone", "place", "description")
WALL_CLOCK = "%Y-%m-%d %H:%M"


def desk(request: web.Request) -> EventsDesk:
    found: EventsDesk = request.app[DASHBOARD].parts[EVENTS]
    return found


def may_see(grant: Grant, event: EventInfo) -> bool:
    """An organizer sees all; an admin their own group's events and the campaign-wide ones."""
    return grant.organizer or event.scope is None or event.scope == grant.scope


def may_change(grant: Grant, event: EventInfo) -> bool:
    """Content events change in the content files; an admin changes only their group's."""
    if event.from_content or event.status is not EventStatus.SCHEDULED:
        return False
    return grant.organizer or (event.scope is not None and event.scope == grant.scope)


@dataclass(frozen=True, slots=True)
class Row:
    """One event as the pages show it: no chat, no person, only counts."""

    event: EventInfo
    title: str
    when: str
    place: str
    description: str
    going: int
    maybe: int
    group: bool
    editable: bool
    cancelled: bool


async def row(request: web.Request, event: EventInfo) -> Row:
    lang = language(request)
    parts = desk(request)
    counts = await parts.rsvp_counts(event.id)
    return Row(
        event=event,
        title=event.title.get(lang),
        when=parts.when(event.starts_at, event.ends_at, ZoneInfo(event.timezone), lang),
        place=event.place.get(lang),
        description=event.description.get(lang),
        going=counts.get(RsvpAnswer.GOING, 0),
        maybe=counts.get(RsvpAnswer.MAYBE, 0),
        group=event.scope is not None,
        editable=may_change(grant_of(request), event),
        cancelled=event.status is EventStatus.CANCELLED,
    )


def now(request: web.Request) -> datetime:
    return request.app[DASHBOARD].clock()


@routes.get("/events")
async def listing(request: web.Request) -> web.StreamResponse:
    past = request.query.get("when") == "past"
    grant = grant_of(request)
    listed = await request.app[DASHBOARD].events.listed(now(request), past)
    rows = [await row(request, e) for e in listed if may_see(grant, e)]
    return render(request, "events.html", {"rows": rows, "past": past})


async def reachable(request: web.Request) -> EventInfo:
    """The event of the path, or 404 when it does not exist or is another group's."""
    event = await request.app[DASHBOARD].events.get(request.match_info["id"])
    if event is None or not may_see(grant_of(request), event):
        raise web.HTTPNotFound(text=gettext(request)("No such event."))
    return event


@routes.get("/events/{id}")
async def detail(request: web.Request) -> web.StreamResponse:
    event = await reachable(request)
    shown = await row(request, event)
    values = {
        "title": event.title.text,
        "start": event.starts_at.strftime(WALL_CLOCK),
        "end": event.ends_at.strftime(WALL_CLOCK),
        "timezone": event.timezone,
        "place": event.place.text,
        "description": event.description.text,
    }
    return render(request, "events_detail.html", {"row": shown, "values": values})


def answered(request: web.Request, reply: Reply, back: str) -> web.Response:
    """The bot's answer as the chat shows it, its buttons as forms, and the way back."""
    context = {"reply": reply, "actions": actions(reply), "links": links(reply), "back": back}
    return render(request, "reply.html", context)


@routes.post("/events/{id}/edit")
async def edit(request: web.Request) -> web.StreamResponse:
    """One field changed: the chat's /editevent, answered with its preview and Publish."""
    event = await reachable(request)
    form = await request.post()
    field = str(form.get("field", ""))
    if field not in EDITABLE:
        raise web.HTTPBadRequest(text="unknown field")
    value = str(form.get("value", "")).strip()
    reply = await act(request, "editevent", event.id, field, value)
    return answered(request, reply, f"/events/{event.id}")


@routes.post("/events/{id}/cancel")
async def cancel(request: web.Request) -> web.StreamResponse:
    """The chat's /cancelevent question, asked by the page: the chat's says how many will be
    told as a bare number, which a page shows only as a masked count. Yes sends the chat's
    own `/cancelevent <id> confirm`; the core checks again who may."""
    event = await reachable(request)
    if not may_change(grant_of(request), event):
        reply = await act(request, "cancelevent", event.id)
        return answered(request, reply, f"/events/{event.id}")
    return render(request, "events_cancel.html", {"row": await row(request, event)})
