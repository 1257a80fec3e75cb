"""Events from every source, as one platform-neutral value, and the ports reminders need.

Two sources of events meet here: the campaign's content files (read-only) and events organizers
create in chat (stored). Handlers and the scheduler see both through `EventStore`, as `EventInfo`.
The scheduler's own storage (the reminder plan: one row per chat and occurrence) is `PlanStore`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from typing import Protocol

from bot.core.messages import Address

# Until a chat chooses, reminders come a day and an hour before an event (in minutes).
DEFAULT_LEADS: tuple[int, ...] = (24 * 60, 60)
REMEMBRANCE = "remembrance"


class EventStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Localized:
    """A text in its original language with optional translations: ('ru', '...'), ..."""

    text: str
    translations: tuple[tuple[str, str], ...] = ()

    def get(self, locale: str | None) -> str:
        return next((t for code, t in self.translations if code == locale and t), self.text)


@dataclass(frozen=True, slots=True)
class EventInfo:
    """An event at a wall-clock time in a named zone, from the content files or from a chat."""

    id: str
    title: Localized
    description: Localized
    place: Localized
    timezone: str
    starts_at: datetime  # aware, in `timezone`
    ends_at: datetime
    how_to_help: Localized | None = None
    url: str | None = None
    topics: tuple[str, ...] = ("events",)
    # None: campaign-wide; otherwise the one group or server chat the event belongs to.
    scope: Address | None = None
    status: EventStatus = EventStatus.SCHEDULED
    cancelled_at: datetime | None = None
    from_content: bool = False
    # A pending edit names the event it would change.
    edit_of: str | None = None
    # A draft's writer, the only one who may publish or discard it; None once published.
    drafted_by: Address | None = None
    # When an organizer published it (announced to subscribers); None for content events.
    published_at: datetime | None = None

    @property
    def stored(self) -> bool:
        return not self.from_content


@dataclass(frozen=True, slots=True)
class EventDraft:
    """What an organizer typed, checked; becomes a stored event when confirmed."""

    title: str
    starts_local: datetime  # naive wall-clock time in `timezone`
    ends_local: datetime
    timezone: str
    place: str
    description: str
    url: str | None = None


class EventStore(Protocol):
    """Events from both sources, drafts, and each chat's reminder lead times (for handlers)."""

    async def get(self, event_id: str) -> EventInfo | None:
        """A content or stored event (scheduled or cancelled); None for unknown ids and drafts."""
        ...

    async def planning(self, now: datetime) -> list[EventInfo]:
        """Events reminders may still be planned for: scheduled or cancelled, not yet started."""
        ...

    async def visible(self, chat: Address, now: datetime, past: bool) -> list[EventInfo]:
        """Events this chat may see, campaign-wide ones and its own: upcoming scheduled ones
        soonest first, or past ones (cancelled ones too) latest first."""
        ...

    async def listed(self, now: datetime, past: bool) -> list[EventInfo]:
        """Every published event of every scope (for the dashboard, which filters by its
        reader's reach): upcoming scheduled ones soonest first, or past ones (cancelled ones
        too) latest first, as `visible` orders them."""
        ...

    async def save_draft(
        self,
        draft: EventDraft,
        scope: Address | None,
        now: datetime,
        edit_of: str | None = None,
        drafted_by: Address | None = None,
    ) -> EventInfo:
        """Store an unconfirmed event (it expires) and return it with its id."""
        ...

    async def get_draft(self, draft_id: str, now: datetime) -> EventInfo | None: ...

    async def confirm(self, draft_id: str, now: datetime) -> EventInfo | None:
        """Publish a draft (or apply a pending edit); None if it expired or was used."""
        ...

    async def discard(self, draft_id: str) -> bool:
        """Throw an unconfirmed draft away."""
        ...

    async def cancel(self, event_id: str, now: datetime) -> EventInfo | None: ...

    async def leads(self, chat: Address) -> tuple[int, ...]:
        """Minutes before an event at which this chat is reminded."""
        ...

    async def set_leads(self, chat: Address, leads: tuple[int, ...]) -> None: ...


@dataclass(frozen=True, slots=True)
class ChatFacts:
    """What planning needs to know about one chat; `ref` is the store's own handle for it."""

    ref: int
    address: Address
    timezone: str | None
    quiet_hours: tuple[time, time] | None
    active: bool
    topics: frozenset[str]
    leads: tuple[int, ...]
    # Events this chat answered going or maybe to.
    coming: frozenset[str] = field(default_factory=frozenset)


class Kind(StrEnum):
    EVENT = "event"
    REMEMBRANCE = "remembrance"
    CANCELLED = "cancelled"
    # A newly published event, told once to the chats subscribed to its topics.
    ANNOUNCE = "announce"


@dataclass(frozen=True, slots=True)
class Planned:
    """One delivery a chat should get: unique per (chat, key), whatever happens."""

    key: str
    event_id: str
    kind: Kind
    lead: int  # minutes before the event; for remembrance, days before 29 March
    due_at: datetime  # UTC, after quiet hours
    stale_at: datetime  # UTC; from then on the reminder is useless and is dropped
    # Until when a row not yet in the plan is still added although its due time has passed
    # (notices due "now" reach the plan only at the next tick); None: only while not yet due.
    news_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Due:
    """A planned delivery whose time has come, with what rendering it needs."""

    id: int
    address: Address
    group: bool  # a group, channel or server channel (slower per-chat limits)
    locale: str | None
    timezone: str | None
    key: str
    event_id: str
    kind: Kind
    lead: int
    due_at: datetime
    stale_at: datetime
    # A later reminder for the same chat and event is also due: this one would only repeat it.
    superseded: bool = False
    # The chat is in discreet mode: it gets a neutral line and Show (bot.core.discreet).
    discreet: bool = False
    # Self-destruct: seconds after which the reminder is deleted; None for never.
    delete_after: int | None = None


PlanChat = Callable[[ChatFacts], list[Planned]]


class PlanStore(Protocol):
    """The reminder plan in the database: the source of truth for every delivery."""

    async def marks(self) -> dict[str, str]:
        """What each subject (an event, the remembrance year) was last planned for."""
        ...

    async def replan_event(self, event: EventInfo, mark: str, plan: PlanChat, now: datetime) -> int:
        """Re-plan one event for every chat that may get it; then record `mark` for it."""
        ...

    async def replan_topic(
        self, subject: str, topic: str, mark: str, plan: PlanChat, now: datetime
    ) -> int:
        """Re-plan `subject` (such as the remembrance) for every chat subscribed to `topic`."""
        ...

    async def replan_dirty_chats(self, plan: PlanChat, now: datetime, limit: int) -> int:
        """Re-plan chats whose subscriptions, zone, quiet hours, RSVPs or leads changed."""
        ...

    def due(
        self, now: datetime, batch: int, platforms: Collection[str]
    ) -> AsyncIterator[Sequence[Due]]:
        """Planned deliveries due by `now` to chats on `platforms`, oldest first, in batches."""
        ...

    async def claim(self, reminder_ids: Sequence[int]) -> set[int]:
        """Record these as being sent, in one transaction committed before any is sent; the
        ids claimed (those still planned)."""
        ...

    async def settle(self, reminder_ids: Sequence[int], state: str) -> None:
        """Record how deliveries ended: sent, gone, failed, dropped, or planned (retry)."""
        ...

    async def settle_many(self, outcomes: Sequence[tuple[int, str]]) -> None:
        """(id, state) for many deliveries, in one transaction."""
        ...

    async def recover(self) -> int:
        """After a crash: deliveries claimed but never confirmed count as sent; how many."""
        ...
