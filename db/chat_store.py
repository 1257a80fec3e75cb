"""The ChatStore port on SQLAlchemy: chats, topics, RSVPs; returns core values only."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.messages import Address, ChatKind
from bot.core.ports import ChatPrefs, RsvpAnswer
from db.models import CampaignStart, Chat, ChatTopic, Rsvp


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


class SqlChatStore:
    """Chats and their choices in SQL. Every method is one short transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def get_chat(self, address: Address) -> ChatPrefs | None:
        async with self._sessions() as session:
            row = (
                await session.execute(
                    select(Chat.__table__).where(
                        Chat.platform == address.platform, Chat.chat_id == address.chat_id
                    )
                )
            ).one_or_none()
            if row is None:
                return None
            topics = (
                await session.scalars(select(ChatTopic.topic).where(ChatTopic.chat_pk == row.id))
            ).all()
        return _prefs(address, row, frozenset(topics))

    async def save_chat(self, prefs: ChatPrefs) -> None:
        quiet = prefs.quiet_hours
        values: dict[str, Any] = {
            "platform": prefs.address.platform,
            "chat_id": prefs.address.chat_id,
            "kind": prefs.kind.value,
            "locale": prefs.locale,
            "timezone": prefs.timezone,
            "quiet_start": _minutes(quiet[0]) if quiet else None,
            "quiet_end": _minutes(quiet[1]) if quiet else None,
            "active": True,
            "created_at": prefs.created_at,
        }
        changed = {k: v for k, v in values.items() if k not in ("platform", "chat_id", "created_at")}
        statement = (
            sqlite_insert(Chat)
            .values(values)
            .on_conflict_do_update(index_elements=["platform", "chat_id"], set_=changed)
            .returning(Chat.id)
        )
        async with self._sessions.begin() as session:
            chat_pk = (await session.execute(statement)).scalar_one()
            await session.execute(delete(ChatTopic).where(ChatTopic.chat_pk == chat_pk))
            if prefs.topics:
                await session.execute(
                    sqlite_insert(ChatTopic),
                    [{"chat_pk": chat_pk, "topic": topic} for topic in sorted(prefs.topics)],
                )

    async def forget_chat(self, address: Address) -> Mapping[str, int]:
        async with self._sessions.begin() as session:
            chat_pk = await self._chat_pk(session, address)
            if chat_pk is None:
                return {"chat": 0, "topics": 0, "rsvps": 0}
            topics = await _count(session, ChatTopic, chat_pk)
            rsvps = await _count(session, Rsvp, chat_pk)
            # Foreign keys cascade the delete to every table that refers to this chat.
            await session.execute(delete(Chat).where(Chat.id == chat_pk))
        return {"chat": 1, "topics": topics, "rsvps": rsvps}

    async def set_rsvp(self, address: Address, event_id: str, answer: RsvpAnswer) -> None:
        async with self._sessions.begin() as session:
            chat_pk = await self._chat_pk(session, address)
            if chat_pk is None:
                raise LookupError("save the chat before its RSVP")
            await session.execute(
                sqlite_insert(Rsvp)
                .values(chat_pk=chat_pk, event_id=event_id, answer=answer.value)
                .on_conflict_do_update(
                    index_elements=["chat_pk", "event_id"], set_={"answer": answer.value}
                )
            )

    async def get_rsvp(self, address: Address, event_id: str) -> RsvpAnswer | None:
        async with self._sessions() as session:
            answer = await session.scalar(
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
        async with self._sessions() as session:
            rows = await session.execute(
                select(Rsvp.answer, func.count())
                .where(Rsvp.event_id == event_id)
                .group_by(Rsvp.answer)
            )
            return {RsvpAnswer(answer): count for answer, count in rows}

    async def subscribers(self, topic: str) -> list[ChatPrefs]:
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(Chat.__table__)
                    .join(ChatTopic, ChatTopic.chat_pk == Chat.id)
                    .where(ChatTopic.topic == topic, Chat.active.is_(True))
                    .order_by(Chat.id)
                )
            ).all()
            topics: dict[int, set[str]] = {row.id: set() for row in rows}
            if topics:
                pairs = await session.execute(
                    select(ChatTopic.chat_pk, ChatTopic.topic).where(
                        ChatTopic.chat_pk.in_(topics)
                    )
                )
                for chat_pk, name in pairs:
                    topics[chat_pk].add(name)
        return [
            _prefs(Address(row.platform, row.chat_id), row, frozenset(topics[row.id]))
            for row in rows
        ]

    async def set_active(self, address: Address, active: bool) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(Chat)
                .where(Chat.platform == address.platform, Chat.chat_id == address.chat_id)
                .values(active=active)
            )

    async def count_campaign_start(self, tag: str) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                sqlite_insert(CampaignStart)
                .values(tag=tag, count=1)
                .on_conflict_do_update(
                    index_elements=["tag"], set_={"count": CampaignStart.count + 1}
                )
            )

    async def campaign_starts(self) -> dict[str, int]:
        async with self._sessions() as session:
            rows = await session.execute(select(CampaignStart.tag, CampaignStart.count))
            return dict(rows.tuples().all())

    @staticmethod
    async def _chat_pk(session: AsyncSession, address: Address) -> int | None:
        return await session.scalar(
            select(Chat.id).where(
                Chat.platform == address.platform, Chat.chat_id == address.chat_id
            )
        )


async def _count(session: AsyncSession, model: type[ChatTopic] | type[Rsvp], chat_pk: int) -> int:
    return (
        await session.scalar(select(func.count()).select_from(model).where(model.chat_pk == chat_pk))
        or 0
    )


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
    )


def utcnow() -> datetime:
    return datetime.now(UTC)
