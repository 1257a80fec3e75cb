"""The one composition root: settings -> content -> store -> core -> adapters."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.broadcast.service import BroadcastService
from bot.core.chats import ChatEvents
from bot.core.commands import Registry
from bot.core.dashboard.access import DashboardLinks, WebAccess
from bot.core.deletion import DeletionService
from bot.core.delivery.budget import SendBudgets
from bot.core.dispatcher import Dispatcher
from bot.core.leadership import SENDER, Leadership, new_owner
from bot.core.ports import Clock, Messenger, RateLimiter
from bot.core.reminders.scheduler import ReminderScheduler
from bot.core.reminders.sends import STOP_GRACE_S
from bot.core.retention import RetentionPolicy, RetentionService
from bot.core.server_setup import ServerProbe
from bot.metrics import instrument
from bot.settings import ALL_ROLES, DISCORD_ROLE, SENDER_ROLE, TELEGRAM_ROLE, Settings
from content.events import content_events
from content.i18n import CatalogTranslator
from content.loader import load_campaign
from content.schema import Campaign
from db.session import checkpoint, create_engine, upgrade
from db.stores.broadcasts import SqlBroadcastStore
from db.stores.chats import SqlChatStore
from db.stores.deletions import SqlDeletionStore
from db.stores.events import SqlEventStore
from db.stores.leases import Claimant, SqlLeases
from db.stores.privacy import SqlPrivacyReader
from db.stores.reminders import SqlPlanStore
from db.stores.retention import SqlRetentionStore
from db.stores.setups import SqlServerSetups
from db.stores.shared import shared_state
from db.stores.web_access import SqlWebAccess
from handlers.deps import Deps
from handlers.registry import build_registry
from handlers.texts.reminder import ReminderTexts

log = logging.getLogger(__name__)

BUDGET_OPTIONS = ("pacing", "monotonic", "sleep")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
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
    # What adapters and background services report about chats (gone, moved, a link opened).
    chat_events: ChatEvents
    broadcasts: BroadcastService
    # The running messengers by platform, filled by serve(): background services send through it.
    outbox: dict[str, Messenger]
    # Each platform's one budget for what the bot sends on its own; adapters report a 429 on a
    # reply here, so bulk sends wait it out too.
    budgets: SendBudgets
    reminders: ReminderScheduler
    # The background purge that deletes what is past its retention (bot/core/retention.py).
    retention: RetentionService
    # Self-destruct: deletes the bot's own messages where a chat chose it (bot/core/deletion.py).
    deletions: DeletionService
    # The sender lease: of all processes on one database, its holder runs the services above.
    leadership: Leadership
    # The dashboard's one-time links and sessions (bot/core/dashboard, bot/adapters/web).
    web_access: WebAccess

    async def aclose(self) -> None:
        # A clean stop leaves no write-ahead log behind: erased rows' old versions can linger
        # there. (The broadcast sender gives back its kept connection when it stops.)
        try:
            await checkpoint(self.engine)
        finally:
            await self.engine.dispose()


async def build_core(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    limiter: RateLimiter | None = None,
    campaign: Campaign | None = None,
    broadcast_options: Mapping[str, Any] | None = None,
    reminder_options: Mapping[str, Any] | None = None,
    deletion_options: Mapping[str, Any] | None = None,
    fenced: bool = False,
    leadership_options: Mapping[str, Any] | None = None,
) -> Core:
    """Load content (failing fast on errors), migrate the database and wire the dispatcher.

    `broadcast_options` and `reminder_options` tune the background services' timing (tests
    poll faster than production); production uses their defaults. `fenced` (serve() through
    `allybot run`) makes every claim of a broadcast recipient or reminder require the sender
    lease, so processes sharing a database never both send one; a test that drives the services
    itself, without the lease, leaves it off.
    """
    campaign = campaign or load_campaign(settings.content_dir)
    engine = create_engine(settings.database_url, settings.database_key)
    await upgrade(engine)
    owner = new_owner()
    claimant = Claimant(owner, SENDER if fenced else None)
    ttl = settings.sender_lease_seconds
    # Renewed six times a lease; given up after half of one unrenewed (bot/core/leadership.py).
    lease: dict[str, Any] = {"ttl_s": ttl, "renew_s": ttl / 6, "give_up_s": ttl / 2}
    leadership = Leadership(SqlLeases(engine), owner, **(lease | dict(leadership_options or {})))
    # On SQLite the event store keeps published events and lead times in memory; every change of
    # a chat's row (erasure, move) or a purge tells it to read them again. On PostgreSQL, which
    # other processes write too, it keeps nothing.
    events = SqlEventStore(engine, content_events(campaign))
    store = SqlChatStore(engine, on_change=events.forget_cached)
    translator = CatalogTranslator()
    server_setups = SqlServerSetups(engine)
    outbox: dict[str, Messenger] = {}
    deletions = DeletionService(
        SqlDeletionStore(engine), store, outbox, clock, **(deletion_options or {})
    )
    # Every sender reports what it sent here (adapters their replies, the budgets bulk sends),
    # so a chat that chose self-destruct gets all of it deleted.
    chat_events = ChatEvents(store, server_setups, campaign.campaign_tags, deletions)
    server_probes: dict[str, ServerProbe] = {}
    registry = build_registry()
    # One send budget per platform for everything the bot sends on its own (tests may give it
    # their own pacing and clock through the broadcast options).
    timing = {k: v for k, v in (broadcast_options or {}).items() if k in BUDGET_OPTIONS}
    budgets = SendBudgets(outbox, on_sent=chat_events.sent, **timing)
    broadcasts = BroadcastService(
        SqlBroadcastStore(engine, claimant),
        outbox,
        translator,
        clock,
        chat_events,
        second_approval_above=settings.broadcast_second_approval_above,
        budgets=budgets,
        chat_prefs=store,
        **(broadcast_options or {}),
    )
    remembrance = campaign.remembrance
    reminders = ReminderScheduler(
        SqlPlanStore(engine, claimant),
        events,
        chat_events,
        outbox,
        clock,
        ReminderTexts(translator, remembrance),
        (remembrance.month, remembrance.day),
        budgets=budgets,
        **(reminder_options or {}),
    )

    def purged() -> None:
        # The purge erased chats or rows behind the stores' caches.
        events.forget_cached()
        store.forget_cached()

    policy = RetentionPolicy(
        after_event=settings.retention_after_event,
        broadcast_recipients=settings.retention_broadcast_recipients,
        drafts=settings.retention_drafts,
    )
    retention = RetentionService(
        SqlRetentionStore(engine, content_events(campaign), on_change=purged),
        clock,
        policy,
        interval=settings.purge_interval,
    )
    web_access = WebAccess(
        SqlWebAccess(engine), login_ttl=timedelta(minutes=settings.web_login_minutes)
    )
    deps = Deps(
        campaign=campaign,
        store=store,
        translator=translator,
        clock=clock,
        organizers=settings.organizers,
        events=events,
        broadcasts=broadcasts,
        server_setups=server_setups,
        server_probes=server_probes,
        commands=tuple(registry.visible()),
        privacy=SqlPrivacyReader(engine),
        retention=policy,
        dashboard=DashboardLinks(web_access, settings.dashboard_url),
        self_destruct_choices=settings.self_destruct_choices,
    )
    # In memory on SQLite (one process); in the database on PostgreSQL, where any process may
    # take a person's next message.
    drafts, shared_limiter = shared_state(
        engine, settings.rate_limit_per_minute, settings.rate_limit_burst
    )
    dispatcher = Dispatcher(registry, deps, limiter or shared_limiter, drafts)
    return Core(
        settings=settings,
        registry=registry,
        dispatcher=dispatcher,
        translator=translator,
        store=store,
        deps=deps,
        engine=engine,
        server_setups=server_setups,
        server_probes=server_probes,
        chat_events=chat_events,
        broadcasts=broadcasts,
        outbox=outbox,
        budgets=budgets,
        reminders=reminders,
        retention=retention,
        deletions=deletions,
        leadership=leadership,
        web_access=web_access,
    )


def platform_messengers(
    core: Core, roles: frozenset[str] = ALL_ROLES, *, sends: bool = False
) -> list[Messenger]:
    """The adapter table: every platform whose token is set, serving its people when this
    process has the platform's role, or only sending (the sender role's bulk sends, or with
    `sends`, what the dashboard's actions cause) when not."""
    messengers: list[Messenger] = []
    settings = core.settings
    sends = sends or SENDER_ROLE in roles
    if settings.telegram_bot_token is not None and (TELEGRAM_ROLE in roles or sends):
        from bot.adapters.telegram import build_telegram

        messengers.append(build_telegram(core, outbound_only=TELEGRAM_ROLE not in roles))
    if settings.discord_bot_token is not None and (DISCORD_ROLE in roles or sends):
        from bot.adapters.discord import build_discord

        messengers.append(build_discord(core, outbound_only=DISCORD_ROLE not in roles))
    return messengers


