"""The EventStore port: content events and events made in chat, drafts, lead times.

Stored events get ids "e_<number>": content ids may only use a-z, 0-9 and "-", so the two can never
collide. Returns core values only.

On SQLite, reads come from memory. Every published stored event (scheduled or cancelled: a few
hundred at most, drafts excluded) is loaded once and kept with each one's chat address; /events,
/ics, RSVPs and the reminder planner filter that list with the clock of their own request, so an
event moves to "past" the moment it ends, whatever was cached. The list (and the chats' lead
times) goes on every write that can change what they hold: each write in this store, and, through
`forget_cached`, every change of a chat's row (erasure takes a chat's events, a move changes its
address) and the purge. That cache holds only while this process is the only writer, which is
true on SQLite (one process per database). On PostgreSQL several processes share the database
(issue #15), and an event published or a lead time changed through one must show at once through
the others: there nothing is kept, and every read asks the database (a few hundred rows at most).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.messages import Address
from bot.core.reminders.values import DEFAULT_LEADS, EventDraft, EventInfo, EventStatus, Localized
from db.dialect import upsert
from db.models.chats import Chat
from db.models.events import ReminderLeads, StoredEvent

DRAFT_TTL = timedelta(days=1)
PUBLISHED = (EventStatus.SCHEDULED, EventStatus.CANCELLED)
# Chats whose lead times are kept in memory (the least recently asked go first).
LEADS_CACHE_SIZE = 50_000
STORED_ID = re.compile(r"^e_(\d{1,12})$")


def stored_id(number: int) -> str:
    return f"e_{number}"


def epoch(moment: datetime) -> int:
    return int(moment.astimezone(UTC).timestamp())


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _number(event_id: str) -> int | None:
    match = STORED_ID.match(event_id.strip().lower())
    return int(match.group(1)) if match else None


class SqlEventStore:
    """Events from both sources through one port; every method is one short transaction."""

    def __init__(
        self,
        engine: AsyncEngine,
        content: Sequence[EventInfo] = (),
        leads_cache_size: int = LEADS_CACHE_SIZE,
    ) -> None:
        self._engine = engine
        # Other processes may write the same database (PostgreSQL): then nothing is cached.
        self._shared = engine.dialect.name != "sqlite"
        self._content = {event.id: event for event in content}
        # The published stored events by id (in start order), None until read again.
        self._published: dict[str, EventInfo] | None = None
        self._leads: OrderedDict[Address, tuple[int, ...]] = OrderedDict()
        self._leads_cache_size = leads_cache_size
        # Counts writes: a read that raced one must not keep what it read (it may be the old).
        self._generation = 0

    def forget_cached(self) -> None:
        """Drop what is kept in memory; the next read loads it again. Called around every write
        that can change stored events, chats or lead times (see the module's docstring)."""
        self._generation += 1
        self._published = None
        self._leads.clear()

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that may change stored events; the cache goes before and after it."""
        self.forget_cached()
        try:
            async with self._engine.begin() as connection:
                yield connection
        finally:
            self.forget_cached()

    async def _published_events(self) -> dict[str, EventInfo]:
        if self._published is not None:
            return self._published
        generation = self._generation
        async with self._engine.connect() as connection:
            loaded = await _load(connection, StoredEvent.status.in_(PUBLISHED))
        published = {event.id: event for event in loaded}
        if generation == self._generation and not self._shared:
            self._published = published
        return published

    async def get(self, event_id: str) -> EventInfo | None:
        number = _number(event_id)
        if number is None:
            return self._content.get(event_id)
        return (await self._published_events()).get(stored_id(number))

    async def planning(self, now: datetime) -> list[EventInfo]:
        content = [e for e in self._content.values() if e.starts_at > now]
        published = await self._published_events()
        return content + [e for e in published.values() if e.starts_at > now]

    async def visible(self, chat: Address, now: datetime, past: bool) -> list[EventInfo]:
        published = (await self._published_events()).values()
        # The campaign's events and this chat's own.
        mine = [e for e in published if e.scope is None or e.scope == chat]
        return self._timely(mine, now, past)

    async def listed(self, now: datetime, past: bool) -> list[EventInfo]:
        return self._timely(list((await self._published_events()).values()), now, past)

    def _timely(self, mine: list[EventInfo], now: datetime, past: bool) -> list[EventInfo]:
        """Content events and `mine`, upcoming (scheduled) or past, in the order they are read."""
        if past:
            # Past events stay on record, cancelled ones too (shown as cancelled).
            content = [e for e in self._content.values() if e.ends_at <= now]
            stored = [e for e in mine if e.ends_at <= now]
        else:
            content = [e for e in self._content.values() if e.ends_at > now]
            stored = [e for e in mine if e.ends_at > now and e.status is EventStatus.SCHEDULED]
        return sorted(content + stored, key=lambda e: e.starts_at, reverse=past)

    async def save_draft(
        self,
        draft: EventDraft,
        scope: Address | None,
        now: datetime,
        edit_of: str | None = None,
        drafted_by: Address | None = None,
    ) -> EventInfo:
        zone = ZoneInfo(draft.timezone)
        original = _number(edit_of) if edit_of else None
        async with self._writing() as connection:
            await connection.execute(
                delete(StoredEvent).where(
                    StoredEvent.status == EventStatus.DRAFT, StoredEvent.expires_at < epoch(now)
                )
            )
            scope_pk = await _chat_pk(connection, scope) if scope else None
            if scope is not None and scope_pk is None:
                raise LookupError("save the chat before its events")
            result = await connection.execute(
                insert(StoredEvent).values(
                    scope_chat_pk=scope_pk,
                    status=EventStatus.DRAFT,
                    title=draft.title,
                    description=draft.description,
                    place=draft.place,
                    url=draft.url,
                    timezone=draft.timezone,
                    starts_local=draft.starts_local,
                    ends_local=draft.ends_local,
                    starts_at=epoch(draft.starts_local.replace(tzinfo=zone)),
                    ends_at=epoch(draft.ends_local.replace(tzinfo=zone)),
                    edit_of=original,
                    drafted_by=str(drafted_by) if drafted_by is not None else None,
                    expires_at=epoch(now + DRAFT_TTL),
                    created_at=epoch(now),
                )
            )
            number: int = result.inserted_primary_key[0]  # type: ignore[index]
            events = await _load(connection, StoredEvent.id == number)
        return events[0]

    async def get_draft(self, draft_id: str, now: datetime) -> EventInfo | None:
        number = _number(draft_id)
        if number is None:
            return None
        async with self._engine.connect() as connection:
            events = await _load(
                connection,
                StoredEvent.id == number,
                StoredEvent.status == EventStatus.DRAFT,
                StoredEvent.expires_at >= epoch(now),
            )
        return events[0] if events else None

    async def confirm(self, draft_id: str, now: datetime) -> EventInfo | None:
        number = _number(draft_id)
        if number is None:
            return None
        async with self._writing() as connection:
            row = (
                await connection.execute(
                    select(StoredEvent.__table__).where(
                        StoredEvent.id == number,
                        StoredEvent.status == EventStatus.DRAFT,
                        StoredEvent.expires_at >= epoch(now),
                    )
                )
            ).one_or_none()
            if row is None:
                return None
            target = number
            if row.edit_of is not None:
                target = row.edit_of
                changed = await connection.execute(
                    update(StoredEvent)
                    .where(StoredEvent.id == target, StoredEvent.status == EventStatus.SCHEDULED)
                    .values({name: getattr(row, name) for name in _EDITABLE})
                )
                await connection.execute(delete(StoredEvent).where(StoredEvent.id == number))
                if not changed.rowcount:
                    return None
            else:
                await connection.execute(
                    update(StoredEvent)
                    .where(StoredEvent.id == number)
                    # From now on `created_at` is when it was published (and announced).
                    .values(
                        status=EventStatus.SCHEDULED,
                        expires_at=None,
                        drafted_by=None,
                        created_at=epoch(now),
                    )
                )
            events = await _load(connection, StoredEvent.id == target)
        return events[0] if events else None

    async def discard(self, draft_id: str) -> bool:
        number = _number(draft_id)
        if number is None:
            return False
        async with self._writing() as connection:
            result = await connection.execute(
                delete(StoredEvent).where(
                    StoredEvent.id == number, StoredEvent.status == EventStatus.DRAFT
                )
            )
        return bool(result.rowcount)

    async def cancel(self, event_id: str, now: datetime) -> EventInfo | None:
        number = _number(event_id)
        if number is None:
            return None
        async with self._writing() as connection:
            changed = await connection.execute(
                update(StoredEvent)
                .where(StoredEvent.id == number, StoredEvent.status == EventStatus.SCHEDULED)
                .values(status=EventStatus.CANCELLED, cancelled_at=epoch(now))
            )
            if not changed.rowcount:
                return None
            events = await _load(connection, StoredEvent.id == number)
        return events[0]

    async def leads(self, chat: Address) -> tuple[int, ...]:
        if chat in self._leads:
            self._leads.move_to_end(chat)
            return self._leads[chat]
        generation = self._generation
        async with self._engine.connect() as connection:
            text = await connection.scalar(
                select(ReminderLeads.leads)
                .join(Chat, Chat.id == ReminderLeads.chat_pk)
                .where(Chat.platform == chat.platform, Chat.chat_id == chat.chat_id)
            )
        leads = parse_stored_leads(text)
        if generation == self._generation and not self._shared:
            self._leads[chat] = leads
            if len(self._leads) > self._leads_cache_size:
                self._leads.popitem(last=False)
        return leads

    async def set_leads(self, chat: Address, leads: tuple[int, ...]) -> None:
        value = ",".join(str(lead) for lead in leads)
        async with self._writing() as connection:
            chat_pk = await _chat_pk(connection, chat)
            if chat_pk is None:
                raise LookupError("save the chat before its lead times")
            await connection.execute(
                upsert(
                    connection.dialect.name,
                    ReminderLeads,
                    {"chat_pk": chat_pk, "leads": value},
                    ["chat_pk"],
                    {"leads": value},
                )
            )


_EDITABLE = (
    "title",
    "description",
    "place",
    "url",
    "timezone",
    "starts_local",
    "ends_local",
    "starts_at",
    "ends_at",
)


def parse_stored_leads(text: str | None) -> tuple[int, ...]:
    """The stored lead times; the default when the chat never chose."""
    if text is None:
        return DEFAULT_LEADS
    return tuple(int(part) for part in text.split(",") if part)


async def _chat_pk(connection: AsyncConnection, address: Address | None) -> int | None:
    if address is None:
        return None
    return await connection.scalar(
        select(Chat.id).where(Chat.platform == address.platform, Chat.chat_id == address.chat_id)
    )


async def _load(connection: AsyncConnection, *where: Any) -> list[EventInfo]:
    rows = await connection.execute(
        select(StoredEvent.__table__, Chat.platform, Chat.chat_id)
        .outerjoin(Chat, Chat.id == StoredEvent.scope_chat_pk)
        .where(*where)
        .order_by(StoredEvent.starts_at, StoredEvent.id)
    )
    return [_event(row) for row in rows]


def _event(row: Any) -> EventInfo:
    zone = ZoneInfo(row.timezone)
    return EventInfo(
        id=stored_id(row.id),
        title=Localized(row.title),
        description=Localized(row.description),
        place=Localized(row.place),
        timezone=row.timezone,
        starts_at=row.starts_local.replace(tzinfo=zone),
        ends_at=row.ends_local.replace(tzinfo=zone),
        url=row.url,
        scope=Address(row.platform, row.chat_id) if row.platform else None,
        status=EventStatus(row.status),
        cancelled_at=from_epoch(row.cancelled_at) if row.cancelled_at else None,
        edit_of=stored_id(row.edit_of) if row.edit_of else None,
        drafted_by=_address(row.drafted_by),
        published_at=(from_epoch(row.created_at) if row.status != EventStatus.DRAFT else None),
    )


def _address(text: str | None) -> Address | None:
    platform, _, chat_id = (text or "").partition(":")
    return Address(platform, chat_id) if chat_id else None
