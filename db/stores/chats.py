"""The ChatStore port on SQLAlchemy: chats, topics, RSVPs; returns core values only."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, time, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.messages import Address, ChatKind
from bot.core.ports import ChatPrefs, RsvpAnswer
from db.erasure import erase
from db.models.chats import CampaignStart, Chat, ChatTopic, Rsvp
from db.session import checkpoint


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


# Every command reads its chat's preferences; most chats ask again soon. Keeping the latest
# (including "no such chat") in memory saves a database round trip per command. This process is
# the only writer, and every write below goes through the cache, so it cannot go stale.
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
        # Called around every erasure, move or switch of a chat: what other stores keep in memory
        # about chats (the event store's events scoped to a chat, its lead times) goes with it.
        self._on_change = on_change
        # address -> (primary key, preferences), or None for a chat known to have no row.
        self._cache: OrderedDict[Address, tuple[int, ChatPrefs] | None] = OrderedDict()
        self._cache_size = cache_size

    async def get_chat(self, address: Address) -> ChatPrefs | None:
        cached = await self._cached(address)
        return cached[1] if cached else None

    async def _cached(self, address: Address) -> tuple[int, ChatPrefs] | None:
        if address in self._cache:
            self._cache.move_to_end(address)
            return self._cache[address]
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(Chat.__table__, func.group_concat(ChatTopic.topic).label("topic_list"))
                    .outerjoin(ChatTopic, ChatTopic.chat_pk == Chat.id)
                    .where(Chat.platform == address.platform, Chat.chat_id == address.chat_id)
                    .group_by(Chat.id)
                )
            ).one_or_none()
        entry = None
        if row is not None:
            topics = frozenset(row.topic_list.split(",")) if row.topic_list else frozenset()
            entry = (row.id, _prefs(address, row, topics))
        self._remember(address, entry)
        return entry

    def _remember(self, address: Address, entry: tuple[int, ChatPrefs] | None) -> None:
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
        async with self._engine.begin() as connection:
            if cached is None:
                result = await connection.execute(insert(Chat).values(_row(prefs)))
                chat_pk: int = result.inserted_primary_key[0]  # type: ignore[index]
            else:
                chat_pk = cached[0]
                if not _same_row(cached[1], prefs):
                    row = {k: v for k, v in _row(prefs).items() if k not in _IDENTITY}
                    await connection.execute(update(Chat).where(Chat.id == chat_pk).values(row))
            old_topics = before.topics if before else frozenset()
            if old_topics - prefs.topics:
                await connection.execute(
                    delete(ChatTopic).where(
                        ChatTopic.chat_pk == chat_pk,
                        ChatTopic.topic.in_(sorted(old_topics - prefs.topics)),
                    )
                )
            if prefs.topics - old_topics:
                await connection.execute(
                    insert(ChatTopic),
                    [{"chat_pk": chat_pk, "topic": t} for t in sorted(prefs.topics - old_topics)],
                )
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

    def _forget(self, chats: tuple[Address, ...]) -> None:
        for chat in chats:
            self._cache.pop(chat, None)
        if self._on_change is not None:
            self._on_change()

    async def forget_chat(self, address: Address, user: Address | None = None) -> Mapping[str, int]:
        async with self._changing(address) as connection:
            erased = await erase(connection, address, user)
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
                sqlite_insert(Rsvp)
                .values(chat_pk=chat_pk, event_id=event_id, answer=answer.value)
                .on_conflict_do_update(
                    index_elements=["chat_pk", "event_id"], set_={"answer": answer.value}
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
            _prefs(Address(row.platform, row.chat_id), row, frozenset(topics[row.id]))
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
        return True

    async def count_campaign_start(self, tag: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                sqlite_insert(CampaignStart)
                .values(tag=tag, count=1)
                .on_conflict_do_update(
                    index_elements=["tag"], set_={"count": CampaignStart.count + 1}
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


_IDENTITY = ("platform", "chat_id", "created_at")


def _row(prefs: ChatPrefs) -> dict[str, Any]:
    quiet = prefs.quiet_hours
    return {
        "platform": prefs.address.platform,
        "chat_id": prefs.address.chat_id,
        "kind": prefs.kind.value,
        "locale": prefs.locale,
        "timezone": prefs.timezone,
        "quiet_start": _minutes(quiet[0]) if quiet else None,
        "quiet_end": _minutes(quiet[1]) if quiet else None,
        "active": True,
        "created_at": prefs.created_at,
        "delete_after": (
            None if prefs.delete_after is None else int(prefs.delete_after.total_seconds())
        ),
    }


def _same_row(before: ChatPrefs, after: ChatPrefs) -> bool:
    """Whether only the topics changed, so the chat's own row needs no write."""
    return replace(before, topics=after.topics) == after


def _prefs(address: Address, row: Any, topics: frozenset[str]) -> ChatPrefs:
    quiet = (
        (_time(row.quiet_start), _time(row.quiet_end))
        if row.quiet_start is not None and row.quiet_end is not None
        else None
    )
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    return ChatPrefs(
        address=address,
        kind=ChatKind(row.kind),
        created_at=created,
        locale=row.locale,
        timezone=row.timezone,
        quiet_hours=quiet,
        topics=topics,
        delete_after=None if row.delete_after is None else timedelta(seconds=row.delete_after),
    )
