"""Where discord.py reaches Discord: discord.com unless DISCORD_API_BASE_URL and
DISCORD_GATEWAY_URL say otherwise (a fake Discord in end-to-end tests, or a proxy)."""

from __future__ import annotations

import discord.gateway
import discord.http
import yarl


def use_endpoints(api_base_url: str | None, gateway_url: str | None) -> None:
    """Point discord.py at these URLs; None leaves its default.

    discord.py keeps both as class attributes, so this is process-wide: it must run before a
    client is created, and it is fine because a process runs one Discord client (one bot token).
    """
    if api_base_url:
        # Route joins BASE and a path that starts with "/": no trailing slash here.
        discord.http.Route.BASE = api_base_url.rstrip("/")
    if gateway_url:
        # discord.py adds its own query (v, encoding, compress) with yarl's with_query.
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
