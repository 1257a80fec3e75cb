"""/eventform: the step-by-step event, each answer checked as it is typed (bot.core.dispatcher
runs each Arg's `check`), so one bad answer is asked again instead of losing the whole draft.

The time zone comes first, offered as a button (the chat's own) or typed: the start and end are
then read as the venue's wall-clock time and a past start is refused at once. An accepted start
and end are echoed back in words ("Starts: Saturday 5 December 2026, 19:00 (Europe/Berlin).")
so a misread date shows before the preview, not after publishing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from babel.dates import format_datetime

from bot.core.commands import Arg, ArgKind
from bot.core.i18n import N_
from bot.core.messages import Reply, Request
from bot.core.timezones import zone_display
from handlers.deps import Deps
from handlers.event_admin.create import newevent
from handlers.event_admin.draft import (
    FIELDS,
    check_description,
    check_end,
    check_place,
    check_start,
    check_title,
)
from handlers.event_admin.parse import read_end, read_start, read_zone
from handlers.settings import SUGGESTED_ZONES

# The form's order: the zone first, so every later answer can be read and checked in it.
FORM_FIELDS = ("timezone", "title", "start", "end", "place", "description")
# "Saturday 5 December 2026, 19:00": the weekday and month in words, never a bare 05.12.
SPELLED_OUT = "EEEE d MMMM y, HH:mm"


def spelled(moment: datetime, locale: str | None) -> str:
    return format_datetime(moment, SPELLED_OUT, locale=locale or "en")


def _answers(request: Request) -> dict[str, str]:
    return dict(zip(FORM_FIELDS, request.args, strict=False))


async def _zone(request: Request, deps: Deps) -> str:
    _ = deps.gettext(request)
    zone = read_zone(_answers(request)["timezone"], _)
    return _("Time zone: {zone}.").format(zone=zone_display(zone))


async def _title(request: Request, deps: Deps) -> str:
    check_title(_answers(request)["title"], deps.gettext(request))
    return ""


def _start(request: Request, deps: Deps) -> tuple[str, datetime]:
    _ = deps.gettext(request)
    answers = _answers(request)
    zone = read_zone(answers["timezone"], _)
    starts = read_start(answers["start"], zone, deps.clock(), _)
    check_start(starts, zone, deps.clock(), _)
    return zone, starts


async def _start_echo(request: Request, deps: Deps) -> str:
    _ = deps.gettext(request)
    zone, starts = _start(request, deps)
    when = spelled(starts, request.locale)
    return _("Starts: {when} ({zone}).").format(when=when, zone=zone_display(zone))


async def _end_echo(request: Request, deps: Deps) -> str:
    _ = deps.gettext(request)
    zone, starts = _start(request, deps)
    ends = read_end(_answers(request)["end"], starts, zone, deps.clock(), _)
    check_end(starts, ends, zone, _)
    when = spelled(ends, request.locale)
    return _("Ends: {when} ({zone}).").format(when=when, zone=zone_display(zone))


async def _place(request: Request, deps: Deps) -> str:
    check_place(_answers(request)["place"], deps.gettext(request))
    return ""


async def _description(request: Request, deps: Deps) -> str:
    check_description(_answers(request)["description"], deps.gettext(request))
    return ""


async def _zones_offered(request: Request, deps: Deps) -> tuple[tuple[str, str], ...]:
    """The chat's own zone when it has one (most events are near their organizers), else the
    usual suggestions."""
    if request.tz and request.tz != "UTC":
        return ((request.tz, request.tz),)
    return tuple((zone, zone) for zone in SUGGESTED_ZONES)


def form_fields() -> tuple[Arg, ...]:
    """The form's arguments in FORM_FIELDS order, each asked in turn and checked when given."""
    return (
        Arg(
            "timezone",
            N_("the venue's time zone, e.g. Europe/London"),
            kind=ArgKind.TIMEZONE,
            prompt=N_(
                "Which time zone is the venue in? Press it, or type it, e.g. Europe/London or "
                "Berlin. The start and end are read in it."
            ),
            check=_zone,
            offer=_zones_offered,
        ),
        Arg("title", N_("the event's title"), prompt=N_("What is the event called?"), check=_title),
        Arg(
            "start",
            N_("start, e.g. 2027-03-29 18:00"),
            prompt=N_(
                "When does it start? Local time at the venue, e.g. tomorrow 18:00, Saturday "
                "19:00 or 2027-03-29 18:00."
            ),
            check=_start_echo,
        ),
        Arg(
            "end",
            N_("end, e.g. 2027-03-29 20:00"),
            prompt=N_(
                "When does it end? Just the time, e.g. 20:00, or a date and time if it ends "
                "on another day."
            ),
            check=_end_echo,
        ),
        Arg(
            "place",
            N_("the place or a link"),
            prompt=N_("Where is it? An address, or a https:// link for online events."),
            check=_place,
        ),
        Arg(
            "description",
            N_("what it is and how to help"),
            rest=True,
            prompt=N_("Describe it in a few sentences: what happens and how to help."),
            check=_description,
        ),
    )


async def eventform(request: Request, deps: Deps) -> Reply:
    """The form's answers, in /newevent's order, make the event's preview."""
    answers = _answers(request)
    ordered = tuple(answers[name] for name in FIELDS if name in answers)
    return await newevent(replace(request, args=ordered), deps)
