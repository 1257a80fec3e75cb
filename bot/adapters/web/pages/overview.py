"""The overview: the campaign at a glance, as charts with their numbers beside them.

Only organizers see campaign-wide counts; a group's or server's admin is told where their own
group's numbers are, and never sees another group's.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from aiohttp import web
from markupsafe import Markup

from bot.adapters.web.charts import Bar, bar_chart
from bot.adapters.web.render import (
    DASHBOARD,
    ENVIRONMENT,
    count_markup,
    count_text,
    gettext,
    language,
    ngettext,
    render,
)
from bot.core.dashboard.stats import (
    BROADCAST_SENT,
    ERASED,
    REMINDER_SENT,
    SUBSCRIBED,
    CampaignStats,
    Stats,
)

routes = web.RouteTableDef()
PLATFORMS = {"telegram": "Telegram", "discord": "Discord"}
# The charts and tables drawn for a reading of the counts, by language: the same until the next
# reading, however many organizers reload. Keyed by the reading's identity, checked with `is`.
_DRAWN: OrderedDict[tuple[int, str], tuple[CampaignStats, Markup]] = OrderedDict()
DRAWN_KEPT = 8


@routes.get("/")
async def overview(request: web.Request) -> web.StreamResponse:
    grant = request.get("grant")
    stats: Stats | None = request.app[DASHBOARD].parts.get("stats")
    if grant is None or not grant.organizer or stats is None:
        return render(request, "overview.html", {"campaign": None})
    campaign = await stats.campaign()
    return render(request, "overview.html", page_values(request, campaign))


def page_values(request: web.Request, campaign: CampaignStats) -> dict[str, Any]:
    """The overview's values: its charts and tables drawn once per reading and language."""
    key = (id(campaign), language(request))
    drawn = _DRAWN.get(key)
    if drawn is None or drawn[0] is not campaign:
        values = {
            "_": gettext(request),
            "ngettext": ngettext(request),
            "count": lambda n: count_markup(request, n),
            **_context(request, campaign),
        }
        template = request.app[ENVIRONMENT].get_template("_overview.html")
        drawn = (campaign, Markup(template.render(values)))  # noqa: S704  (autoescaped)
        _DRAWN[key] = drawn
        if len(_DRAWN) > DRAWN_KEPT:
            _DRAWN.popitem(last=False)
    return {"campaign": campaign, "content": drawn[1]}


def _context(request: web.Request, campaign: CampaignStats) -> dict[str, Any]:
    _ = gettext(request)
    text: Callable[[int], str] = lambda n: count_text(request, n)  # noqa: E731
    weeks = [week.isoformat() for week in campaign.weeks]
    weekly = (
        (SUBSCRIBED, _("New subscriptions per week")),
        (ERASED, _("Erasures per week")),
        (REMINDER_SENT, _("Reminders sent per week")),
        (BROADCAST_SENT, _("Broadcast messages delivered per week")),
    )
    charts: list[tuple[str, Markup]] = []
    for what, title in weekly:
        bars = [Bar(week, n) for week, n in zip(weeks, campaign.weekly[what], strict=True)]
        description = _(
            "One bar per week, oldest first; counts under 10 are drawn as a hatched stub."
        )
        axes = (_("Week of"), _("Count"))
        charts.append((title, bar_chart(what, title, description, bars, axes, text)))
    topics = campaign.by_topic()
    title = _("Subscribers by topic")
    topic_chart = bar_chart(
        "topics",
        title,
        _(
            "One bar per topic: active chats subscribed, on every platform and in every"
            " language, leaving out groups of fewer than 10."
        ),
        [Bar(topic, n) for topic, n in topics],
        (_("Topic"), _("Subscribers")),
        text,
    )
    cells = sorted(campaign.subscribers, key=lambda c: (c.topic, c.platform, c.language or ""))
    return {
        "campaign": campaign,
        "as_of": campaign.as_of.strftime("%H:%M:%S"),
        "topic_chart": (title, topic_chart),
        "cells": [
            (c.topic, PLATFORMS.get(c.platform, c.platform), c.language, c.count) for c in cells
        ],
        "weekly_charts": charts,
        "weekly_rows": [
            (week, [campaign.weekly[what][i] for what, _title in weekly])
            for i, week in enumerate(weeks)
        ],
        "weekly_titles": [title for _what, title in weekly],
    }
