"""The Telegram messenger: the whole bot on python-telegram-bot 22, polling or webhook."""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    MessageHandler,
    filters,
)

from bot.adapters.telegram.delivery import Delivery
from bot.adapters.telegram.inbound import (
    ADMIN_TTL_S,
    ChatReader,
    ChatReports,
    UpdateHandlers,
    admin_cache,
)
from bot.adapters.telegram.logging import install_token_redaction
from bot.adapters.telegram.menu import publish_menus
from bot.adapters.telegram.updates import PLATFORM, chat_id_of
from bot.adapters.telegram.webhook import WebhookServer
from bot.core.commands import Registry
from bot.core.messages import Address, Reply
from bot.core.ports import Dispatch, PlatformPacing, Translator, TryLater

log = logging.getLogger(__name__)

# Telegram's alphabet for secret tokens (up to 256); 32 characters are our floor.
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{32,256}")

# Only what the bot acts on: fewer update kinds means less data about people passing through.
# A group's move to a supergroup arrives as a "message" (a service message), so it is covered.
ALLOWED_UPDATES = ("message", "channel_post", "callback_query", "my_chat_member")

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class TelegramRefused(Exception):
    """Telegram refused a setting at start; waiting would not help, so the bot stops."""


class TokenRejected(TelegramRefused):
    """Telegram refused the token; the message names the variable, never the token."""

    def __init__(self) -> None:
        super().__init__("Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather")


class WebhookRefused(TelegramRefused):
    """setWebhook was refused (not HTTPS, a port Telegram does not use, an unknown host)."""

    def __init__(self, description: str) -> None:
        super().__init__(f"Telegram refused TELEGRAM_WEBHOOK_URL: {description}")


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    """Receive updates over HTTPS at `url`, served locally on `listen` (host:port).

    `secret` is required: without it anyone who reaches the URL can post forged updates.
    """

    url: str
    listen: str
    secret: str

    def __post_init__(self) -> None:
        # The settings check the same rule with a friendlier message; this holds for any caller.
        if not WEBHOOK_SECRET.fullmatch(self.secret):
            raise ValueError("a webhook needs a secret of 32 to 256 of A-Z a-z 0-9 _ -")


def api_urls(base_url: str) -> tuple[str, str]:
    """A self-hosted Bot API server's root (or its .../bot URL) -> PTB base_url, base_file_url."""
    root = base_url.rstrip("/").removesuffix("/bot")
    return f"{root}/bot", f"{root}/file/bot"


# Telegram allows about 30 messages a second per bot, 20 a minute into one group and one a second
# into one chat; the fan-out defaults to 25 so that command replies always find room.
TELEGRAM_PACING = PlatformPacing(
    rate=25.0, per_chat_interval_s=1.0, group_per_minute=20, hard_cap=30.0
)
# allow_paid_broadcast lifts the overall limit to 1,000 messages a second, for 0.1 Telegram Stars a
# message from the bot's balance (https://core.telegram.org/bots/api#sendmessage).
PAID_RATE = 1000.0


