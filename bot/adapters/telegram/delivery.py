"""Sending one Reply to one Telegram chat, with Telegram's errors mapped at the boundary."""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any, TypeVar

from telegram import InputFile, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.adapters.telegram.render import (
    bot_username,
    defuse_mentions,
    keyboard,
    split_text,
    to_html,
)
from bot.adapters.telegram.updates import address
from bot.core.messages import Reply
from bot.core.ports import RecipientGone, TryLater

log = logging.getLogger(__name__)

T = TypeVar("T")


def retry_seconds(error: RetryAfter) -> float:
    """retry_after in seconds, whichever type this PTB release hands out."""
    with warnings.catch_warnings():
        # PTB 22 warns that retry_after becomes a timedelta; both are handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# deleteMessages takes 1 to 100 ids (https://core.telegram.org/bots/api#deletemessages).
DELETE_BATCH = 100
UNDELETABLE = ("message to delete not found", "message can't be deleted", "message_ids_invalid")


def _undeletable(error: BadRequest) -> bool:
    """Telegram's refusal to delete what is gone already, or older than 48 hours."""
    text = error.message.lower()
    return any(reason in text for reason in UNDELETABLE)


class Delivery:
    """Renders replies and calls the Bot API, retrying what Telegram says may be retried."""

    def __init__(
        self,
        bot: Any,
        backoff: float = 1.0,
        attempts: int = 3,
        on_flood: Callable[[float], None] | None = None,
    ) -> None:
        self._bot = bot
        self._backoff = backoff
        self._attempts = attempts
        # Told of every 429, a reply's too: the core's send budget then holds bulk sends as
        # long as Telegram asked, so a broadcast does not keep the flood going.
        self._on_flood = on_flood

    async def send(
        self,
        chat_id: int | str,
        reply: Reply,
        *,
        patient: bool,
        reply_to: int | None = None,
        thread: int | None = None,
    ) -> list[int]:
        """Send the text in parts, buttons on the last part, then the file if there is one.

        Returns the ids of the messages sent, in order.

        `patient` (answering a person now) waits out flood control and retries network errors
        with growing pauses; otherwise (a broadcast) both become TryLater at once, with
        Telegram's retry_after when it gave one, so the caller paces and retries.
        """
        bot = self._bot
        # Defused before splitting, so the invisible joiners count towards each part's length.
        parts = split_text(defuse_mentions(reply.text))
        markup = keyboard(reply.buttons, bot_username(bot))
        quote = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        # Only a campaign-wide broadcast the core sends through the paid lane pays (0.1 Telegram
        # Stars a message past the free limits); None leaves the parameter out of the request.
        paid = True if reply.paid else None
        # Discreet mode: no forwarding, no saving (None leaves the parameter out).
        protect = True if reply.protect else None
        sent: list[Message] = []
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            message = await self._call(
                partial(
                    bot.send_message,
                    chat_id,
                    to_html(part),
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup if last else None,
                    reply_parameters=quote if index == 0 else None,
                    message_thread_id=thread,
                    allow_paid_broadcast=paid,
                    protect_content=protect,
                ),
                patient,
            )
            sent.append(message)
        attachment = reply.attachment
        if attachment is not None:
            document = InputFile(attachment.content, filename=attachment.filename)
            message = await self._call(
                partial(
                    bot.send_document,
                    chat_id,
                    document,
                    reply_markup=None if parts else markup,
                    reply_parameters=None if parts else quote,
                    message_thread_id=thread,
                    allow_paid_broadcast=paid,
                    protect_content=protect,
                ),
                patient,
            )
            sent.append(message)
        return [message.message_id for message in sent]

    async def edit(self, chat_id: int | str, message_id: int, reply: Reply) -> None:
        """Replace the text and buttons of a message the bot sent (a discreet message's Show).

        What does not fit in one message follows as new ones, buttons on the last. A message
        that cannot be edited any more (deleted meanwhile) gets the reply as a new message.
        """
        bot = self._bot
        parts = split_text(defuse_mentions(reply.text))
        markup = keyboard(reply.buttons, bot_username(bot))
        try:
            await self._call(
                partial(
                    bot.edit_message_text,
                    to_html(parts[0]),
                    chat_id=chat_id,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup if len(parts) == 1 else None,
                ),
                patient=True,
            )
        except BadRequest as error:
            if "not modified" in error.message.lower():
                return  # pressed twice: it already shows the full text
            await self.send(chat_id, reply, patient=True)
            return
        if len(parts) > 1:
            rest = "\n".join(parts[1:])
            await self.send(chat_id, replace(reply, text=rest), patient=True)

    async def delete(self, chat_id: int | str, message_ids: Sequence[int]) -> None:
        """Delete the bot's own messages, up to 100 a request (deleteMessages).

        Telegram skips the ones it cannot find and refuses, for the whole request, only when
        none can be deleted (all gone, or older than 48 hours): both are done as far as
        self-destruct goes. A chat that is gone raises RecipientGone; flood control TryLater.
        """
        for start in range(0, len(message_ids), DELETE_BATCH):
            batch = list(message_ids[start : start + DELETE_BATCH])
            try:
                await self._call(partial(self._bot.delete_messages, chat_id, batch), False)
            except BadRequest as error:
                if not _undeletable(error):
                    raise
                log.info("Telegram: messages to delete were gone or too old; skipped")

    async def _call(self, call: Callable[[], Awaitable[T]], patient: bool) -> T:
        attempt = 0
        while True:
            try:
                return await call()
            except RetryAfter as error:
                wait = retry_seconds(error)
                if patient and self._on_flood is not None:
                    self._on_flood(wait)
                if not patient or attempt >= self._attempts:
                    raise TryLater(wait) from None
                log.info("Telegram: flood control; waiting %.0fs as asked", wait)
                await asyncio.sleep(wait)
            except ChatMigrated as error:
                # The group became a supergroup: the same people, under a new id.
                raise RecipientGone(moved_to=address(error.new_chat_id)) from None
            except Forbidden:
                raise RecipientGone() from None
            except BadRequest as error:
                if "chat not found" in error.message.lower():
                    raise RecipientGone() from None
                # Telegram's description may quote the text it refused: never logged.
                raise
            except NetworkError as error:  # TimedOut too; BadRequest was handled above
                if not patient:
                    # A broadcast's caller owns the backoff (and may try other chats meanwhile).
                    raise TryLater() from None
                delay = self._backoff * 2**attempt
                if attempt >= self._attempts:
                    raise TryLater() from None
                log.warning(
                    "Telegram: %s while sending; retrying in %.1fs", type(error).__name__, delay
                )
                await asyncio.sleep(delay)
            attempt += 1
