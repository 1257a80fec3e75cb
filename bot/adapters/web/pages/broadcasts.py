"""Broadcasts: compose with a live preview, Confirm, approve, and the history with charts.

Every change is the chat's own command dispatched as the signed-in person (acting.act):
`broadcast <audience> <text>` drafts and answers with the preview, `bcsend` confirms,
`approve <id> yes` is a second organizer's yes, `cancel` stops. The pages only show the bot's
answers (counts under 10 masked) and the stored broadcasts.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.adapters.web.acting import act
from bot.adapters.web.pages.broadcast_chart import delivery_svg
from bot.adapters.web.pages.broadcast_preview import preview_context
from bot.adapters.web.pages.broadcast_view import (
    ACTIONS,
    Delivery,
    audiences,
    broadcast_or_404,
    draft_id,
    masked_text,
    part_labels,
    progress,
    state_label,
    topic_names,
    visible,
)
from bot.adapters.web.render import (
    DASHBOARD,
    ENVIRONMENT,
    count_markup,
    count_text,
    gettext,
    render,
)
from bot.adapters.web.session import grant_of
from bot.core.broadcast.values import UNFINISHED, BroadcastInfo, BroadcastState
from bot.core.messages import Reply

routes = web.RouteTableDef()
HISTORY = 20


def chart(request: web.Request, info: BroadcastInfo) -> dict[str, Any]:
    """A broadcast's delivery chart and the rows of the table beside it."""
    _ = gettext(request)
    labels = part_labels(request)
    parts = [(key, labels[key], n) for key, n in Delivery.of(info).parts()]
    title = _("Delivery of broadcast #{id}").format(id=info.id)
    fewer = count_text(request, 0)
    return {
        "svg": delivery_svg(parts, title, fewer, uid=str(info.id)),
        "rows": [(label, n) for _key, label, n in parts],
        "title": title,
    }


def summary(request: web.Request, info: BroadcastInfo) -> dict[str, Any]:
    """One broadcast as the list shows it."""
    names = topic_names(gettext(request))
    return {
        "info": info,
        "audience": names.get(info.audience, info.audience),
        "state": state_label(request, info),
        "created": info.created_at.strftime("%Y-%m-%d %H:%M UTC"),
        "progress": progress(request, info),
        "labels": part_labels(request),
        "chart": chart(request, info),
        "unfinished": info.state in UNFINISHED,
        "mine": info.created_by == grant_of(request).user,
    }


async def list_page(
    request: web.Request, form: dict[str, str] | None = None, said: str = "", status: int = 200
) -> web.StreamResponse:
    grant = grant_of(request)
    service = request.app[DASHBOARD].broadcasts
    recent = await service.recent(None if grant.organizer else grant.chat, HISTORY)
    shown = [summary(request, info) for info in recent if visible(request, info)]
    form = form or {}
    choices = audiences(request)
    text = form.get("text", "")
    return render(
        request,
        "broadcasts.html",
        {
            "audiences": choices,
            "chosen": form.get("audience", choices[0][0] if choices else ""),
            "text": text,
            "said": said,
            "awaiting": [s for s in shown if s["info"].state is BroadcastState.APPROVAL],
            "history": shown,
            "threshold": service.second_approval_above,
            **preview_context(request, text),
        },
        status=status,
    )


@routes.get("/broadcasts")
async def broadcasts(request: web.Request) -> web.StreamResponse:
    return await list_page(request)


@routes.post("/broadcasts")
async def compose(request: web.Request) -> web.StreamResponse:
    """`/broadcast <audience> <text>` as the person: the draft and its Confirm, or the refusal."""
    form = await request.post()
    audience = str(form.get("audience", ""))
    text = str(form.get("text", "")).replace("\r\n", "\n")
    values = {"audience": audience, "text": text}
    if audience not in dict(audiences(request)):
        raise web.HTTPBadRequest(text="no such audience")
    reply = await act(request, "broadcast", audience, text)
    found = draft_id(reply)
    info = await request.app[DASHBOARD].broadcasts.get(int(found)) if found else None
    if info is None:
        # Refused (an empty or over-long text, a past time) or nobody to reach: the bot's words.
        return await list_page(request, values, masked_text(request, reply.text), status=422)
    return await draft_page(request, info, reply)


async def draft_page(request: web.Request, info: BroadcastInfo, reply: Reply) -> web.Response:
    """The draft: the exact message on both platforms, who gets it, the bot's answer, Confirm."""
    service = request.app[DASHBOARD].broadcasts
    breakdown = await service.breakdown(info.id)
    _ = gettext(request)
    rows = [
        (platform.capitalize(), locale or _("no language set"), n)
        for (platform, locale), n in sorted(breakdown.items())
    ]
    return render(
        request,
        "broadcast_draft.html",
        {
            "info": info,
            "audience": topic_names(_).get(info.audience, info.audience),
            "rows": rows,
            "said": masked_text(request, reply.text),
            "buttons": [b for b in reply.buttons if getattr(b, "command", None) in ACTIONS],
            "actions": ACTIONS,
            **preview_context(request, message=info.message),
        },
    )


@routes.post("/broadcasts/preview")
async def live_preview(request: web.Request) -> web.StreamResponse:
    """The preview panel for the text typed so far (app.js asks, debounced)."""
    form = await request.post()
    context = preview_context(request, str(form.get("text", "")).replace("\r\n", "\n"))
    body = fragment(request, "broadcast_preview.html", context)
    return web.json_response({"html": body, "error": context.get("preview_error") or ""})


def fragment(request: web.Request, template: str, context: dict[str, Any]) -> str:
    """A part of a page, for app.js to put in place (escaped like the pages, counts masked)."""
    values = {"_": gettext(request), "count": lambda n: count_markup(request, n), **context}
    return request.app[ENVIRONMENT].get_template(template).render(values)


@routes.get("/broadcasts/{id}")
async def detail(request: web.Request) -> web.StreamResponse:
    return detail_page(request, await broadcast_or_404(request))


def detail_page(request: web.Request, info: BroadcastInfo, said: str = "") -> web.Response:
    return render(
        request,
        "broadcast_detail.html",
        {**summary(request, info), "said": said, **preview_context(request, message=info.message)},
    )


@routes.get("/broadcasts/{id}/progress")
async def progress_json(request: web.Request) -> web.StreamResponse:
    """Progress for app.js: masked counts, the percent, the time left."""
    info = await broadcast_or_404(request)
    chart_html = fragment(
        request, "broadcast_chart.html", {"item": {"chart": chart(request, info)}}
    )
    return web.json_response({**progress(request, info), "chart": chart_html})


@routes.post("/broadcasts/{id}/{action:confirm|approve|cancel}")
async def press(request: web.Request) -> web.StreamResponse:
    """Confirm, Approve or Cancel, as the bot's buttons do; the page shows the bot's answer."""
    info = await broadcast_or_404(request)
    action = request.match_info["action"]
    command = {v: k for k, v in ACTIONS.items()}[action]
    args = (str(info.id), "yes") if action == "approve" else (str(info.id),)
    reply = await act(request, command, *args)
    info = await request.app[DASHBOARD].broadcasts.get(info.id) or info
    return detail_page(request, info, masked_text(request, reply.text))
