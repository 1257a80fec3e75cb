"""Any button of the bot's answers, pressed in the browser: POST /act with its command and
arguments, answered with the bot's own reply (and its buttons, as more such forms)."""

from __future__ import annotations

from aiohttp import web

from bot.adapters.web.acting import ALLOWED, act
from bot.adapters.web.render import render
from bot.core.messages import ActionButton, Reply, UrlButton

routes = web.RouteTableDef()


def actions(reply: Reply) -> list[ActionButton]:
    """The reply's buttons a page can offer as forms (the others need the chat)."""
    return [b for b in reply.buttons if isinstance(b, ActionButton) and b.command in ALLOWED]


def links(reply: Reply) -> list[UrlButton]:
    return [b for b in reply.buttons if isinstance(b, UrlButton)]


@routes.post("/act")
async def press(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    command = str(form.get("command", ""))
    args = [str(value) for value in form.getall("arg", [])]
    reply = await act(request, command, *args)
    back = str(form.get("back", "/"))
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    return render(
        request,
        "reply.html",
        {"reply": reply, "actions": actions(reply), "links": links(reply), "back": back},
    )
