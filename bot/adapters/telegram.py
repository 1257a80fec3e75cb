"""The Telegram messenger: the whole bot on python-telegram-bot 22, polling or webhook."""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import traceback
from dataclasses import dataclass, replace
from typing import Any, Protocol
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    CallbackQuery,
    ChatMember,
    Update,
)
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.adapters.telegram_delivery import Delivery
from bot.adapters.telegram_logging import install_token_redaction
from bot.adapters.telegram_updates import (
    PLATFORM,
    address,
    chat_kind,
    locale_of,
    membership_active,
    read_command,
    start_tag,
)
from bot.core.commands import Registry, decode_action
from bot.core.messages import Address, ChatKind, Reply, Request
from bot.core.ports import ChatStore, Dispatch, RecipientGone, Translator, TryLater
from bot.settings import Settings

log = logging.getLogger(__name__)

# Only what the bot acts on: fewer update kinds means less data about people passing through.
ALLOWED_UPDATES = ("message", "channel_post", "callback_query", "my_chat_member")
BUTTON_GONE = "This button no longer works. Send /help to see what I can do."
# Telegram shows a callback answer as an alert of at most 200 characters, to the presser only.
MAX_ALERT_CHARS = 200

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class TokenRejected(Exception):
    """Telegram refused the token; the message names the variable, never the token."""

    def __init__(self) -> None:
        super().__init__("Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather")


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    """Receive updates over HTTPS at `url`, served locally on `listen` (host:port)."""

    url: str
    listen: str = "127.0.0.1:8443"
    secret: str | None = None


def api_urls(base_url: str) -> tuple[str, str]:
    """A self-hosted Bot API server's root (or its .../bot URL) -> PTB base_url, base_file_url."""
    root = base_url.rstrip("/").removesuffix("/bot")
    return f"{root}/bot", f"{root}/file/bot"


