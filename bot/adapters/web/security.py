"""Headers every answer carries, and the CSRF token every form must send back.

The Content-Security-Policy lets a page load only the app's own scripts, styles and images (no
CDN, no fonts from elsewhere, no inline script); `Referrer-Policy: same-origin` keeps a login
link's token from leaking to a site a page links to (and, unlike no-referrer, lets the browser
name our own origin on a POST, which `same_origin` checks).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import traceback
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
log = logging.getLogger(__name__)


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session: derived from it, so nothing more is stored."""
    return hmac.new(session_token.encode(), b"allybot-csrf", hashlib.sha256).hexdigest()


def same_origin(request: web.Request) -> bool:
    """Whether a POST comes from one of our own pages (a missing Origin is an old browser or a
    test client: SameSite=Strict and the CSRF token still hold; "null" is refused)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    host = request.headers.get("X-Forwarded-Host") or request.host
    return origin.split("://", 1)[-1] == host


def headers_middleware(secure: bool) -> Middleware:
    @web.middleware
    async def add_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as error:
            response = error
        except Exception as error:
            # Logged by type and stack only: an error's text, like the request's path, may carry
            # a login token or an id. Answered here so that even this page has the headers.
            stack = "".join(traceback.format_tb(error.__traceback__))
            log.error("dashboard: a page failed with %s\n%s", type(error).__name__, stack)
            response = web.HTTPInternalServerError(text="Something went wrong on our side.")
        response.headers.update(HEADERS)
        if secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if not request.path.startswith("/static/"):
            # Pages show counts and drafts: never kept by a shared cache or the back button.
            response.headers.setdefault("Cache-Control", "no-store")
        if isinstance(response, web.HTTPException):
            raise response
        return response

    return add_headers