async def serve(
    core: Core,
    messengers: list[Messenger],
    stop: asyncio.Event | None = None,
    *,
    background: bool = True,
    web_listen: str | None = None,
) -> None:
    """Run every messenger and, with `background` (the sender role), the background services
    while this process holds the sender lease (bot/core/leadership.py), on one event loop.

    Ends when every messenger has ended (the console's input ran out), when `stop` is set (a
    signal, see bot.__main__) or when cancelled. A stop is graceful: the background services
    stop first, so the broadcast message and the reminder already on their way finish while the
    messengers can still send (each within its grace period) and no row is left "sending"; the
    lease is given up, so a standby sender takes over at once; then the messengers stop taking
    updates and finish the ones in hand; then the database closes.

    With `web_listen` the organizer dashboard is served too (bot/dashboard.py), until the stop;
    with no messenger then, serving it is the whole job (`allybot web` without tokens).
    """
    log.info("serving on %s", ", ".join(m.platform for m in messengers) or "no platform")
    instrument(core)  # METRICS_LISTEN: Prometheus metrics (bot/metrics.py)
    core.outbox.update({m.platform: m for m in messengers})
    stop = stop or asyncio.Event()
    ending = asyncio.Event()
    try:
        async with asyncio.TaskGroup() as tasks:
            services = None
            if background:
                lead = partial(_run_background, core)
                services = tasks.create_task(core.leadership.run(lead, ending))
            if web_listen is not None:
                from bot.dashboard import run_dashboard

                tasks.create_task(run_dashboard(core, web_listen, ending))
            platforms = tasks.create_task(
                _run_platforms(core, messengers)
                if messengers or web_listen is None
                else stop.wait()
            )
            stopping = tasks.create_task(stop.wait())
            await asyncio.wait({platforms, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stop.is_set():
                log.info("stopping: finishing the messages on their way")
            ending.set()
            if services is not None:
                await services
            platforms.cancel()
            stopping.cancel()
    finally:
        await core.aclose()
    if stop.is_set():
        log.info("stopped")


async def _run_background(core: Core, stepping_down: asyncio.Event) -> None:
    """The background services, until `stepping_down` is set; then they stop gracefully."""
    async with asyncio.TaskGroup() as services:
        reminders = services.create_task(core.reminders.run())
        background = [
            services.create_task(core.broadcasts.run()),
            reminders,
            services.create_task(core.retention.run()),
            services.create_task(core.deletions.run()),
        ]
        await stepping_down.wait()
        # The reminder loop stops between two reminders (a cancel could cut a database write
        # short); the others are cancelled, each finishing what is on its way.
        if core.reminders.stop():
            await asyncio.wait({reminders}, timeout=STOP_GRACE_S)
        for task in background:
            task.cancel()
        await asyncio.wait(background)


async def _run_platforms(core: Core, messengers: list[Messenger]) -> None:
    async with asyncio.TaskGroup() as platforms:
        for messenger in messengers:
            platforms.create_task(messenger.run(core.dispatcher.dispatch))
