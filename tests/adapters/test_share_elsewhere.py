"""Where a platform cannot link into the bot (Discord, the console), a share button opens the
campaign's own public page, or is left out when the campaign has none."""

from __future__ import annotations

import io

import discord

from bot.adapters.console import ConsoleMessenger
from bot.adapters.discord.render import build_view
from bot.core.messages import ActionButton, Address, Reply, ShareButton

PAGE = "https://example.org/campaign"


async def test_discord_shows_the_campaign_page_or_leaves_the_button_out() -> None:
    view = build_view((ShareButton("📣 Share", "appeal", "Help", PAGE),))
    assert view is not None
    [button] = view.children
    assert isinstance(button, discord.ui.Button)
    assert (button.label, button.url) == ("📣 Share", PAGE)
    assert build_view((ShareButton("📣 Share", "appeal", "Help"),)) is None
    kept = build_view((ShareButton("📣 Share", "appeal", "Help"), ActionButton("Go", "events")))
    assert kept is not None and [b.label for b in kept.children] == ["Go"]  # type: ignore[attr-defined]


async def test_the_console_prints_the_campaign_page_or_nothing() -> None:
    out = io.StringIO()
    console = ConsoleMessenger(stdin=io.StringIO(), stdout=out)
    buttons = (
        ShareButton("Share", "appeal", "Help", PAGE),
        ShareButton("Share too", "appeal", "Help"),
        ActionButton("Go", "events"),
    )
    await console.send(Address("console", "local"), Reply("Hello", buttons=buttons))
    assert out.getvalue() == f"Hello\n  [Share] {PAGE}\n  1) Go\n\n"
