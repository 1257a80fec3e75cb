"""The public events, without signing in: a page and an iCalendar feed (/events.ics).

Only the campaign's upcoming events: no group's or server's own, nothing about who is coming
(no RSVP counts). The page reads in the browser's language or ?lang=, each time in the venue's
zone and, when the reader names one (?tz=), in theirs. The feed's entries keep the UIDs the
chat's /ics files use ("<event id>@allybot"), so they are the same across fetches and restarts,
and ask calendars to fetch it again hourly.
"""

from __future__ import annotations

import functools
from zoneinfo import ZoneInfo, available_timezones

from aiohttp import web

from bot.adapters.web.pages.events import desk
from bot.adapters.web.render import DASHBOARD, gettext, language, render
from bot.core.reminders.values import EventInfo, EventStatus

routes = web.RouteTableDef()
FEED_CACHE = "public, max-age=3600"


async def public_events(request: web.Request) -> list[EventInfo]:
    dashboard = request.app[DASHBOARD]
    listed = await dashboard.events.listed(dashboard.clock(), past=False)
    return [e for e in listed if e.scope is None and e.status is EventStatus.SCHEDULED]


@functools.cache
def zone_names() -> frozenset[str]:
    """The IANA names (read from disk once: each call of available_timezones() walks it)."""
    return frozenset(available_timezones())


def reader_zone(request: web.Request) -> str | None:
    chosen = request.query.get("tz", "").strip()
    return chosen if chosen in zone_names() else None


@routes.get("/public/events")
async def page(request: web.Request) -> web.StreamResponse:
    lang = language(request)
    parts = desk(request)
    zone = reader_zone(request)
    shown = []
    for event in await public_events(request):
        here = parts.when(event.starts_at, event.ends_at, ZoneInfo(event.timezone), lang)
        yours = parts.when(event.starts_at, event.ends_at, ZoneInfo(zone), lang) if zone else ""
        shown.append(
            {
                "title": event.title.get(lang),
                "when": here,
                "yours": yours if yours != here else "",
                "place": event.place.get(lang),
                "description": event.description.get(lang),
                "url": event.url,
            }
        )
    feed_url = f"{request.app[DASHBOARD].base_url}/events.ics?lang={lang}"
    context = {
        "events": shown,
        "zone": zone or "",
        "typed_zone": request.query.get("tz", ""),
        "feed_url": feed_url,
    }
    return render(request, "public_events.html", context)


@routes.get("/events.ics")
async def feed(request: web.Request) -> web.StreamResponse:
    lang = language(request)
    name = gettext(request)("Campaign events")
    now = request.app[DASHBOARD].clock()
    body = desk(request).feed(await public_events(request), lang, now, name)
    response = web.Response(body=body, content_type="text/calendar", charset="utf-8")
    # Public and the same for everyone: a proxy may keep it for the hour calendars wait anyway.
    response.headers["Cache-Control"] = FEED_CACHE
    response.headers["Content-Disposition"] = 'inline; filename="events.ics"'
    return response