class TelegramMessenger:
    """The Messenger port on Telegram."""

    platform = PLATFORM

    def __init__(
        self,
        token: str,
        registry: Registry[Any],
        translator: Translator,
        store: ChatReader,
        organizers: frozenset[Address] = frozenset(),
        *,
        chat_events: ChatReports,
        base_url: str | None = None,
        webhook: WebhookConfig | None = None,
        poll_timeout: float = 10.0,
        concurrent_updates: int = 16,
        retry_backoff: float = 1.0,
        start_backoff: float = 2.0,
        pacing: PlatformPacing = TELEGRAM_PACING,
        admin_ttl: float = ADMIN_TTL_S,
        on_flood: Callable[[float], None] | None = None,
        outbound_only: bool = False,
    ) -> None:
        self.pacing = pacing
        # A sender process without the telegram role: it only sends; the webhook workers (or
        # the one polling process) take the updates.
        self._outbound_only = outbound_only
        self._token = token
        self._registry = registry
        self._translator = translator
        self._organizers = frozenset(o for o in organizers if o.platform == PLATFORM)
        self._webhook = webhook
        self._poll_timeout = poll_timeout
        self._start_backoff = start_backoff
        self._ready = asyncio.Event()
        self._webhook_server: WebhookServer | None = None
        # PTB logs the API URL, token included, as soon as the bot object exists.
        install_token_redaction(token)
        self.application = self._build(base_url, concurrent_updates)
        self._delivery = Delivery(self.application.bot, retry_backoff, on_flood=on_flood)
        self._handlers = UpdateHandlers(
            registry, translator, store, chat_events, self._delivery, admin_cache(admin_ttl)
        )
        self._add_handlers()

    def _build(self, base_url: str | None, concurrent_updates: int) -> AnyApplication:
        builder = ApplicationBuilder().token(self._token).job_queue(None)
        # Updates run concurrently so one chat's flood-control wait does not hold up the others;
        # 16 is far above Telegram's ~30 messages/s, and more in-flight requests only make
        # httpcore's connection pool slower (see bench/telegram_adapter.py).
        builder = builder.concurrent_updates(concurrent_updates)
        if base_url:
            api, files = api_urls(base_url)
            builder = builder.base_url(api).base_file_url(files)
        if self._webhook is not None or self._outbound_only:
            # Our own webhook server (see webhook.py) feeds the update queue; PTB's updater,
            # whose server compares the secret with `!=`, is left out, and polls nothing. A
            # sender-only process takes no updates at all.
            builder = builder.updater(None).get_updates_connection_pool_size(1)
        application: AnyApplication = builder.build()
        return application

    def _add_handlers(self) -> None:
        application, handlers = self.application, self._handlers
        posts = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
        application.add_handler(MessageHandler(filters.COMMAND & posts, handlers.on_command))
        # Plain messages answer a step-by-step command's question: in private chats, and in
        # groups as replies to the bot (all that privacy mode lets through anyway).
        answers = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
        application.add_handler(
            MessageHandler(answers & (filters.ChatType.PRIVATE | filters.REPLY), handlers.on_text)
        )
        # Telegram posts the move into both chats; the old group's copy names the new id.
        application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, handlers.on_migration))
        application.add_handler(CallbackQueryHandler(handlers.on_button))
        application.add_handler(
            ChatMemberHandler(handlers.on_membership, ChatMemberHandler.MY_CHAT_MEMBER)
        )
        application.add_error_handler(handlers.on_error)

    # -- the Messenger port ------------------------------------------------------------------

    async def run(self, dispatch: Dispatch) -> None:
        """Serve Telegram users until cancelled, in the caller's event loop."""
        install_token_redaction(self._token)
        self._handlers.dispatch = dispatch
        app = self.application
        try:
            await self._initialize(app)
        except BaseException:
            await app.bot.shutdown()
            raise
        async with app:
            await app.start()
            try:
                if self._outbound_only:
                    self._ready.set()
                    log.info("Telegram: sending only (updates go to other processes)")
                    await asyncio.Event().wait()
                await self._receive_updates(app)
                self._ready.set()
                log.info("Telegram: serving as a %s bot", "webhook" if self._webhook else "polling")
                await publish_menus(app.bot, self._registry, self._translator, self._organizers)
                await asyncio.Event().wait()
            finally:
                self._ready.clear()
                if self._webhook_server is not None:
                    await self._webhook_server.stop()
                if app.updater is not None and app.updater.running:
                    try:
                        await app.updater.stop()
                    except Exception as error:
                        # Stopping confirms the last updates with one more getUpdates, which
                        # fails if one of them cannot be read; the bot stops all the same.
                        log.warning("Telegram: stopping polling failed (%s)", type(error).__name__)
                if app.running:
                    await app.stop()
                log.info("Telegram: stopped")

    async def send(self, address: Address, reply: Reply) -> Sequence[str]:
        """Push a reply unprompted; RecipientGone or TryLater tell the caller what to do next."""
        if not self._ready.is_set():
            raise TryLater(self._start_backoff)
        sent = await self._delivery.send(chat_id_of(address), reply, patient=False)
        return [str(message_id) for message_id in sent]

    async def delete(self, address: Address, message_ids: Sequence[str]) -> None:
        """Delete some of the bot's own messages; those gone or older than 48 hours count as
        deleted."""
        if not self._ready.is_set():
            raise TryLater(self._start_backoff)
        await self._delivery.delete(chat_id_of(address), [int(m) for m in message_ids])

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
        if self._webhook is not None:
            await self._serve_webhook(app, self._webhook)
            return
        updater = app.updater
        if updater is None:
            raise RuntimeError("the Telegram application was built without an updater")
        await updater.start_polling(
            timeout=dtm.timedelta(seconds=self._poll_timeout),
            bootstrap_retries=-1,
            allowed_updates=list(ALLOWED_UPDATES),
            error_callback=_log_polling_error,
        )

    async def _serve_webhook(self, app: AnyApplication, config: WebhookConfig) -> None:
        """Listen first, then tell Telegram where to post (retrying while it is unreachable)."""
        server = WebhookServer(
            app.bot, app.update_queue, config.secret, urlsplit(config.url).path, config.listen
        )
        server.start()
        self._webhook_server = server
        delay = self._start_backoff
        while True:
            try:
                await app.bot.set_webhook(
                    config.url,
                    secret_token=config.secret,
                    allowed_updates=list(ALLOWED_UPDATES),
                )
                return
            except BadRequest as error:
                # A subclass of NetworkError, but retrying the same URL cannot help.
                raise WebhookRefused(error.message) from None
            except NetworkError as error:
                log.warning(
                    "Telegram: setting the webhook failed (%s); retrying", type(error).__name__
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)


def _log_polling_error(error: TelegramError) -> None:
    # PTB retries polling by itself with backoff; say only what kind of trouble it was.
    log.warning("Telegram: polling failed (%s); retrying", type(error).__name__)
