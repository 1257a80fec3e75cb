"""Signing in with a one-time link from /dashboard, and signing out.

Opening the link shows a button; only pressing it (a POST) uses the link. Chat apps fetch a
link's page to draw its preview: a GET must not spend it.
"""

from __future__ import annotations

from aiohttp import web

from bot.adapters.web.render import (
    DASHBOARD,
    LANG_COOKIE,
    LANGUAGES,
    remember_language,
    render,
)
from bot.adapters.web.session import end_session, start_session

routes = web.RouteTableDef()


@routes.get("/signin")
async def signin(request: web.Request) -> web.StreamResponse:
    """How to get in: ask the bot."""
    if request.get("grant") is not None:
        raise web.HTTPSeeOther("/")
    return render(request, "signin.html")


@routes.get("/login/{token}")
async def login_page(request: web.Request) -> web.StreamResponse:
    return render(request, "login.html", {"token": request.match_info["token"]})


@routes.post("/login/{token}")
async def login(request: web.Request) -> web.StreamResponse:
    """Spend the link: a session on success, a clear refusal otherwise."""
    dashboard = request.app[DASHBOARD]
    signed_in = await dashboard.access.log_in(request.match_info["token"])
    if signed_in is None:
        return render(request, "login_refused.html", status=403)
    token, grant = signed_in
    previous = request.get("session")
    if previous:
        # A new link replaces the session this browser had: one session per browser.
        await dashboard.access.log_out(previous)
    response = web.HTTPSeeOther("/")
    start_session(response, token, dashboard.secure)
    if LANG_COOKIE not in request.cookies and grant.locale in LANGUAGES:
        # The dashboard speaks the language the person speaks to the bot, until they switch.
        remember_language(response, str(grant.locale), dashboard.secure)
    raise response


@routes.post("/logout")
async def logout(request: web.Request) -> web.StreamResponse:
    dashboard = request.app[DASHBOARD]
    session = request.get("session")
    if session:
        await dashboard.access.log_out(session)
    response = web.HTTPSeeOther("/signin")
    end_session(response, dashboard.secure)
    raise response
