"""What the bot does with each kind of Telegram update: commands, button presses, membership."""

from __future__ import annotations

import logging
import traceback
from dataclasses import replace
from typing import Any, Protocol

from telegram import Bot, CallbackQuery, ChatMember, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.adapters.telegram.delivery import Delivery
from bot.adapters.telegram.updates import (
    CommandLine,
    address,
    chat_id_of,
    chat_kind,
    membership_active,
    migrated_to,
    read_command,
    read_plain_text,
    start_tag,
)
from bot.core.commands import Registry, decode_action
from bot.core.conversation import FREE_TEXT
from bot.core.i18n import N_, language_of
from bot.core.messages import Address, ChatKind, Reply, Request
from bot.core.ports import ChatPrefs, Dispatch, RecipientGone, Translator, TryLater

log = logging.getLogger(__name__)


BUTTON_GONE = N_("This button no longer works. Send /help to see what I can do.")
# Telegram shows a callback answer as an alert of at most 200 characters, to the presser only.
MAX_ALERT_CHARS = 200


class ChatReports(Protocol):
    """What the adapter tells the core about chats (bot.core.chats.ChatEvents).

    Every change to stored state that a Telegram update causes goes through these calls, so the
    rules (what a blocked chat loses, what a moved chat keeps) live in the core only.
    """

    async def gone(self, chat: Address, error: RecipientGone | None = None) -> None: ...

    async def returned(self, chat: Address) -> None: ...

    async def moved(self, old: Address, new: Address) -> None: ...

    async def link_opened(self, tag: str) -> None: ...


class ChatReader(Protocol):
    """The stored chat, read for the language of a stale button's answer; never written here."""

    async def get_chat(self, address: Address) -> ChatPrefs | None: ...


