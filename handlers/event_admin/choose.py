"""Which event, and which of its fields: buttons for /editevent and /cancelevent typed alone.

Organizers do not know event ids; they know titles and dates. The events offered are the upcoming
ones the asker may change (campaign-wide ones for organizers, the group's own for its admins), at
most MAX_OFFERED; a typed id still works. The dispatcher puts each offered value on a button
that answers the question (bot.core.commands.Arg.offer).
"""

from __future__ import annotations

from babel.dates import format_datetime

from bot.core.i18n import N_
from bot.core.labels import shorten
from bot.core.messages import Request
from bot.core.reminders.values import EventStatus
from bot.core.timezones import zone_named
from handlers.deps import Deps
from handlers.event_admin.access import check_may_change
from handlers.events import find_event
from handlers.policy import may_manage

MAX_OFFERED = 10
# A button's label: the title cut short, then the date ("Rally for Chechnya · 5 Dec, 14:00").
TITLE_SHOWN = 40
FIELD_LABELS = {
    "title": N_("Title"),
    "start": N_("Start"),
    "end": N_("End"),
    "timezone": N_("Time zone"),
    "place": N_("Place"),
    "description": N_("Description"),
}


async def offer_events(request: Request, deps: Deps) -> tuple[tuple[str, str], ...]:
    """(label, id) of the upcoming events the asker may change, soonest first."""
    upcoming = await deps.events.visible(request.chat, deps.clock(), past=False)
    zone = zone_named(request.tz)
    offered: list[tuple[str, str]] = []
    for event in upcoming:
        if event.from_content or event.status is not EventStatus.SCHEDULED:
            continue
        if not may_manage(request, deps, event.scope):
            continue
        title = event.title.get(request.locale)
        title = shorten(title, TITLE_SHOWN)
        when = format_datetime(
            event.starts_at.astimezone(zone), "d MMM, HH:mm", locale=request.locale or "en"
        )
        offered.append((f"{title} · {when}", event.id))
        if len(offered) == MAX_OFFERED:
            break
    return tuple(offered)


async def offer_fields(request: Request, deps: Deps) -> tuple[tuple[str, str], ...]:
    """(label, field) for each field /editevent changes, in the asker's language."""
    _ = deps.gettext(request)
    return tuple((_(label), field) for field, label in FIELD_LABELS.items())


async def check_event(request: Request, deps: Deps) -> str:
    """Refuse an unknown event, or one the asker may not change, as soon as its id is given."""
    # So the question is asked again (with the buttons) before the field and value are asked.
    event = await find_event(request, deps, request.args[0])
    check_may_change(event, request, deps)
    return ""
