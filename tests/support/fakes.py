"""Hand-written fakes at the boundaries (no mocks): they run the same contract tests as the real
parts they stand in for, so they cannot drift."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core.messages import Address
from bot.core.ports import ChatPrefs, ChatStore, RsvpAnswer, Translator
from bot.core.reminders.values import DEFAULT_LEADS, EventInfo


class InMemoryStore:
    """The ChatStore port in a dict."""

    def __init__(self) -> None:
        self.chats: dict[Address, ChatPrefs] = {}
        self.rsvps: dict[tuple[Address, str], RsvpAnswer] = {}
        self.inactive: set[Address] = set()
        self.campaign_starts: Counter[str] = Counter()

    async def get_chat(self, address: Address) -> ChatPrefs | None:
        return self.chats.get(address)

    async def save_chat(self, prefs: ChatPrefs) -> None:
        existing = self.chats.get(prefs.address)
        if existing is not None:
            # created_at belongs to the first save, as in the database.
            prefs = replace(prefs, created_at=existing.created_at)
        self.chats[prefs.address] = prefs

    async def forget_chat(self, address: Address, user: Address | None = None) -> Mapping[str, int]:
        # Only chats and RSVPs live here: broadcasts and setups are other stores' rows.
        self.inactive.discard(address)
        chat = self.chats.pop(address, None)
        rsvps = [key for key in self.rsvps if key[0] == address]
        for key in rsvps:
            del self.rsvps[key]
        return {
            "chats": 1 if chat else 0,
            "chat_topics": len(chat.topics) if chat else 0,
            "rsvps": len(rsvps),
        }

    async def set_rsvp(self, address: Address, event_id: str, answer: RsvpAnswer) -> None:
        self.rsvps[(address, event_id)] = answer

    async def get_rsvp(self, address: Address, event_id: str) -> RsvpAnswer | None:
        return self.rsvps.get((address, event_id))

    async def rsvp_counts(self, event_id: str) -> Mapping[RsvpAnswer, int]:
        return Counter(a for (_, e), a in self.rsvps.items() if e == event_id)

    async def subscribers(self, topic: str) -> list[ChatPrefs]:
        return [
            c for c in self.chats.values() if topic in c.topics and c.address not in self.inactive
        ]

    async def set_active(self, address: Address, active: bool) -> None:
        if active:
            self.inactive.discard(address)
        elif address in self.chats:
            self.inactive.add(address)

    async def move_chat(self, old: Address, new: Address) -> bool:
        prefs = self.chats.pop(old, None)
        if prefs is None:
            return False
        self.inactive.discard(old)
        self.chats.setdefault(new, replace(prefs, address=new))
        for (chat, event), answer in list(self.rsvps.items()):
            if chat == old:
                del self.rsvps[(chat, event)]
                self.rsvps.setdefault((new, event), answer)
        return True

    async def count_campaign_start(self, tag: str) -> None:
        self.campaign_starts[tag] += 1


@dataclass(frozen=True)
class BareDeps:
    """The least a dispatcher needs, for tests whose commands use nothing else."""

    store: ChatStore
    translator: Translator
    organizers: frozenset[Address] = frozenset()


@dataclass
class FixedClock:
    """A clock the test moves by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 21, 12, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class ContentEvents:
    """The EventStore port's reads over the content files' events alone, in memory: the
    benchmark's baseline for what a read costs without a database."""

    def __init__(self, events: Iterable[EventInfo]) -> None:
        self._events = {event.id: event for event in events}

    async def get(self, event_id: str) -> EventInfo | None:
        return self._events.get(event_id)

    async def planning(self, now: datetime) -> list[EventInfo]:
        return sorted(
            (e for e in self._events.values() if e.starts_at > now), key=lambda e: e.starts_at
        )

    async def visible(self, chat: Address, now: datetime, past: bool) -> list[EventInfo]:
        chosen = [e for e in self._events.values() if (e.ends_at <= now) == past]
        return sorted(chosen, key=lambda e: e.starts_at, reverse=past)

    async def listed(self, now: datetime, past: bool) -> list[EventInfo]:
        return await self.visible(Address("none", "none"), now, past)

    async def leads(self, chat: Address) -> tuple[int, ...]:
        return DEFAULT_LEADS

    def __getattr__(self, name: str) -> Any:
        # Drafts, edits and lead-time changes write: not part of a read-only baseline.
        raise NotImplementedError(f"ContentEvents is read-only: {name}")
