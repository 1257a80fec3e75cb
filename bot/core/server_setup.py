"""Community servers: where a server's announcements go, and what only its platform knows.

The ports behind /setup (handlers/setup.py): a store of setups (db/stores/setups.py) and a probe the
Discord adapter implements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.messages import Address


@dataclass(frozen=True, slots=True)
class ServerSetup:
    """Where and what a server receives. Ids only: no server, channel or person names."""

    platform: str
    server_id: str
    channel_id: str
    topics: frozenset[str]
    timezone: str | None = None
    locale: str | None = None
    # Set when sending failed for good: "missing:Send Messages,..." or "unknown_channel".
    broken_reason: str | None = None
    updated_at: datetime | None = None


class ServerSetupStore(Protocol):
    async def get_setup(self, platform: str, server_id: str) -> ServerSetup | None: ...

    async def save_setup(self, setup: ServerSetup) -> None: ...

    async def delete_setup(self, platform: str, server_id: str) -> bool: ...

    async def mark_broken(self, platform: str, channel_id: str, reason: str) -> int:
        """Mark every setup announcing into this channel broken; return how many."""
        ...


class ServerProbe(Protocol):
    """What only the platform knows about servers (the Discord adapter implements it)."""

    async def server_of(self, chat: Address) -> str | None:
        """The server this chat is a channel of; None for direct messages."""
        ...

    async def missing_permissions(self, server_id: str, channel_id: str) -> tuple[str, ...] | None:
        """Names of the permissions the bot lacks there; None if no such text channel."""
        ...

    async def channel_name(self, server_id: str, channel_id: str) -> str | None: ...
