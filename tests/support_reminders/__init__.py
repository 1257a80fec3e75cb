"""Composing the reminder parts around a built core, as bot/app.py will (tests only)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta

from bot.app import Core
from bot.core.dispatcher import Dispatcher
from bot.core.messages import Address, Reply
from bot.core.ports import Clock, Dispatch, Messenger, RecipientGone, TryLater
from bot.core.reminder_scheduler import ReminderScheduler
from bot.ratelimit import Unlimited
from db.event_store import SqlEventStore
from db.reminder_store import SqlPlanStore
from handlers.deps import Deps
from handlers.events import content_events
from handlers.reminder_text import ReminderTexts


@dataclass
class RecordingMessenger:
    """A platform that records what it is asked to send; chats can be made to refuse."""

    platform: str = "console"
    sent: list[tuple[Address, Reply]] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)
    busy: set[str] = field(default_factory=set)

    async def run(self, dispatch: Dispatch) -> None:  # pragma: no cover - never served
        raise NotImplementedError

    async def send(self, address: Address, reply: Reply) -> None:
        if address.chat_id in self.gone:
            raise RecipientGone()
        if address.chat_id in self.busy:
            raise TryLater(1.0)
        self.sent.append((address, reply))

    def texts(self, chat: str) -> list[str]:
        return [reply.text for address, reply in self.sent if address.chat_id == chat]


@dataclass
class Reminders:
    dispatcher: Dispatcher[Deps]
    scheduler: ReminderScheduler
    plan: SqlPlanStore
    events: SqlEventStore
    deps: Deps


def compose(
    core: Core, clock: Clock, messengers: Mapping[str, Messenger], tick_seconds: float = 30.0
) -> Reminders:
    """The wiring the lead adds to build_core/serve, done here for tests."""
    events = SqlEventStore(core.engine, content_events(core.deps.campaign))
    plan = SqlPlanStore(core.engine)
    deps = replace(core.deps, events=events)
    dispatcher = Dispatcher(
        core.registry, deps, core.store, core.translator, Unlimited(), core.settings.organizers
    )
    remembrance = core.deps.campaign.remembrance
    scheduler = ReminderScheduler(
        plan,
        events,
        core.store,
        messengers,
        clock,
        ReminderTexts(core.translator, remembrance),
        (remembrance.month, remembrance.day),
        tick_seconds=tick_seconds,
        late_after=timedelta(minutes=15),
    )
    return Reminders(dispatcher, scheduler, plan, events, deps)
