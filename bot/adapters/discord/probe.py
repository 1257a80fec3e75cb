"""The answers to /setup's questions that only Discord knows (the core's `ServerProbe`): which
server a channel belongs to, which permissions the bot lacks there, what the channel is called.

Everything is read from discord.py's cache of the servers the bot is in (the `guilds` intent),
so no question costs a request.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import discord

from bot.adapters.discord.api import PLATFORM
from bot.core.messages import Address

# The permissions the bot needs in an announcement channel, by the names Discord's UI shows.
REQUIRED_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("View Channel", "view_channel"),
    ("Send Messages", "send_messages"),
    ("Embed Links", "embed_links"),
    ("Attach Files", "attach_files"),
)
# How many channel -> server pairs seen in interactions are remembered (a few hundred KB).
REMEMBERED_CHANNELS = 10_000


class ChannelServers:
    """Which server each channel a command came from belongs to, the most recent ones kept.

    Interactions say it for free; the cache may not know a channel yet (threads, a server that
    is still loading), so what interactions said is asked first.
    """

    def __init__(self, size: int = REMEMBERED_CHANNELS) -> None:
        self._servers: OrderedDict[str, str] = OrderedDict()
        self._size = size

    def remember(self, channel_id: str, server_id: str) -> None:
        self._servers[channel_id] = server_id
        self._servers.move_to_end(channel_id)
        while len(self._servers) > self._size:
            self._servers.popitem(last=False)

    def get(self, channel_id: str) -> str | None:
        return self._servers.get(channel_id)


class DiscordProbe:
    """The ServerProbe on Discord, reading the running client's cache (None while offline)."""

    def __init__(
        self, client: Callable[[], discord.Client | None], servers: ChannelServers
    ) -> None:
        self._client = client
        self.servers = servers

    async def server_of(self, chat: Address) -> str | None:
        """The server a channel belongs to; None for DMs and unknown channels."""
        if chat.platform != PLATFORM:
            return None
        known = self.servers.get(chat.chat_id)
        if known is not None:
            return known
        client = self._client()
        channel = (
            client.get_channel(int(chat.chat_id)) if client and chat.chat_id.isdigit() else None
        )
        guild = getattr(channel, "guild", None)
        return str(guild.id) if guild is not None else None

    async def missing_permissions(self, server_id: str, channel_id: str) -> tuple[str, ...] | None:
        """Which needed permissions the bot lacks there; None if it is no text channel of it."""
        channel = self._text_channel(server_id, channel_id)
        return None if channel is None else missing_in(channel)

    async def channel_name(self, server_id: str, channel_id: str) -> str | None:
        channel = self._text_channel(server_id, channel_id)
        return None if channel is None else "#" + channel.name

    def missing_in_channel(self, channel_id: str) -> tuple[str, ...] | None:
        """What the bot lacks in a channel of any server; None if the cache has no such one."""
        client = self._client()
        channel = client.get_channel(int(channel_id)) if client and channel_id.isdigit() else None
        return missing_in(channel) if isinstance(channel, discord.TextChannel) else None

    def _text_channel(self, server_id: str, channel_id: str) -> discord.TextChannel | None:
        client = self._client()
        if client is None or not server_id.isdigit() or not channel_id.isdigit():
            return None
        guild = client.get_guild(int(server_id))
        channel = guild.get_channel(int(channel_id)) if guild is not None else None
        return channel if isinstance(channel, discord.TextChannel) else None


def missing_in(channel: discord.TextChannel) -> tuple[str, ...]:
    """The labels of REQUIRED_PERMISSIONS the bot lacks in `channel`."""
    me = channel.guild.me
    if me is None:
        return ()
    permissions = channel.permissions_for(me)
    if not permissions.view_channel:
        # Without View Channel Discord denies everything else too; that one is the fix.
        return ("View Channel",)
    return tuple(label for label, flag in REQUIRED_PERMISSIONS if not getattr(permissions, flag))
