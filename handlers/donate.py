"""/donate: the open funds with their links, when the links were checked and by whom, what money
does, a safety note for donors in Russia, and the earlier appeals told as history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from babel.dates import format_date

from bot.core.i18n import N_
from bot.core.messages import ActionButton, Button, Reply, Request, ShareButton, UrlButton
from bot.core.timezones import zone_named
from content.schema import Fund, Status
from handlers.deps import Deps
from handlers.events import FULL

# One whole sentence per role (content.schema.CheckedBy), so each language words it naturally.
CHECKED_BY = {
    "campaign team": N_("Links checked on {date} by the campaign team."),
    "organizers": N_("Links checked on {date} by the organizers."),
    "sources": N_(
        "Links taken from the source articles on {date}; the campaign team has not yet opened "
        "them to check. Look at each page before you give."
    ),
}


def _checked(funds: list[Fund], locale: str | None, _: Callable[[str], str]) -> str:
    """The oldest check among the funds shown, per role: never a newer date than is true."""
    oldest: dict[str, date] = {}
    for fund in funds:
        oldest[fund.checked_by] = min(fund.checked, oldest.get(fund.checked_by, fund.checked))
    return " ".join(
        _(CHECKED_BY[role]).format(date=format_date(day, "d MMMM y", locale=locale or "en"))
        for role, day in sorted(oldest.items())
    )


async def donate(request: Request, deps: Deps) -> Reply:
    """Show the funds open today, each with its link; nothing about the asker is stored."""
    _ = deps.gettext(request)
    content = deps.campaign.donate
    locale = request.locale
    today = deps.clock().astimezone(zone_named(request.tz)).date()
    offered = [fund for fund in content.funds if fund.offered(today)]
    history = [fund for fund in content.funds if fund.status is Status.HISTORIC]
    parts = [content.intro.get(locale)]
    parts.append("\n".join(f"• {line.get(locale)}" for line in content.impact))
    if offered:
        funds = "\n".join(f"{f.name.get(locale)}: {f.description.get(locale)}" for f in offered)
        parts.append(funds + "\n" + _checked(offered, locale, _))
    parts.append(
        _(
            '⚠️ If you are in Russia: giving money to the "LGBT movement" is prosecuted there '
            "as financing extremism. Do not donate from a Russian card or account. Your safety "
            "comes first; sharing and talking to people you trust help too."
        )
    )
    parts.append(content.air_miles.get(locale))
    if history:
        parts.append(
            _("What happened before (no longer open):")
            + "\n"
            + "\n".join(f"{f.name.get(locale)}: {f.description.get(locale)}" for f in history)
        )
    parts.append(content.share.text.get(locale))
    page = content.share.page
    linked = [f for f in offered if f.url is not None]
    # In discreet mode the link buttons say nothing about where they lead, unless asked.
    neutral = request.discreet and request.args[:1] != (FULL,)
    links: list[Button] = [
        UrlButton(
            _("🔗 Link {number}").format(number=n) if neutral else f.name.get(locale),
            f.url.get(locale),  # type: ignore[union-attr]
        )
        for n, f in enumerate(linked, start=1)
    ]
    if neutral and linked:
        links.append(ActionButton(_("Show the full link titles"), "donate", (FULL,)))
    buttons: tuple[Button, ...] = (
        *links,
        ShareButton(
            _("📣 Share this appeal"),
            content.share.tag,
            content.share.message.get(locale),
            page.get(locale) if page is not None else None,
        ),
        ActionButton(_("🔔 Remind me of appeals"), "subscribe", ("appeals",)),
    )
    return Reply("\n\n".join(parts), buttons=buttons)