class TelegramMessenger:
    """The Messenger port on Telegram."""

    platform = PLATFORM

    def __init__(
        self,
        token: str,
        registry: Registry[Any],
        translator: Translator,
        store: ChatStore,
        organizers: frozenset[Address] = frozenset(),
        *,
        base_url: str | None = None,
        webhook: WebhookConfig | None = None,
        poll_timeout: float = 10.0,
        concurrent_updates: int = 16,
        retry_backoff: float = 1.0,
        start_backoff: float = 2.0,
    ) -> None:
        self._token = token
        self._registry = registry
        self._translator = translator
        self._store = store
        self._organizers = frozenset(o for o in organizers if o.platform == PLATFORM)
        self._webhook = webhook
        self._poll_timeout = poll_timeout
        self._start_backoff = start_backoff
        self._dispatch: Dispatch | None = None
        self._ready = asyncio.Event()
        # PTB logs the API URL, token included, as soon as the bot object exists.
        install_token_redaction(token)
        self.application = self._build(base_url, concurrent_updates)
        self._delivery = Delivery(self.application.bot, retry_backoff)

    def _build(self, base_url: str | None, concurrent_updates: int) -> AnyApplication:
        builder = ApplicationBuilder().token(self._token).job_queue(None)
        # Updates run concurrently so one chat's flood-control wait does not hold up the others;
        # 16 is far above Telegram's ~30 messages/s, and more in-flight requests only make
        # httpcore's connection pool slower (see bench/telegram.py).
        builder = builder.concurrent_updates(concurrent_updates)
        if base_url:
            api, files = api_urls(base_url)
            builder = builder.base_url(api).base_file_url(files)
        if self._webhook is not None:
            # The updater's webhook server needs no polling connection pool.
            builder = builder.get_updates_connection_pool_size(1)
        application: AnyApplication = builder.build()
        posts = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
        application.add_handler(MessageHandler(filters.COMMAND & posts, self._on_command))
        application.add_handler(CallbackQueryHandler(self._on_button))
        application.add_handler(
            ChatMemberHandler(self._on_membership, ChatMemberHandler.MY_CHAT_MEMBER)
        )
        application.add_error_handler(self._on_error)
        return application

    # -- the Messenger port ------------------------------------------------------------------

    async def run(self, dispatch: Dispatch) -> None:
        """Serve Telegram users until cancelled, in the caller's event loop."""
        install_token_redaction(self._token)
        self._dispatch = dispatch
        app = self.application
        try:
            await self._initialize(app)
        except BaseException:
            await app.bot.shutdown()
            raise
        async with app:
            await app.start()
            try:
                await self._receive_updates(app)
                self._ready.set()
                log.info("Telegram: serving as a %s bot", "webhook" if self._webhook else "polling")
                await self._publish_commands()
                await asyncio.Event().wait()
            finally:
                self._ready.clear()
                if app.updater is not None and app.updater.running:
                    await app.updater.stop()
                if app.running:
                    await app.stop()
                log.info("Telegram: stopped")

    async def send(self, address: Address, reply: Reply) -> None:
        """Push a reply unprompted; RecipientGone or TryLater tell the caller what to do next."""
        if not self._ready.is_set():
            raise TryLater(self._start_backoff)
        await self._delivery.send(_chat_id(address), reply, patient=False)

    # -- start-up ----------------------------------------------------------------------------

    async def _initialize(self, app: AnyApplication) -> None:
        """getMe until Telegram answers: an outage at start waits instead of crashing."""
        delay = self._start_backoff
        while True:
            try:
                await app.initialize()
                return
            except InvalidToken:
                raise TokenRejected() from None
            except NetworkError as error:
                log.warning("Telegram unreachable at start (%s); retrying", type(error).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)

    async def _receive_updates(self, app: AnyApplication) -> None:
        updater = app.updater
        if updater is None:
            raise RuntimeError("the Telegram application was built without an updater")
        if self._webhook is None:
            await updater.start_polling(
                timeout=dtm.timedelta(seconds=self._poll_timeout),
                bootstrap_retries=-1,
                allowed_updates=list(ALLOWED_UPDATES),
                error_callback=_log_polling_error,
            )
            return
        host, _, port = self._webhook.listen.rpartition(":")
        await updater.start_webhook(
            listen=host,
            port=int(port),
            url_path=urlsplit(self._webhook.url).path.lstrip("/"),
            webhook_url=self._webhook.url,
            secret_token=self._webhook.secret,
            allowed_updates=list(ALLOWED_UPDATES),
            bootstrap_retries=-1,
        )

    async def _publish_commands(self) -> None:
        """The command menu per language; organizer-only commands only in organizers' chats."""
        bot = self.application.bot
        visible = self._registry.visible()
        public = [c for c in visible if not c.organizer_only]
        for locale in self._translator.locales:
            language = None if locale == "en" else locale
            try:
                await bot.set_my_commands(
                    self._menu(public, locale), scope=BotCommandScopeDefault(),
                    language_code=language,
                )
                for organizer in self._organizers:
                    await bot.set_my_commands(
                        self._menu(visible, locale),
                        scope=BotCommandScopeChat(_chat_id(organizer)),
                        language_code=language,
                    )
            except TelegramError as error:
                # Usually an organizer who has not opened a chat with the bot yet.
                log.warning("Telegram: command menu not published (%s)", type(error).__name__)

    def _menu(self, commands: list[Any], locale: str) -> list[BotCommand]:
        return [
            BotCommand(c.name, self._translator.gettext(locale, c.summary)[:256])
            for c in commands
        ]

    # -- updates -----------------------------------------------------------------------------

    async def _on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        line = read_command(message, self.application.bot.username)
        if line is None:
            return
        command = self._registry.get(line.name)
        if command is None and not line.addressed_to_us:
            # In a group, a bare unknown command is probably meant for another bot.
            return
        args = line.args
        if line.name == "start":
            tag = start_tag(args)
            if tag is not None:
                await self._store.count_campaign_start(tag)
                args = ()
        request = Request(
            command=line.name,
            args=args,
            chat=address(message.chat.id),
            user_id=line.user_id,
            chat_kind=line.kind,
            locale=locale_of(line.locale),
            is_chat_admin=line.speaks_as_chat or line.kind is ChatKind.CHANNEL,
        )
        request = await self._with_admin_check(request)
        reply = await self._ask(request)
        if reply is not None:
            quote = message.message_id if line.kind is ChatKind.GROUP else None
            await self._answer(request.chat, reply, reply_to=quote)

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        answered = False
        try:
            answered = await self._press(query)
        finally:
            if not answered:
                await _answer_query(query)

    async def _press(self, query: CallbackQuery) -> bool:
        """Run the pressed button's command; True when the query was answered with a text."""
        action = decode_action(query.data or "")
        message = query.message
        locale = locale_of(query.from_user.language_code)
        if action is None or self._registry.get(action[0]) is None or message is None:
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
        request = await self._with_admin_check(request)
        reply = await self._ask(request)
        if reply is None:
            return False
        if kind is not ChatKind.PRIVATE and _fits_alert(reply):
            # Telegram's only way to show something to the presser alone in a group.
            await _answer_query(query, reply.text, alert=True)
            return True
        await _answer_query(query)
        await self._answer(request.chat, reply, reply_to=None)
        return True

    async def _on_membership(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        if change is None:
            return
        active = membership_active(change)
        if active is not None:
            await self._store.set_active(address(change.chat.id), active)
            log.info("Telegram: a chat %s the bot", "added" if active else "blocked or removed")

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        if error is None:
            return
        # Exception texts may quote what a user typed: the type and the stack only.
        stack = "".join(traceback.format_tb(error.__traceback__))
        log.error("Telegram: handling an update failed with %s\n%s", type(error).__name__, stack)

    # -- helpers -----------------------------------------------------------------------------

    async def _ask(self, request: Request) -> Reply | None:
        if self._dispatch is None:
            raise RuntimeError("run() sets the dispatcher before updates arrive")
        return await self._dispatch(request)

    async def _with_admin_check(self, request: Request) -> Request:
        """Ask Telegram whether the asker administers the group, only when the command needs it."""
        command = self._registry.get(request.command)
        if (
            command is None
            or not command.changes_chat
            or request.chat_kind is ChatKind.PRIVATE
            or request.is_chat_admin
        ):
            return request
        try:
            member = await self.application.bot.get_chat_member(
                _chat_id(request.chat), int(request.user_id)
            )
        except (TelegramError, ValueError) as error:
            log.warning("Telegram: admin check failed (%s)", type(error).__name__)
            return request
        is_admin = member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
        return replace(request, is_chat_admin=is_admin)

    async def _answer(self, chat: Address, reply: Reply, *, reply_to: int | None) -> None:
        """Reply to an update; a chat that turns out gone is deactivated, not retried."""
        try:
            await self._delivery.send(_chat_id(chat), reply, patient=True, reply_to=reply_to)
        except RecipientGone:
            await self._store.set_active(chat, False)
            log.info("Telegram: a chat is gone; deactivated")
        except TryLater:
            log.warning("Telegram: a reply could not be delivered; Telegram unreachable")


def _chat_id(address: Address) -> int | str:
    chat_id = address.chat_id
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id


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


def _log_polling_error(error: TelegramError) -> None:
    # PTB retries polling by itself with backoff; say only what kind of trouble it was.
    log.warning("Telegram: polling failed (%s); retrying", type(error).__name__)


class CoreParts(Protocol):
    """What the adapter needs from the composition root's Core."""

    @property
    def settings(self) -> Settings: ...

    @property
    def registry(self) -> Registry[Any]: ...

    @property
    def translator(self) -> Translator: ...

    @property
    def store(self) -> ChatStore: ...


def build_telegram(core: CoreParts) -> TelegramMessenger:
    """The Telegram messenger from the settings: polling unless TELEGRAM_WEBHOOK_URL is set."""
    settings = core.settings
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    webhook = None
    if settings.telegram_webhook_url:
        secret = settings.telegram_webhook_secret
        webhook = WebhookConfig(
            url=settings.telegram_webhook_url,
            listen=settings.telegram_webhook_listen,
            secret=secret.get_secret_value() if secret is not None else None,
        )
    return TelegramMessenger(
        settings.telegram_bot_token.get_secret_value(),
        core.registry,
        core.translator,
        core.store,
        settings.organizers,
        base_url=settings.telegram_api_base_url,
        webhook=webhook,
    )
