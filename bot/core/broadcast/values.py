"""Organizer broadcasts: the values, their states and the storage port the fan-out runs on."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.core.messages import Address, Reply, UrlButton

# The audience word for "the chat (group or server) this was asked in", beside the topics.
HERE = "here"


class BroadcastState(StrEnum):
    DRAFT = "draft"  # previewed, waiting for the sender's Confirm
    APPROVAL = "approval"  # confirmed, waiting for a second organizer
    SCHEDULED = "scheduled"  # confirmed, waiting for its time
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


UNFINISHED = (
    BroadcastState.DRAFT,
    BroadcastState.APPROVAL,
    BroadcastState.SCHEDULED,
    BroadcastState.SENDING,
)


class DeliveryState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # durably marked just before the send: retried after a crash
    SENT = "sent"
    GONE = "gone"  # blocked the bot, left, or no longer exists: never retried
    FAILED = "failed"  # still failing after every retry


FINAL = (DeliveryState.SENT, DeliveryState.GONE, DeliveryState.FAILED)


@dataclass(frozen=True, slots=True)
class Message:
    """What every recipient gets: plain text and https link buttons."""

    text: str
    links: tuple[UrlButton, ...] = ()

    def reply(self) -> Reply:
        """The very Reply each recipient receives (and the preview shows)."""
        return Reply(self.text, buttons=self.links)


@dataclass(frozen=True, slots=True)
class NewBroadcast:
    """A composed broadcast before it is stored with its recipients."""

    audience: str  # a topic, or HERE
    message: Message
    origin: Address  # where the sender asked: the preview goes there (reports go to created_by)
    locale: str  # the sender's language, for progress messages
    created_by: Address | None  # who wrote it (None only for drafts from before it was kept)
    send_at: datetime | None  # None: as soon as it is confirmed
    target: Address | None = None  # for HERE: the one chat it goes to


@dataclass(frozen=True, slots=True)
class BroadcastInfo:
    id: int
    state: BroadcastState
    audience: str
    message: Message
    origin: Address
    locale: str
    created_by: Address | None
    approved_by: Address | None
    created_at: datetime
    send_at: datetime | None
    total: int
    counts: Mapping[DeliveryState, int] = field(default_factory=dict)

    @property
    def campaign_wide(self) -> bool:
        return self.audience != HERE

    @property
    def remaining(self) -> int:
        return self.counts.get(DeliveryState.QUEUED, 0) + self.counts.get(DeliveryState.SENDING, 0)


@dataclass(frozen=True, slots=True)
class Recipient:
    """One queued delivery: which row, to where, and how it is paced."""

    id: int
    broadcast_id: int
    address: Address
    group: bool  # a group, channel or server channel (slower per-chat limits)
    attempts: int
    active: bool  # False once the chat blocked or removed the bot
    # Discreet mode (bot.core.discreet): the chat gets a neutral line and Show, in `locale`.
    discreet: bool = False
    locale: str | None = None
    # Self-destruct: seconds after which the chat's copy is deleted; None for never.
    delete_after: int | None = None


class BroadcastStore(Protocol):
    """Broadcasts and their recipient lists. Every method is one short transaction."""

    async def create(self, new: NewBroadcast, now: datetime) -> BroadcastInfo:
        """Store the broadcast and its whole recipient list at once, or nothing."""
        ...

    async def get(self, broadcast_id: int) -> BroadcastInfo | None: ...

    async def breakdown(self, broadcast_id: int) -> Mapping[tuple[str, str], int]:
        """Recipients by (platform, language); language '' when the chat chose none."""
        ...

    async def transition(
        self,
        broadcast_id: int,
        expect: Collection[BroadcastState],
        to: BroadcastState,
        *,
        approved_by: Address | None = None,
    ) -> bool:
        """Move to `to` only from one of `expect`; False if it was in another state."""
        ...

    async def with_state(self, state: BroadcastState) -> list[BroadcastInfo]: ...

    async def recent(self, origin: Address | None, limit: int) -> list[BroadcastInfo]: ...

    async def next_recipients(self, platform: str, after_id: int, limit: int) -> list[Recipient]:
        """Queued or in-flight rows of sending broadcasts on one platform, by id."""
        ...

    async def claim(self, recipient_ids: Sequence[int]) -> set[int]:
        """Mark rows 'sending' as this process's before they are sent; the ids claimed."""
        ...

    async def recover(self) -> int:
        """Queue again the rows other (stopped) processes claimed and never settled."""
        ...

    async def mark(self, recipient_id: int, state: DeliveryState, attempts: int) -> None: ...

    async def mark_many(self, marks: Sequence[tuple[int, DeliveryState, int]]) -> None:
        """(row id, state, attempts) for many rows, in one transaction."""
        ...

    async def fail_unreachable(self, broadcast_id: int, platforms: Collection[str]) -> int:
        """Mark queued rows on platforms outside `platforms` failed; return how many."""
        ...

    async def delete_drafts(self, before: datetime) -> int: ...

    async def aclose(self) -> None:
        """Release whatever the store keeps open between calls."""
        ...
