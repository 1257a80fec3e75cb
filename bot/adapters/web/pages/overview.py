"""The overview: the campaign at a glance."""

from __future__ import annotations

from aiohttp import web

from bot.adapters.web.render import render

routes = web.RouteTableDef()


@routes.get("/")
async def overview(request: web.Request) -> web.StreamResponse:
    return render(request, "overview.html")
