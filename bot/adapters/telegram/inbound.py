"""What the bot does with each kind of Telegram update: commands, button presses, membership."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import Any, Protocol

from cachetools import TTLCache
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
from bot.core.i18n import N_, language_of
from bot.core.messages import ActionButton, Address, Button, ChatKind, Reply, Request
from bot.core.ports import ChatPrefs, Dispatch, RecipientGone, TooFast, Translator, TryLater

log = logging.getLogger(__name__)


BUTTON_GONE = N_("This button no longer works. Send /help to see what I can do.")
# Said in a group instead of a private answer when the bot may not write to the asker privately.
OPEN_PRIVATE_CHAT = N_(
    "My answer to that is only for you. Please open a private chat with me, press Start, "
    "then try again."
)
# How long Telegram's answer about who administers a group is trusted. A flood of commands
# costs one getChatMember; a demoted admin keeps the rights for at most this long.
ADMIN_TTL_S = 180.0
ADMIN_CACHE_SIZE = 10_000
# A private reply sent on a group's behalf keeps its buttons acting for that group: the bot
# remembers which group each such message answers for this long, and marks their callback data
# so that a press after a restart (or on a forged marker) is refused instead of acting on the
# private chat.
FOR_A_GROUP = "^"
ORIGIN_TTL_S = 12 * 3600.0
ORIGIN_CACHE_SIZE = 10_000

AdminCache = TTLCache[tuple[str, str], bool]
Origins = TTLCache[tuple[int, int], tuple[Address, ChatKind]]


def admin_cache(ttl: float = ADMIN_TTL_S) -> AdminCache:
    """Who administers which group, per (chat id, user id), as Telegram last said (in memory,
    bounded, forgotten after `ttl`; a `ttl` of 0 remembers nothing)."""
    return TTLCache(ADMIN_CACHE_SIZE, ttl)


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

    async def sent(self, address: Address, message_ids: Sequence[str]) -> None:
        """The bot's replies in the chat, for self-destruct where the chat chose it."""
        ...


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
        admins: AdminCache | None = None,
    ) -> None:
        self._registry = registry
        self._translator = translator
        self._store = store
        self._chat_events = chat_events
        self._delivery = delivery
        self._admins = admins if admins is not None else admin_cache()
        # (private chat id, message id) of a reply sent there for a group -> that group.
        self._origins: Origins = TTLCache(ORIGIN_CACHE_SIZE, ORIGIN_TTL_S)
        # One getChatMember in flight per (chat, user): concurrent updates wait for its answer.
        self._asking: dict[tuple[str, str], asyncio.Future[bool]] = {}
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
        request = self._with_admin_check(request, bot)
        reply = await self._ask(request)
        if reply is None:
            return
        if isinstance(reply, TooFast):
            await self._refuse(request, reply)
            return
        quote = message.message_id if line.kind is ChatKind.GROUP else None
        if reply.private and not reply.asks and line.kind is not ChatKind.PRIVATE:
            await self._answer_privately(request, reply, reply_to=quote, thread=_topic(message))
            return
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
        origin: tuple[Address, ChatKind] | None = None
        if action is not None and message is not None and action[0].startswith(FOR_A_GROUP):
            # A button of a private reply sent for a group acts for that group, if we know it.
            origin = self._origins.get((message.chat.id, message.message_id))
            if origin is None or message.chat.id != query.from_user.id:
                action = None
            else:
                action = (action[0].removeprefix(FOR_A_GROUP), action[1])
        if action is None or self._registry.get(action[0]) is None or message is None:
            if message is not None:
                prefs = await self._store.get_chat(address(message.chat.id))
                locale = prefs.locale if prefs and prefs.locale else locale
            await _answer_query(query, self._translator.gettext(locale, BUTTON_GONE))
            return True
        chat, kind = origin or (address(message.chat.id), chat_kind(message.chat))
        request = Request(
            command=action[0],
            args=action[1],
            chat=chat,
            user_id=str(query.from_user.id),
            chat_kind=kind,
            locale=locale,
        )
        request = self._with_admin_check(request, bot)
        reply = await self._ask(request)
        if reply is None:
            return False
        if isinstance(reply, TooFast):
            # Refused by the rate limit: the press's own answer says when to try again, at no
            # cost of a message (and only the presser sees it, in a group too).
            await _answer_query(query, reply.text)
            return True
        if reply.edits and isinstance(message, Message) and origin is None:
            # A discreet message's Show: the message itself becomes its full text.
            await _answer_query(query)
            await self._edit(request.chat, message.message_id, reply)
            return True
        if origin is not None:
            # Pressed in the private chat: the answer stays there, whatever it is.
            await _answer_query(query)
            await self._answer_privately(request, reply, reply_to=None, thread=None)
            return True
        if kind is not ChatKind.PRIVATE and _fits_alert(reply):
            # Telegram's only way to show something to the presser alone in a group.
            await _answer_query(query, reply.text, alert=True)
            return True
        await _answer_query(query)
        thread = _topic(message) if isinstance(message, Message) else None
        if reply.private and not reply.asks and kind is not ChatKind.PRIVATE:
            await self._answer_privately(request, reply, reply_to=None, thread=thread)
        else:
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
        # Whatever changed, the bot's view of who administers the chat starts afresh.
        _drop_chat(self._admins, chat.chat_id)
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
            old = str(message.chat.id)
            _drop_chat(self._admins, old)
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

    def _with_admin_check(self, request: Request, bot: Bot) -> Request:
        """Give the dispatcher the question "does the asker administer this group?".

        The dispatcher asks it only for a command that needs the answer (an answer to a
        step-by-step question included) and only after the rate limit, so a flood of commands
        costs no getChatMember; the answer is cached per chat and user.
        """
        if request.chat_kind is ChatKind.PRIVATE or request.is_chat_admin:
            return request
        check = partial(self._is_admin, bot, request.chat, request.user_id)
        return replace(request, admin_check=check)

    async def _is_admin(self, bot: Bot, chat: Address, user_id: str) -> bool:
        key = (chat.chat_id, user_id)
        known = self._admins.get(key)
        if known is not None:
            return known
        asking = self._asking.get(key)
        if asking is not None:
            return await asyncio.shield(asking)
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._asking[key] = future
        is_admin = False
        try:
            is_admin = await self._ask_telegram(bot, chat, user_id)
        finally:
            # Whoever waits gets the answer, or "not an admin" if asking was cut short.
            future.set_result(is_admin)
            del self._asking[key]
        return is_admin

    async def _ask_telegram(self, bot: Bot, chat: Address, user_id: str) -> bool:
        try:
            member = await bot.get_chat_member(chat_id_of(chat), int(user_id))
        except (TelegramError, ValueError) as error:
            # Not cached: the next command asks again.
            log.warning("Telegram: admin check failed (%s)", type(error).__name__)
            return False
        is_admin = member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
        self._admins[(chat.chat_id, user_id)] = is_admin
        return is_admin

    async def _refuse(self, request: Request, refusal: TooFast) -> None:
        """A typed command refused by the rate limit: one short line to the asker, never waited
        for (a flood must not hold the update workers through Telegram's flood control), sent
        privately when typed in a group so that the group does not hear about it."""
        chat = _private_chat_of(request) or chat_id_of(request.chat)
        try:
            sent = await self._delivery.send(chat, refusal, patient=False)
            await self._report_sent(address(chat), sent)
        except (RecipientGone, TryLater, TelegramError) as error:
            log.debug("Telegram: a rate-limit answer was not sent (%s)", type(error).__name__)

    async def _answer_privately(
        self, request: Request, reply: Reply, *, reply_to: int | None, thread: int | None
    ) -> None:
        """A private reply asked for in a group goes to the asker's private chat, never the group.

        On Telegram a private chat's id is the user's id. When the bot may not write there (the
        person never pressed Start, or blocked the bot), or nobody can be written to (a channel,
        an anonymous admin), the group gets one neutral line and nothing of the reply.
        """
        person = _private_chat_of(request)
        if person is not None:
            marked = replace(reply, buttons=tuple(_for_a_group(b) for b in reply.buttons))
            try:
                sent = await self._delivery.send(person, marked, patient=True)
                await self._report_sent(address(person), sent)
                if marked.buttons != reply.buttons:
                    for message_id in sent:
                        self._origins[(person, message_id)] = (request.chat, request.chat_kind)
                return
            except RecipientGone as gone:
                await self._chat_events.gone(address(person), gone)
            except TryLater:
                log.warning(
                    "Telegram: a private reply could not be delivered; Telegram unreachable"
                )
                return
        line = Reply(self._translator.gettext(request.locale, OPEN_PRIVATE_CHAT))
        await self._answer(request.chat, line, reply_to=reply_to, thread=thread)

    async def _edit(self, chat: Address, message_id: int, reply: Reply) -> None:
        try:
            await self._delivery.edit(chat_id_of(chat), message_id, reply)
        except RecipientGone as gone:
            await self._chat_events.gone(chat, gone)
        except TryLater:
            log.warning("Telegram: a message could not be edited; Telegram unreachable")

    async def _answer(
        self, chat: Address, reply: Reply, *, reply_to: int | None, thread: int | None
    ) -> None:
        """Reply to an update; a chat that turns out gone (or moved) is reported, not retried."""
        try:
            sent = await self._delivery.send(
                chat_id_of(chat), reply, patient=True, reply_to=reply_to, thread=thread
            )
            await self._report_sent(chat, sent)
        except RecipientGone as gone:
            # Blocked or deleted: switched off. Became a supergroup: moved to its new id.
            await self._chat_events.gone(chat, gone)
        except TryLater:
            log.warning("Telegram: a reply could not be delivered; Telegram unreachable")

    async def _report_sent(self, chat: Address, message_ids: list[int]) -> None:
        """Self-destruct's schedule learns of every reply, through the core."""
        await self._chat_events.sent(chat, [str(m) for m in message_ids])


def _private_chat_of(request: Request) -> int | None:
    """The asker's private chat: a person's id is positive; a chat speaking as itself is not."""
    user_id = request.user_id
    return int(user_id) if user_id.isdigit() and user_id != request.chat.chat_id else None


def _for_a_group(button: Button) -> Button:
    if isinstance(button, ActionButton):
        return replace(button, command=FOR_A_GROUP + button.command)
    return button


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


def _drop_chat(admins: AdminCache, chat_id: str) -> None:
    """Forget every answer about one chat (rare: a membership change; a scan is fine)."""
    for key in [key for key in admins if key[0] == chat_id]:
        admins.pop(key, None)
