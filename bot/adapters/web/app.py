"""The dashboard's aiohttp application: middlewares, pages, static files."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.adapters.web.pages import (
    act,
    broadcasts,
    content,
    events,
    events_form,
    login,
    overview,
    public,
)
from bot.adapters.web.render import DASHBOARD, ENVIRONMENT, environment
from bot.adapters.web.security import headers_middleware
from bot.adapters.web.session import sessions
from bot.core.dashboard.ports import Dashboard

STATIC = Path(__file__).parent / "static"
# events_form before events: /events/new and /events/check before /events/{id}.
PAGES = (login, overview, act, events_form, events, public, content, broadcasts)


def make_app(dashboard: Dashboard) -> web.Application:
    """The whole dashboard for one core."""
    app = web.Application(
        middlewares=[headers_middleware(dashboard.secure), sessions],
        # Forms are short: a broadcast's text is at most a few thousand characters.
        client_max_size=256 * 1024,
    )
    app[DASHBOARD] = dashboard
    app[ENVIRONMENT] = environment()
    for page in PAGES:
        app.router.add_routes(page.routes)
    app.router.add_static("/static/", STATIC, append_version=True)
    return app
