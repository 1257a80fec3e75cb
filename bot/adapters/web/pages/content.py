"""The Content page: `allybot content check` in a table, stale items first (organizers only).

A group's or server's admin sees the campaign's content through the bot like everyone else;
what is wrong in the files is the organizers' business, so their session is refused here.
"""

from __future__ import annotations

from aiohttp import web

from bot.adapters.web.render import DASHBOARD, render
from bot.adapters.web.session import grant_of
from bot.core.dashboard.content import CONTENT, ContentCheck

routes = web.RouteTableDef()


@routes.get("/content")
async def content(request: web.Request) -> web.StreamResponse:
    if not grant_of(request).organizer:
        return render(request, "organizers_only.html", status=403)
    check: ContentCheck | None = request.app[DASHBOARD].parts.get(CONTENT)
    if check is None:
        raise web.HTTPNotFound()
    return render(request, "content.html", {"report": await check()})
