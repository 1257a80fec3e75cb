"""Composing the reminder parts around a built core, as bot/app.py will (tests only)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.app import Core
from bot.core.dispatcher import Dispatcher
from bot.core.messages import Address, Reply
from bot.core.ports import Clock, Dispatch, Messenger, RecipientGone, TryLater
from bot.core.reminders.scheduler import ReminderScheduler
from bot.core.reminders.values import EventDraft, EventInfo
from bot.ratelimit import Unlimited
from db.stores.events import SqlEventStore
from db.stores.reminders import SqlPlanStore
from handlers.deps import Deps
from handlers.events import content_events
from handlers.texts.reminder import ReminderTexts
from tests.support.fakes import FixedClock

ORGANIZER = "organizer"  # tests/conftest.py makes console:organizer an organizer


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


async def make_event(
    rem: Reminders,
    clock: FixedClock,
    starts: str,
    zone: str = "Europe/London",
    title: str = "Rally",
    scope: Address | None = None,
) -> EventInfo:
    """A published campaign event straight through the store."""
    start = datetime.fromisoformat(starts)
    draft = EventDraft(
        title, start, start.replace(hour=min(start.hour + 2, 23)), zone, "Square", "Come."
    )
    saved = await rem.events.save_draft(draft, scope, clock())
    event = await rem.events.confirm(saved.id, clock())
    assert event is not None
    return event
