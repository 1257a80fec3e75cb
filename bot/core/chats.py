"""What a platform's news about a chat changes in storage: one call each, for every adapter.

A chat that blocked the bot, a Telegram group that became a supergroup, a server channel that
lost a permission, a campaign link opened: replies, reminders and broadcasts all learn of these
here, so each platform reports what happened and none of them re-implements the rules.
"""

from __future__ import annotations

import logging
from typing import Protocol

from bot.core.messages import Address
from bot.core.ports import ChatStore, RecipientGone

log = logging.getLogger(__name__)


class BrokenChannels(Protocol):
    """Server setups announcing into a channel (bot.core.server_setup.ServerSetupStore)."""

    async def mark_broken(self, platform: str, channel_id: str, reason: str) -> int: ...


class ChatEvents:
    """The core calls adapters and background services make when a platform reports a chat."""

    def __init__(self, store: ChatStore, setups: BrokenChannels) -> None:
        self._store = store
        self._setups = setups

    async def gone(self, chat: Address, error: RecipientGone | None = None) -> None:
        """Nothing more goes to `chat`: it blocked the bot, moved, or lost a permission."""
        if error is not None and error.moved_to is not None:
            await self.moved(chat, error.moved_to)
            return
        await self._store.set_active(chat, False)
        reason = error.reason if error is not None else ""
        if reason and await self._setups.mark_broken(chat.platform, chat.chat_id, reason):
            log.warning(
                "%s: a server's announcement channel stopped working (%s)",
                chat.platform,
                reason.split(":", 1)[0],
            )
        log.info("%s: a chat is gone; it receives nothing more", chat.platform)

    async def returned(self, chat: Address) -> None:
        """The bot was added (again) or unblocked: the chat's subscriptions resume."""
        await self._store.set_active(chat, True)

    async def moved(self, old: Address, new: Address) -> None:
        """The chat has a new address (a group became a supergroup); its choices go with it."""
        if await self._store.move_chat(old, new):
            log.info("%s: a chat moved to a new id; its settings moved with it", old.platform)

    async def link_opened(self, tag: str) -> None:
        """Somebody arrived through a campaign link: counted, never who."""
        await self._store.count_campaign_start(tag)
