"""The Telegram adapter: python-telegram-bot in, core Requests through, Telegram messages out.

A newcomer's map: `messenger` runs the bot (polling or webhook) and sends unprompted;
`webhook` is the webhook endpoint (its secret compared in constant time); `inbound` turns each
kind of update into a Request or a report to the core, and sends private answers privately;
`updates` reads updates without I/O; `delivery` sends one Reply and maps Telegram's errors;
`render` turns text and buttons into what Telegram shows; `menu` publishes the command menus;
`logging` keeps the token and updates
out of logs. This module builds the messenger from the composition root's parts.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Protocol

from bot.adapters import CoreParts
from bot.adapters.telegram.inbound import ChatReader, ChatReports
from bot.adapters.telegram.messenger import (
    PAID_RATE,
    TELEGRAM_PACING,
    TelegramMessenger,
    TelegramRefused,
    TokenRejected,
    WebhookConfig,
)
from bot.adapters.telegram.updates import PLATFORM
from bot.core.ports import PlatformPacing

__all__ = [
    "TelegramCoreParts",
    "TelegramMessenger",
    "TelegramRefused",
    "TokenRejected",
    "build_telegram",
    "telegram_pacing",
]


class TelegramCoreParts(CoreParts, Protocol):
    """What the Telegram adapter needs from the composition root's Core."""

    @property
    def store(self) -> ChatReader: ...

    @property
    def chat_events(self) -> ChatReports: ...

    @property
    def budgets(self) -> FloodReports: ...


class FloodReports(Protocol):
    """Where a 429 on a reply is reported (bot.core.delivery.budget.SendBudgets)."""

    def pause(self, platform: str, seconds: float) -> None: ...


def build_telegram(core: TelegramCoreParts, *, outbound_only: bool = False) -> TelegramMessenger:
    """The Telegram messenger from the settings: polling unless TELEGRAM_WEBHOOK_URL is set;
    `outbound_only`, a sender process's, neither polls nor listens (it only sends)."""
    settings = core.settings
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    webhook = None
    if settings.telegram_webhook_url and not outbound_only:
        secret = settings.telegram_webhook_secret
        if secret is None:
            # The settings refuse this already; a webhook without a secret takes forged updates.
            raise ValueError("TELEGRAM_WEBHOOK_SECRET is not set")
        webhook = WebhookConfig(
            url=settings.telegram_webhook_url,
            listen=settings.telegram_webhook_listen,
            secret=secret.get_secret_value(),
        )
    return TelegramMessenger(
        settings.telegram_bot_token.get_secret_value(),
        core.registry,
        core.translator,
        core.store,
        settings.organizers,
        chat_events=core.chat_events,
        base_url=settings.telegram_api_base_url,
        webhook=webhook,
        pacing=telegram_pacing(settings.broadcast_telegram_rate, settings.broadcast_telegram_paid),
        on_flood=partial(core.budgets.pause, PLATFORM),
        outbound_only=outbound_only,
    )


def telegram_pacing(rate: float | None, paid: bool) -> PlatformPacing:
    """The free lane at `rate` (at most 30), or with `paid` the free lane at its default 25
    (reminders and notices never pay) beside the paid lane at `rate` (unset: 1,000)."""
    if not paid:
        return TELEGRAM_PACING.with_rate(rate)
    return replace(TELEGRAM_PACING, paid_rate=min(rate or PAID_RATE, PAID_RATE))
