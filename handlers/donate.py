"""/donate: the verified funds, what money does, and what to do when you cannot give."""

from __future__ import annotations

from bot.core.messages import ActionButton, Button, Reply, Request, UrlButton
from handlers.deps import Deps


async def donate(request: Request, deps: Deps) -> Reply:
    """Show the verified funds with a link to each; nothing about the asker is stored."""
    _ = deps.gettext(request)
    content = deps.campaign.donate
    locale = request.locale
    parts = [content.intro.get(locale)]
    parts.append("\n".join(f"• {line.get(locale)}" for line in content.impact))
    parts.append(
        "\n".join(
            f"{fund.name.get(locale)}: {fund.description.get(locale)}" for fund in content.funds
        )
    )
    parts.append(content.air_miles.get(locale))
    parts.append(content.share.get(locale))
    buttons: tuple[Button, ...] = (
        *(UrlButton(fund.name.get(locale), fund.url) for fund in content.funds),
        ActionButton(_("🔔 Remind me of appeals"), "subscribe", ("appeals",)),
    )
    return Reply("\n\n".join(parts), buttons=buttons)
