"""The session cookie: who is looking, checked on every page but the public ones.

The cookie holds a random token (the database keeps its hash, bot/core/dashboard/access.py);
it is HttpOnly, SameSite=Strict, Secure (and `__Host-`-prefixed) when served over HTTPS, and it
ends after 30 minutes without a request. Every POST of a signed-in page carries the session's
CSRF token.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.adapters.web.render import DASHBOARD
from bot.adapters.web.security import csrf_token, same_origin
from bot.core.dashboard.access import Grant

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Reachable without a session, by the route that matched (not by the path's first letters, so
# "/publicity" or "/events.ics.bak" is never public by accident): the sign-in page, the login
# link, static files, the public events page and feed, and anything under /public/.
PUBLIC = frozenset(
    ("/signin", "/login/{token}", "/static", "/events.ics", "/favicon.ico", "/healthz", "/public")
)
PUBLIC_UNDER = "/public/"


def cookie_name(secure: bool) -> str:
    return "__Host-allybot" if secure else "allybot"


def start_session(response: web.StreamResponse, token: str, secure: bool) -> None:
    """Set the session cookie (no Max-Age: it also ends when the browser closes)."""
    response.set_cookie(
        cookie_name(secure), token, httponly=True, secure=secure, samesite="Strict", path="/"
    )


def end_session(response: web.StreamResponse, secure: bool) -> None:
    response.del_cookie(cookie_name(secure), path="/", secure=secure, samesite="Strict")


def grant_of(request: web.Request) -> Grant:
    """The signed-in person's grant (pages behind the session middleware only)."""
    grant: Grant = request["grant"]
    return grant


@web.middleware
async def sessions(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Attach the session's grant and CSRF token; send everyone else to the sign-in page."""
    dashboard = request.app[DASHBOARD]
    token = request.cookies.get(cookie_name(dashboard.secure), "")
    if request.path.startswith("/static/"):
        # A stylesheet or a script says nothing about anyone: no session read for it.
        token = ""
    grant = await dashboard.access.session(token) if token else None
    if grant is not None:
        request["grant"] = grant
        request["session"] = token
        request["csrf"] = csrf_token(token)
    if request.method == "POST":
        if not same_origin(request):
            raise web.HTTPForbidden(text="cross-site request refused")
        if grant is not None and not request.path.startswith("/login/"):
            form = await request.post()
            sent = str(form.get("csrf", request.headers.get("X-CSRF-Token", "")))
            # As bytes: compare_digest refuses str with non-ASCII characters (a 500, not a 403).
            if not hmac.compare_digest(sent.encode(), request["csrf"].encode()):
                raise web.HTTPForbidden(text="stale form: reload the page and try again")
    if grant is None and not _public(request):
        raise web.HTTPSeeOther("/signin")
    return await handler(request)


def _public(request: web.Request) -> bool:
    """Whether the route that matched is a public one (an unknown path is not)."""
    resource = request.match_info.route.resource
    if resource is None:
        return False
    canonical = resource.canonical
    return canonical in PUBLIC or canonical.startswith(PUBLIC_UNDER)
