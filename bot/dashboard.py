"""The dashboard's composition: the core's parts it may use, and its server beside the bot.

`allybot run` serves it beside the platforms when WEB_LISTEN is set; `allybot web` serves it
alone (with the platforms only for sending what its actions cause: an approval request, a
cancelled event's notice).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.adapters.web import make_app, serve_web
from bot.content_check import ContentCheck
from bot.core.dashboard.content import CONTENT
from bot.core.dashboard.events import EVENTS, EventsDesk
from bot.core.dashboard.ports import Dashboard
from bot.core.dashboard.stats import Stats
from content.i18n import format_time_range
from db.stores.stats import SqlStats
from handlers.event_admin.form import FORM_FIELDS
from handlers.texts.calendar import events_feed

if TYPE_CHECKING:
    from bot.app import Core


def build_dashboard(core: Core) -> Dashboard:
    """The Dashboard port for `core`."""
    return Dashboard(
        access=core.web_access,
        dispatch=core.dispatcher.dispatch,
        translator=core.translator,
        clock=core.deps.clock,
        events=core.deps.events,
        broadcasts=core.broadcasts,
        organizers=core.settings.organizers,
        base_url=core.settings.dashboard_url,
        parts={
            EVENTS: events_desk(core),
            CONTENT: ContentCheck(core.settings.content_dir, core.deps.clock),
            # The overview's counts, read at most every few seconds (bot.core.dashboard.stats).
            "stats": Stats(SqlStats(core.engine), core.deps.clock),
        },
    )


def events_desk(core: Core) -> EventsDesk:
    """The Events pages' parts: the chat's RSVP counts, form checks, calendar and times."""
    return EventsDesk(
        rsvp_counts=core.store.rsvp_counts,
        check=core.dispatcher.check_answer,
        form_command="eventform",
        form_fields=FORM_FIELDS,
        feed=events_feed,
        when=format_time_range,
    )


async def run_dashboard(core: Core, listen: str, stop: asyncio.Event) -> None:
    """Serve the dashboard on `listen` until `stop` is set."""
    await serve_web(make_app(build_dashboard(core)), listen, stop)
