"""/remember: 29 March, the Chechen LGBT Day of Remembrance, and #100forJustice."""

from __future__ import annotations

from datetime import date

from bot.core.messages import ActionButton, Reply, Request
from bot.core.timezones import zone_named
from handlers.deps import Deps


def next_occurrence(today: date, month: int, day: int) -> date:
    """The next month/day on or after today (29 February falls back to the 28th)."""
    for year in (today.year, today.year + 1, today.year + 2):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = date(year, month, day - 1)
        if candidate >= today:
            return candidate
    raise AssertionError("unreachable: some date within two years qualifies")


async def remember(request: Request, deps: Deps) -> Reply:
    """Why 29 March, how to take part, and how many days are left in the asker's zone."""
    _ = deps.gettext(request)
    content = deps.campaign.remembrance
    locale = request.locale
    today = deps.clock().astimezone(zone_named(request.tz)).date()
    days = (next_occurrence(today, content.month, content.day) - today).days
    if days == 0:
        countdown = _("Today is the Day of Remembrance.")
    else:
        countdown = _("Days until the next Day of Remembrance: {days}.").format(days=days)
    text = "\n\n".join(
        (
            content.title.get(locale),
            content.why.get(locale),
            content.campaign.get(locale),
            countdown,
        )
    )
    return Reply(
        text,
        buttons=(ActionButton(_("🔔 Remind me on 29 March"), "subscribe", ("remembrance",)),),
    )
