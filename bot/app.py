"""The one composition root: settings -> content -> store -> core -> adapters."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.broadcast.pacing import pacing_for
from bot.core.broadcast.service import BroadcastService
from bot.core.commands import Registry
from bot.core.dispatcher import Dispatcher
from bot.core.ports import Clock, Messenger, RateLimiter
from bot.core.reminders.scheduler import ReminderScheduler
from bot.core.server_setup import ServerProbe
from bot.ratelimit import MovingWindowLimiter
from bot.settings import Settings
from content.i18n import CatalogTranslator
from content.loader import load_campaign
from content.schema import Campaign
from db.session import create_engine, upgrade
from db.stores.broadcasts import SqlBroadcastStore
from db.stores.chats import SqlChatStore
from db.stores.events import SqlEventStore
from db.stores.reminders import SqlPlanStore
from db.stores.setups import SqlServerSetups
from handlers.deps import Deps
from handlers.events import content_events
from handlers.registry import build_registry
from handlers.texts.reminder import ReminderTexts

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Core:
    """Everything platform-neutral, wired once; adapters receive the parts they need."""

    settings: Settings
    registry: Registry[Deps]
    dispatcher: Dispatcher[Deps]
    translator: CatalogTranslator
    store: SqlChatStore
    deps: Deps
    engine: AsyncEngine
    server_setups: SqlServerSetups
    # Filled by the adapters that can answer /setup's questions (Discord), keyed by platform.
    server_probes: dict[str, ServerProbe]
    broadcasts: BroadcastService
    # The running messengers by platform, filled by serve(): background services send through it.
    outbox: dict[str, Messenger]
    reminders: ReminderScheduler

    async def aclose(self) -> None:
        await self.engine.dispose()


async def build_core(
    settings: Settings,
    *,
    clock: Clock | None = None,
    limiter: RateLimiter | None = None,
    campaign: Campaign | None = None,
) -> Core:
    """Load content (failing fast on errors), migrate the database and wire the dispatcher."""
    campaign = campaign or load_campaign(settings.content_dir)
    engine = create_engine(settings.database_url)
    await upgrade(engine)
    store = SqlChatStore(engine)
    translator = CatalogTranslator()
    server_setups = SqlServerSetups(engine)
    server_probes: dict[str, ServerProbe] = {}
    registry = build_registry()
    outbox: dict[str, Messenger] = {}
    broadcasts = BroadcastService(
        SqlBroadcastStore(engine),
        outbox,
        translator,
        clock or utc_now,
        second_approval_above=settings.broadcast_second_approval_above,
        pacing={"telegram": pacing_for("telegram", settings.broadcast_telegram_rate)},
    )
    events = SqlEventStore(engine, content_events(campaign))
    remembrance = campaign.remembrance
    reminders = ReminderScheduler(
        SqlPlanStore(engine),
        events,
        store,
        outbox,
        clock or utc_now,
        ReminderTexts(translator, remembrance),
        (remembrance.month, remembrance.day),
    )
    deps = Deps(
        campaign,
        store,
        translator,
        clock or utc_now,
        settings.organizers,
        server_setups=server_setups,
        server_probes=server_probes,
        events=events,
        broadcasts=broadcasts,
        commands=tuple(registry.visible()),
    )
    dispatcher = Dispatcher(
        registry, deps, store, translator, limiter or MovingWindowLimiter(), settings.organizers
    )
    return Core(
        settings,
        registry,
        dispatcher,
        translator,
        store,
        deps,
        engine,
        server_setups,
        server_probes,
        broadcasts,
        outbox,
        reminders,
    )


def platform_messengers(core: Core) -> list[Messenger]:
    """The adapter table: every platform whose token is set."""
    messengers: list[Messenger] = []
    settings = core.settings
    if settings.telegram_bot_token is not None:
        from bot.adapters.telegram.messenger import build_telegram

        messengers.append(build_telegram(core))
    if settings.discord_bot_token is not None:
        from bot.adapters.discord.messenger import build_discord

        messengers.append(build_discord(core))
    return messengers


async def serve(core: Core, messengers: list[Messenger]) -> None:
    """Run every messenger and the background services on one event loop.

    Ends when every messenger has ended (the console's input ran out) or when cancelled.
    """
    log.info("serving on %s", ", ".join(m.platform for m in messengers))
    core.outbox.update({m.platform: m for m in messengers})
    try:
        async with asyncio.TaskGroup() as services:
            background = [
                services.create_task(core.broadcasts.run()),
                services.create_task(core.reminders.run()),
            ]
            async with asyncio.TaskGroup() as platforms:
                for messenger in messengers:
                    platforms.create_task(messenger.run(core.dispatcher.dispatch))
            for task in background:
                task.cancel()
    finally:
        await core.aclose()
