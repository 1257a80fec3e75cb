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
from bot.core.dashboard.ports import Dashboard

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
            CONTENT: ContentCheck(core.settings.content_dir, core.deps.clock),
        },
    )


async def run_dashboard(core: Core, listen: str, stop: asyncio.Event) -> None:
    """Serve the dashboard on `listen` until `stop` is set."""
    await serve_web(make_app(build_dashboard(core)), listen, stop)
