"""Composing the reminder parts around a built core, as bot/app.py will (tests only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.app import Core
from bot.core.dispatcher import Dispatcher
from bot.core.messages import Address, Reply
from bot.core.ports import Dispatch, Messenger, PlatformPacing, RecipientGone, TryLater
from bot.core.reminders.scheduler import ReminderScheduler
from bot.core.reminders.values import EventDraft, EventInfo, EventStore
from db.stores.reminders import SqlPlanStore
from handlers.deps import Deps
from tests.support.fakes import FixedClock

ORGANIZER = "organizer"  # tests/conftest.py makes console:organizer an organizer


@dataclass
class RecordingMessenger:
    """A platform that records what it is asked to send; chats can be made to refuse."""

    platform: str = "console"
    pacing: PlatformPacing = field(default_factory=PlatformPacing)
    sent: list[tuple[Address, Reply]] = field(default_factory=list)
    deleted: list[tuple[Address, tuple[str, ...]]] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)
    busy: set[str] = field(default_factory=set)

    async def run(self, dispatch: Dispatch) -> None:  # pragma: no cover - never served
        raise NotImplementedError

    async def send(self, address: Address, reply: Reply) -> Sequence[str]:
        if address.chat_id in self.gone:
            raise RecipientGone()
        if address.chat_id in self.busy:
            raise TryLater(1.0)
        self.sent.append((address, reply))
        return (str(len(self.sent)),)

    async def delete(self, address: Address, message_ids: Sequence[str]) -> None:
        if address.chat_id in self.gone:
            raise RecipientGone()
        if address.chat_id in self.busy:
            raise TryLater(1.0)
        self.deleted.append((address, tuple(message_ids)))

    def texts(self, chat: str) -> list[str]:
        return [reply.text for address, reply in self.sent if address.chat_id == chat]


@dataclass
class Reminders:
    dispatcher: Dispatcher[Deps]
    scheduler: ReminderScheduler
    plan: SqlPlanStore
    events: EventStore
    deps: Deps


def compose(core: Core, messengers: Mapping[str, Messenger]) -> Reminders:
    """The core's own reminder scheduler, sending through `messengers`."""
    core.outbox.update(messengers)
    return Reminders(
        core.dispatcher, core.reminders, SqlPlanStore(core.engine), core.deps.events, core.deps
    )


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
