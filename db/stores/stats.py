"""The StatsReader port on SQLAlchemy: the overview's aggregates, each one GROUP BY statement.

Nothing here reads a chat's row into Python: the database counts (over the chats' primary key and
the tallies' (week, what, platform) key) and hands back one row per group.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.dashboard.stats import SubscriberCount
from db.models.chats import Chat, ChatTopic
from db.models.tallies import WeeklyTally

C: Table = Chat.__table__  # type: ignore[assignment]
CT: Table = ChatTopic.__table__  # type: ignore[assignment]
T: Table = WeeklyTally.__table__  # type: ignore[assignment]

SUBSCRIBERS = (
    select(CT.c.topic, C.c.platform, C.c.locale, func.count())
    .join(C, C.c.id == CT.c.chat_pk)
    .where(C.c.active.is_(True))
    .group_by(CT.c.topic, C.c.platform, C.c.locale)
)


class SqlStats:
    """The overview's counts, read in SQL."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def subscribers(self) -> list[SubscriberCount]:
        async with self._engine.connect() as connection:
            rows = await connection.execute(SUBSCRIBERS)
            return [
                SubscriberCount(topic, platform, locale, n) for topic, platform, locale, n in rows
            ]

    async def weekly(self, since: date) -> Mapping[tuple[date, str], int]:
        query = (
            select(T.c.week, T.c.what, func.sum(T.c.n))
            .where(T.c.week >= since.isoformat())
            .group_by(T.c.week, T.c.what)
        )
        async with self._engine.connect() as connection:
            rows = await connection.execute(query)
            return {(date.fromisoformat(week), what): int(n) for week, what, n in rows}