class UpdateHandlers:
    """PTB handler callbacks that turn updates into Requests and Replies into messages."""

    def __init__(
        self,
        registry: Registry[Any],
        translator: Translator,
        store: ChatReader,
        chat_events: ChatReports,
        delivery: Delivery,
    ) -> None:
        self._registry = registry
        self._translator = translator
        self._store = store
        self._chat_events = chat_events
        self._delivery = delivery
        self.dispatch: Dispatch | None = None

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A typed command: dispatch it and send the reply (quoting the command in groups)."""
        message = update.effective_message
        if message is None:
            return
        line = read_command(message, context.bot.username)
        if line is None:
            return
        await self._handle(message, line, context.bot)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A plain message: the answer to a question a step-by-step command asked."""
        message = update.effective_message
        if message is None:
            return
        if message.chat.type != "private" and not _replies_to(message, context.bot.id):
            return
        line = read_plain_text(message)
        if line is not None:
            await self._handle(message, line, context.bot)

    async def _handle(self, message: Message, line: CommandLine, bot: Bot) -> None:
        command = self._registry.get(line.name)
        if command is None and not line.addressed_to_us:
            # In a group, a bare unknown command is probably meant for another bot.
            return
        args = line.args
        if line.name == "start":
            tag = start_tag(args)
            if tag is not None:
                await self._chat_events.link_opened(tag)
                args = ()
        request = Request(
            command=line.name,
            args=args,
            chat=address(message.chat.id),
            user_id=line.user_id,
            chat_kind=line.kind,
            locale=language_of(line.locale),
            is_chat_admin=line.speaks_as_chat or line.kind is ChatKind.CHANNEL,
        )
        request = await self._with_admin_check(request, bot)
        reply = await self._ask(request)
        if reply is not None:
            quote = message.message_id if line.kind is ChatKind.GROUP else None
            await self._answer(request.chat, reply, reply_to=quote, thread=_topic(message))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A pressed action button: run its command; the press is always answered."""
        query = update.callback_query
        if query is None:
            return
        answered = False
        try:
            answered = await self._press(query, context.bot)
        finally:
            if not answered:
                await _answer_query(query)

    async def _press(self, query: CallbackQuery, bot: Bot) -> bool:
        """Run the pressed button's command; True when the query was answered with a text."""
        action = decode_action(query.data or "")
        message = query.message
        locale = language_of(query.from_user.language_code)
        if action is None or self._registry.get(action[0]) is None or message is None:
            if message is not None:
                prefs = await self._store.get_chat(address(message.chat.id))
                locale = prefs.locale if prefs and prefs.locale else locale
            await _answer_query(query, self._translator.gettext(locale, BUTTON_GONE))
            return True
        kind = chat_kind(message.chat)
        request = Request(
            command=action[0],
            args=action[1],
            chat=address(message.chat.id),
            user_id=str(query.from_user.id),
            chat_kind=kind,
            locale=locale,
        )
        request = await self._with_admin_check(request, bot)
        reply = await self._ask(request)
        if reply is None:
            return False
        if kind is not ChatKind.PRIVATE and _fits_alert(reply):
            # Telegram's only way to show something to the presser alone in a group.
            await _answer_query(query, reply.text, alert=True)
            return True
        await _answer_query(query)
        thread = _topic(message) if isinstance(message, Message) else None
        await self._answer(request.chat, reply, reply_to=None, thread=thread)
        return True

    async def on_membership(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The bot was blocked, kicked or added: the core stops or resumes the chat's messages."""
        change = update.my_chat_member
        if change is None:
            return
        active = membership_active(change)
        if active is None:
            return
        chat = address(change.chat.id)
        if active:
            await self._chat_events.returned(chat)
        else:
            await self._chat_events.gone(chat)
        log.info("Telegram: a chat %s the bot", "added" if active else "blocked or removed")

    async def on_migration(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup: its subscriptions and settings follow it to the new id."""
        message = update.effective_message
        if message is None:
            return
        new = migrated_to(message)
        if new is not None:
            await self._chat_events.moved(address(message.chat.id), new)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log a failed update by its error's type and stack only, never its text."""
        error = context.error
        if error is None:
            return
        # Exception texts may quote what a user typed: the type and the stack only.
        stack = "".join(traceback.format_tb(error.__traceback__))
        log.error("Telegram: handling an update failed with %s\n%s", type(error).__name__, stack)

    async def _ask(self, request: Request) -> Reply | None:
        if self.dispatch is None:
            raise RuntimeError("run() sets the dispatcher before updates arrive")
        return await self.dispatch(request)

    async def _with_admin_check(self, request: Request, bot: Bot) -> Request:
        """Ask Telegram whether the asker administers the group, only when the command needs it."""
        command = self._registry.get(request.command)
        # An answer to a step-by-step question may complete a command that changes the chat.
        needs_check = request.command == FREE_TEXT or (
            command is not None and command.needs_admin_status
        )
        if not needs_check or request.chat_kind is ChatKind.PRIVATE or request.is_chat_admin:
            return request
        try:
            member = await bot.get_chat_member(chat_id_of(request.chat), int(request.user_id))
        except (TelegramError, ValueError) as error:
            log.warning("Telegram: admin check failed (%s)", type(error).__name__)
            return request
        is_admin = member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
        return replace(request, is_chat_admin=is_admin)

    async def _answer(
        self, chat: Address, reply: Reply, *, reply_to: int | None, thread: int | None
    ) -> None:
        """Reply to an update; a chat that turns out gone (or moved) is reported, not retried."""
        try:
            await self._delivery.send(
                chat_id_of(chat), reply, patient=True, reply_to=reply_to, thread=thread
            )
        except RecipientGone as gone:
            # Blocked or deleted: switched off. Became a supergroup: moved to its new id.
            await self._chat_events.gone(chat, gone)
        except TryLater:
            log.warning("Telegram: a reply could not be delivered; Telegram unreachable")


def _replies_to(message: Message, bot_id: int) -> bool:
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == bot_id


def _topic(message: Message) -> int | None:
    """The forum topic a message is in, so the answer lands in the same topic."""
    return message.message_thread_id if message.is_topic_message else None


def _fits_alert(reply: Reply) -> bool:
    return (
        reply.private
        and not reply.buttons
        and reply.attachment is None
        and 0 < len(reply.text) <= MAX_ALERT_CHARS
    )


async def _answer_query(query: CallbackQuery, text: str | None = None, alert: bool = False) -> None:
    try:
        await query.answer(text, show_alert=alert or None)
    except TelegramError as error:
        # An old query can no longer be answered; the user already saw the spinner stop.
        log.debug("Telegram: callback answer failed (%s)", type(error).__name__)
