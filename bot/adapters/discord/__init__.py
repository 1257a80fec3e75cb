"""The Discord adapter: discord.py slash commands and buttons in, messages and announcements out.

The only package that knows Discord. It translates, and decides nothing: interactions become
core Requests (interactions.py), a question's answer comes through an Answer button's modal or,
in a DM, as a typed message (forms.py, direct.py), Replies become Discord messages (render.py,
messenger.py), the registry becomes slash commands by each argument's kind, named per language
as it declares (commands.py, sync.py), and /setup's questions about servers are answered from
discord.py's cache (probe.py).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, Protocol

from bot.adapters import CoreParts
from bot.adapters.discord.api import PLATFORM, DiscordLoginError
from bot.adapters.discord.endpoints import use_endpoints
from bot.adapters.discord.messenger import DiscordMessenger, DiscordStore
from bot.adapters.discord.sync import sync_commands
from bot.core.ports import SentMessages

__all__ = [
    "DiscordCoreParts",
    "DiscordLoginError",
    "DiscordMessenger",
    "build_discord",
    "sync_commands",
]


class DiscordCoreParts(CoreParts, Protocol):
    """What the Discord adapter needs from the composition root's Core."""

    @property
    def server_setups(self) -> DiscordStore: ...

    @property
    def server_probes(self) -> MutableMapping[str, Any]: ...

    @property
    def chat_events(self) -> SentMessages: ...


def build_discord(core: DiscordCoreParts, *, outbound_only: bool = False) -> DiscordMessenger:
    """The Discord messenger from the settings; its probe answers /setup's server questions.
    `outbound_only`: a sender process's, which only sends (no gateway, no slash commands)."""
    settings = core.settings
    token = settings.discord_bot_token
    if token is None:
        raise ValueError("DISCORD_BOT_TOKEN is not set")
    shard = (
        (settings.discord_shard_id, settings.discord_shard_count)
        if settings.discord_shard_count is not None and settings.discord_shard_id is not None
        else None
    )
    # Before any client exists: discord.py reads these when it connects (process-wide, see there).
    use_endpoints(settings.discord_api_base_url, settings.discord_gateway_url)
    messenger = DiscordMessenger(
        token.get_secret_value(),
        core.registry,
        core.translator,
        core.server_setups,
        sent_messages=core.chat_events,
        # Slash commands are global: shard 0 (or the only gateway) uploads them, once.
        sync_on_start=not outbound_only and (shard is None or shard[0] == 0),
        outbound_only=outbound_only,
        shard=shard,
    )
    core.server_probes[PLATFORM] = messenger.probe
    return messenger
