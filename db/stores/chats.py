"""The ChatStore port on SQLAlchemy: chats, topics, RSVPs; returns core values only."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.messages import Address
from bot.core.ports import ChatPrefs, RsvpAnswer
from db.dialect import upsert
from db.erasure import erase
from db.models.chats import CampaignStart, Chat, ChatTopic, Rsvp
from db.session import checkpoint
from db.stores import tallies
from db.stores.chat_rows import (
    ADDRESSES,
    DELETE_TOPICS,
    IDENTITY,
    INSERT_CHAT,
    INSERT_TOPIC,
    READ_CHAT,
    chat_row,
    prefs_from_row,
    same_row,
)
from db.transactions import in_transaction, reading

# Every command reads its chat's preferences; most chats ask again soon. Keeping the latest
# (including "no such chat") in memory saves a database round trip per command. On SQLite this
# process is the only writer, and every write below goes through the cache, so it cannot go
# stale. On PostgreSQL several processes share the database (issue #15) and any of them may
# change or erase a chat, so nothing is kept: every read asks the database (see `shared`).
CACHE_SIZE = 50_000


class SqlChatStore:
    """Chats and their choices in SQL. Every method is one short transaction."""

    def __init__(
        self,
        engine: AsyncEngine,
        cache_size: int = CACHE_SIZE,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self._engine = engine
        # Another process may write the same database (PostgreSQL): then no cache and no set of
        # known addresses, as either would serve what another process changed or erased.
        self._shared = engine.dialect.name != "sqlite"
        # Called around every erasure, move or switch of a chat: what other stores keep in memory
        # about chats (the event store's events scoped to a chat, its lead times) goes with it.
        self._on_change = on_change
        # address -> (primary key, preferences), or None for a chat known to have no row.
        self._cache: OrderedDict[Address, tuple[int, ChatPrefs] | None] = OrderedDict()
        self._cache_size = cache_size
        # The hash of every stored chat's address, read once: a chat outside it has no row, so
        # the first command of a new chat (and its first save) reads nothing. Rows are added by
        # this process only (on SQLite, see the cache above; unused on PostgreSQL); a hash two
        # addresses share, or one left behind by a purge elsewhere, only costs the read that
        # would have happened anyway.
        self._known: set[int] = set()
        self._known_loaded = False
        self._loading = asyncio.Lock()

    async def get_chat(self, address: Address) -> ChatPrefs | None:
        cached = await self._cached(address)
        return cached[1] if cached else None

    async def _cached(self, address: Address) -> tuple[int, ChatPrefs] | None:
        if address in self._cache:
            self._cache.move_to_end(address)
            return self._cache[address]
        if not await self._may_exist(address):
            return None
        key = {"platform": address.platform, "chat_id": address.chat_id}
        row = await reading(
            self._engine,
            lambda c: c.execute(READ_CHAT[self._engine.dialect.name], key).one_or_none(),
        )
        entry = None
        if row is not None:
            topics = frozenset(row.topic_list.split(",")) if row.topic_list else frozenset()
            entry = (row.id, prefs_from_row(address, row, topics))
        self._remember(address, entry)
        return entry

    async def _may_exist(self, address: Address) -> bool:
        if self._shared:
            return True
        if not self._known_loaded:
            async with self._loading:
                if not self._known_loaded:
                    rows = await reading(self._engine, lambda c: c.execute(ADDRESSES).all())
                    # A union, not a replacement: a chat saved while this read ran is kept.
                    self._known.update(hash(Address(*row)) for row in rows)
                    self._known_loaded = True
        return hash(address) in self._known

    def _remember(self, address: Address, entry: tuple[int, ChatPrefs] | None) -> None:
        if self._shared:
            return
        self._cache[address] = entry
        self._cache.move_to_end(address)
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    async def save_chat(self, prefs: ChatPrefs) -> None:
        cached = await self._cached(prefs.address)
        before = cached[1] if cached else None
        if before is not None:
            prefs = replace(prefs, created_at=before.created_at)
            if prefs == before:
                return
        old_topics = before.topics if before else frozenset()
        removed, added = sorted(old_topics - prefs.topics), sorted(prefs.topics - old_topics)

        dialect = self._engine.dialect.name

        def write(connection: Connection) -> int:
            if cached is None:
                result = connection.execute(INSERT_CHAT, chat_row(prefs))
                chat_pk: int = result.inserted_primary_key[0]  # type: ignore[index]
            else:
                chat_pk = cached[0]
                if not same_row(cached[1], prefs):
                    row = {k: v for k, v in chat_row(prefs).items() if k not in IDENTITY}
                    connection.execute(update(Chat).where(Chat.id == chat_pk).values(row))
            if removed:
                connection.execute(DELETE_TOPICS, {"chat_pk": chat_pk, "topics": removed})
            if added:
                connection.execute(INSERT_TOPIC, [{"chat_pk": chat_pk, "topic": t} for t in added])
                # The overview's new subscriptions per week, counted with the change itself.
                platform = prefs.address.platform
                connection.execute(tallies.bump(dialect, tallies.SUBSCRIBED, platform, len(added)))
            return chat_pk

        # One greenlet for the whole transaction (db/transactions.py): a new chat's first
        # subscription is the commonest write, and per-call overhead was most of its cost.
        chat_pk = await in_transaction(self._engine, write)
        if not self._shared:
            self._known.add(hash(prefs.address))
        self._remember(prefs.address, (chat_pk, prefs))

    @asynccontextmanager
    async def _changing(self, *chats: Address) -> AsyncIterator[AsyncConnection]:
        """A transaction that changes these chats. Their cached rows go before and after it: a
        read that raced the write would otherwise cache the old row again."""
        self._forget(chats)
        try:
            async with self._engine.begin() as connection:
                yield connection
        finally:
            self._forget(chats)

    def forget_cached(self) -> None:
        """Chats changed behind this store's back (the retention purge erased some): every
        cached row and address is read afresh."""
        self._cache.clear()
        self._known.clear()
        self._known_loaded = False

    def _forget(self, chats: tuple[Address, ...]) -> None:
        for chat in chats:
            self._cache.pop(chat, None)
        if self._on_change is not None:
            self._on_change()

    async def forget_chat(self, address: Address, user: Address | None = None) -> Mapping[str, int]:
        async with self._changing(address) as connection:
            erased = await erase(connection, address, user)
        # Nothing of an erased chat stays, not even its hash. Were another stored chat's
        # address to share it (about one chance in 2**64 per pair), that chat would read as new
        # and its next save fail on the unique address: an error, never a wrong row.
        self._known.discard(hash(address))
        # The erased rows' old versions are still in the write-ahead log until a checkpoint
        # copies the zeroed pages over them and truncates the log.
        await checkpoint(self._engine)
        return erased

    async def set_rsvp(self, address: Address, event_id: str, answer: RsvpAnswer) -> None:
        async with self._engine.begin() as connection:
            chat_pk = await self._chat_pk(connection, address)
            if chat_pk is None:
                raise LookupError("save the chat before its RSVP")
            await connection.execute(
                upsert(
                    connection.dialect.name,
                    Rsvp,
                    {"chat_pk": chat_pk, "event_id": event_id, "answer": answer.value},
                    ["chat_pk", "event_id"],
                    {"answer": answer.value},
                )
            )

    async def get_rsvp(self, address: Address, event_id: str) -> RsvpAnswer | None:
        async with self._engine.connect() as connection:
            answer = await connection.scalar(
                select(Rsvp.answer)
                .join(Chat, Chat.id == Rsvp.chat_pk)
                .where(
                    Chat.platform == address.platform,
                    Chat.chat_id == address.chat_id,
                    Rsvp.event_id == event_id,
                )
            )
        return RsvpAnswer(answer) if answer else None

    async def rsvp_counts(self, event_id: str) -> Mapping[RsvpAnswer, int]:
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(Rsvp.answer, func.count())
                .where(Rsvp.event_id == event_id)
                .group_by(Rsvp.answer)
            )
            return {RsvpAnswer(answer): count for answer, count in rows}

    async def subscribers(self, topic: str) -> list[ChatPrefs]:
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(Chat.__table__)
                    .join(ChatTopic, ChatTopic.chat_pk == Chat.id)
                    .where(ChatTopic.topic == topic, Chat.active.is_(True))
                    .order_by(Chat.id)
                )
            ).all()
            topics: dict[int, set[str]] = {row.id: set() for row in rows}
            if topics:
                pairs = await connection.execute(
                    select(ChatTopic.chat_pk, ChatTopic.topic).where(ChatTopic.chat_pk.in_(topics))
                )
                for chat_pk, name in pairs:
                    topics[chat_pk].add(name)
        return [
            prefs_from_row(Address(row.platform, row.chat_id), row, frozenset(topics[row.id]))
            for row in rows
        ]

    async def set_active(self, address: Address, active: bool) -> None:
        async with self._changing(address) as connection:
            await connection.execute(
                update(Chat)
                .where(Chat.platform == address.platform, Chat.chat_id == address.chat_id)
                .values(active=active)
            )

    async def move_chat(self, old: Address, new: Address) -> bool:
        async with self._changing(old, new) as connection:
            old_pk = await self._chat_pk(connection, old)
            if old_pk is None:
                return False
            if await self._chat_pk(connection, new) is not None:
                # The new chat already made choices of its own: those stand, the old row goes.
                await connection.execute(delete(Chat).where(Chat.id == old_pk))
            else:
                # Rows that refer to the chat follow its primary key, which does not change.
                await connection.execute(
                    update(Chat).where(Chat.id == old_pk).values(chat_id=new.chat_id, active=True)
                )
                if not self._shared:
                    self._known.add(hash(new))
        return True

    async def count_campaign_start(self, tag: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                upsert(
                    connection.dialect.name,
                    CampaignStart,
                    {"tag": tag, "count": 1},
                    ["tag"],
                    {"count": CampaignStart.count + 1},
                )
            )

    async def campaign_starts(self) -> dict[str, int]:
        async with self._engine.connect() as connection:
            rows = await connection.execute(select(CampaignStart.tag, CampaignStart.count))
            return {tag: count for tag, count in rows}

    @staticmethod
    async def _chat_pk(connection: AsyncConnection, address: Address) -> int | None:
        return await connection.scalar(
            select(Chat.id).where(
                Chat.platform == address.platform, Chat.chat_id == address.chat_id
            )
        )
