"""The chats table's rows as core values, and the chat store's commonest statements."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, time, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select

from bot.core.messages import Address, ChatKind
from bot.core.ports import ChatPrefs
from db.dialect import POSTGRESQL, joined
from db.models.chats import Chat, ChatTopic


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


# Built once rather than per call: the commonest statements skip building and cache-key work,
# and are Core statements on the tables (no ORM layer to pass through at each execution).
CHATS: Table = Chat.__table__  # type: ignore[assignment]
TOPICS: Table = ChatTopic.__table__  # type: ignore[assignment]

# The chat and its topics in one statement, by dialect name (the aggregate is spelled apart).
READ_CHAT = {
    dialect: select(Chat.__table__, joined(dialect, ChatTopic.topic).label("topic_list"))
    .outerjoin(ChatTopic, ChatTopic.chat_pk == Chat.id)
    .where(Chat.platform == bindparam("platform"), Chat.chat_id == bindparam("chat_id"))
    .group_by(Chat.id)
    for dialect in ("sqlite", POSTGRESQL)
}
ADDRESSES = select(CHATS.c.platform, CHATS.c.chat_id)
INSERT_CHAT = insert(CHATS)
INSERT_TOPIC = insert(TOPICS)
DELETE_TOPICS = delete(TOPICS).where(
    TOPICS.c.chat_pk == bindparam("chat_pk"),
    TOPICS.c.topic.in_(bindparam("topics", expanding=True)),
)


IDENTITY = ("platform", "chat_id", "created_at")


def chat_row(prefs: ChatPrefs) -> dict[str, Any]:
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
        "discreet": prefs.discreet,
        "delete_after": (
            None if prefs.delete_after is None else int(prefs.delete_after.total_seconds())
        ),
        "created_at": prefs.created_at,
    }


def same_row(before: ChatPrefs, after: ChatPrefs) -> bool:
    """Whether only the topics changed, so the chat's own row needs no write."""
    return replace(before, topics=after.topics) == after


def prefs_from_row(address: Address, row: Any, topics: frozenset[str]) -> ChatPrefs:
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
        discreet=row.discreet,
        delete_after=None if row.delete_after is None else timedelta(seconds=row.delete_after),
    )
