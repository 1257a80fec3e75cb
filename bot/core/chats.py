"""What a platform's news about a chat changes in storage: one call each, for every adapter.

A chat that blocked the bot, a Telegram group that became a supergroup, a server channel that
lost a permission, a campaign link opened: replies, reminders and broadcasts all learn of these
here, so each platform reports what happened and none of them re-implements the rules.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from typing import Protocol

from bot.core.messages import Address
from bot.core.ports import LOOK_UP, ChatStore, RecipientGone, SelfDestruct, SentMessages

log = logging.getLogger(__name__)


class BrokenChannels(Protocol):
    """Server setups announcing into a channel (bot.core.server_setup.ServerSetupStore)."""

    async def mark_broken(self, platform: str, channel_id: str, reason: str) -> int: ...


class ChatEvents:
    """The core calls adapters and background services make when a platform reports a chat.

    `campaign_tags` are the campaign links the content names: only those are counted, so a
    flood of made-up `/start <tag>` links costs no rows.
    """

    def __init__(
        self,
        store: ChatStore,
        setups: BrokenChannels,
        campaign_tags: Collection[str] = (),
        sent_messages: SentMessages | None = None,
    ) -> None:
        self._store = store
        self._setups = setups
        self._campaign_tags = frozenset(campaign_tags)
        # Self-destruct's schedule (bot.core.deletion.DeletionService); None keeps nothing.
        self.sent_messages = sent_messages

    async def gone(self, chat: Address, error: RecipientGone | None = None) -> None:
        """Nothing more goes to `chat`: it blocked the bot, moved, or lost a permission.

        A chat that blocked or removed the bot is erased at once, as /forget would: keeping it
        would keep a list of supporters who once used the bot. Only a server channel that lost
        a permission stays (switched off and marked broken), because the server's admins must
        be told to fix it.
        """
        if error is not None and error.moved_to is not None:
            await self.moved(chat, error.moved_to)
            return
        reason = error.reason if error is not None else ""
        if reason:
            await self._store.set_active(chat, False)
            if await self._setups.mark_broken(chat.platform, chat.chat_id, reason):
                log.warning(
                    "%s: a server's announcement channel stopped working (%s)",
                    chat.platform,
                    reason.split(":", 1)[0],
                )
            log.info("%s: a chat is unreachable; it receives nothing more", chat.platform)
            return
        await self._store.forget_chat(chat)
        log.info("%s: a chat is gone; everything stored about it was erased", chat.platform)

    async def returned(self, chat: Address) -> None:
        """The bot was added (again) or unblocked: the chat's subscriptions resume (a chat
        erased when it left starts afresh)."""
        await self._store.set_active(chat, True)

    async def moved(self, old: Address, new: Address) -> None:
        """The chat has a new address (a group became a supergroup); its choices go with it."""
        if await self._store.move_chat(old, new):
            log.info("%s: a chat moved to a new id; its settings moved with it", old.platform)

    async def link_opened(self, tag: str) -> None:
        """Somebody arrived through a campaign link: counted, never who; unknown tags not."""
        if tag in self._campaign_tags:
            await self._store.count_campaign_start(tag)

    async def sent(
        self, address: Address, message_ids: Sequence[str], delete_after: SelfDestruct = LOOK_UP
    ) -> None:
        """The bot sent these messages to `address` (a reply, a reminder, a broadcast): a chat
        that chose self-destruct gets them deleted in time; others keep nothing."""
        if self.sent_messages is None or not message_ids:
            return
        try:
            await self.sent_messages.sent(address, message_ids, delete_after)
        except Exception as error:
            # The message went all the same; the sender must not take it for a failed send.
            log.error("self-destruct: sent messages not scheduled (%s)", type(error).__name__)
