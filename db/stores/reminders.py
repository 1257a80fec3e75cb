"""The PlanStore port: the reminder plan, re-planned from stored state, delivered at most once.

Every row is one (chat, occurrence key) and holds its due time in UTC epoch seconds; a partial
index over the planned rows' due times lets a tick find what is due without reading the rest.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, TextClause, bindparam, delete, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.leadership import new_owner
from bot.core.reminders.values import (
    Due,
    EventInfo,
    EventStatus,
    PlanChat,
)
from db.dialect import upsert
from db.models.chats import Chat, ChatTopic, Rsvp
from db.models.events import (
    PLANNED,
    PlannedReminder,
    ReminderDirty,
    ReminderMark,
)
from db.stores import tallies
from db.stores.events import epoch
from db.stores.leases import Claimant
from db.stores.plan_rows import CHAT_BATCH, COMING, chat_facts, due_of, merge_plan

# Written by hand so that the literal `state = 'planned'` matches the partial index; the EXISTS
# tells whether a later reminder for the same chat and event is also due (this one is then moot).
# Paged by (due_at, id) in two index ranges, the rest of the last due time and the later ones:
# one `due_at > a OR (due_at = a AND id > b)` range would rescan every row sharing `a` on each
# batch, and an announcement gives 100,000 chats one due time. Only the platforms running are
# read: rows for one switched off stay planned without being walked on every tick.
_DUE_PAGE = """
    SELECT p.id, c.platform, c.chat_id, c.kind AS chat_kind, c.locale, c.timezone,
           c.discreet, c.delete_after,
           p.key, p.event_id, p.kind, p.lead, p.due_at, p.stale_at,
           EXISTS (
               SELECT 1 FROM reminder_plan AS q
               WHERE q.event_id = p.event_id AND q.chat_pk = p.chat_pk AND q.kind = p.kind
                 AND q.state = 'planned' AND q.due_at <= :now AND q.due_at > p.due_at
           ) AS superseded
    FROM reminder_plan AS p JOIN chats AS c ON c.id = p.chat_pk
    WHERE p.state = 'planned' AND c.platform IN :platforms AND {range}
    ORDER BY p.due_at, p.id
    LIMIT :batch
"""
_SAME_TIME = _DUE_PAGE.format(range="p.due_at = :after_due AND p.id > :after_id")
_LATER = _DUE_PAGE.format(range="p.due_at > :after_due AND p.due_at <= :now")
DUE_QUERY = "\n".join(
    (
        "SELECT * FROM (",
        _SAME_TIME,
        ") AS same_time UNION ALL SELECT * FROM (",
        _LATER,
        ") AS later ORDER BY due_at, id LIMIT :batch",
    )
)
DUE_SQL = text(DUE_QUERY).bindparams(bindparam("platforms", expanding=True))


def claim_sql(claimant: Claimant, dialect: str) -> TextClause:
    """Claimed only while still planned (a re-plan or a purge may have moved it meanwhile), as
    this process's, and only while it holds the sender lease when processes share the database."""
    return text(
        "UPDATE reminder_plan SET state = 'sending', claimed_by = :owner"  # noqa: S608
        f" WHERE id IN :ids AND state = 'planned' AND {claimant.condition(dialect)}"
        " RETURNING id"
    ).bindparams(bindparam("ids", expanding=True))


class SqlPlanStore:
    """The plan and the record of every delivery, in the same rows."""

    def __init__(self, engine: AsyncEngine, claimant: Claimant | None = None) -> None:
        self._engine = engine
        self._claimant = claimant or Claimant(new_owner())
        self._claim = claim_sql(self._claimant, engine.dialect.name)

    async def marks(self) -> dict[str, str]:
        async with self._engine.connect() as connection:
            rows = await connection.execute(select(ReminderMark.subject, ReminderMark.mark))
            return {subject: mark for subject, mark in rows}

    async def replan_event(self, event: EventInfo, mark: str, plan: PlanChat, now: datetime) -> int:
        coming = select(Rsvp.chat_pk).where(Rsvp.event_id == event.id, Rsvp.answer.in_(COMING))
        eligible: ColumnElement[bool]
        if event.status is EventStatus.CANCELLED:
            eligible = Chat.id.in_(coming)
        else:
            subscribed = select(ChatTopic.chat_pk).where(ChatTopic.topic.in_(event.topics))
            eligible = or_(Chat.id.in_(subscribed), Chat.id.in_(coming))
        if event.scope is not None:
            own = (Chat.platform == event.scope.platform) & (Chat.chat_id == event.scope.chat_id)
            # A group's own event reminds that group even if it never subscribed to the topic.
            eligible = own if event.status is not EventStatus.CANCELLED else eligible & own
        return await self._replan(event.id, mark, eligible, plan, epoch(now))

    async def replan_topic(
        self, subject: str, topic: str, mark: str, plan: PlanChat, now: datetime
    ) -> int:
        eligible = Chat.id.in_(select(ChatTopic.chat_pk).where(ChatTopic.topic == topic))
        return await self._replan(subject, mark, eligible, plan, epoch(now))

    async def _replan(
        self, subject: str, mark: str, eligible: Any, plan: PlanChat, now: int
    ) -> int:
        eligible = eligible & Chat.active.is_(True)
        async with self._engine.begin() as connection:
            # Chats no longer eligible lose what was planned for them (sent rows stay).
            await connection.execute(
                delete(PlannedReminder).where(
                    PlannedReminder.event_id == subject,
                    PlannedReminder.state == PLANNED,
                    PlannedReminder.chat_pk.not_in(select(Chat.id).where(eligible)),
                )
            )
        after, done = 0, 0
        while True:
            async with self._engine.begin() as connection:
                pks = list(
                    (
                        await connection.scalars(
                            select(Chat.id)
                            .where(eligible, Chat.id > after)
                            .order_by(Chat.id)
                            .limit(CHAT_BATCH)
                        )
                    ).all()
                )
                if not pks:
                    break
                facts = await chat_facts(connection, pks)
                await merge_plan(connection, facts, plan, now, subject)
            after, done = pks[-1], done + len(pks)
        async with self._engine.begin() as connection:
            await connection.execute(
                upsert(
                    connection.dialect.name,
                    ReminderMark,
                    {"subject": subject, "mark": mark},
                    ["subject"],
                    {"mark": mark},
                )
            )
        return done

    async def replan_dirty_chats(self, plan: PlanChat, now: datetime, limit: int) -> int:
        async with self._engine.begin() as connection:
            pks = list(
                (
                    await connection.scalars(
                        select(ReminderDirty.chat_pk).order_by(ReminderDirty.chat_pk).limit(limit)
                    )
                ).all()
            )
            if not pks:
                return 0
            # Taken off the queue in the same transaction that re-plans them: a crash undoes both.
            await connection.execute(delete(ReminderDirty).where(ReminderDirty.chat_pk.in_(pks)))
            facts = await chat_facts(connection, pks)
            await merge_plan(connection, facts, plan, epoch(now), None)
        return len(pks)

    async def due(
        self, now: datetime, batch: int, platforms: Collection[str]
    ) -> AsyncIterator[Sequence[Due]]:
        if not platforms:
            return
        after_due, after_id = -1, -1
        while True:
            async with self._engine.connect() as connection:
                rows = (
                    await connection.execute(
                        DUE_SQL,
                        {
                            "now": epoch(now),
                            "after_due": after_due,
                            "after_id": after_id,
                            "batch": batch,
                            "platforms": list(platforms),
                        },
                    )
                ).all()
            if not rows:
                return
            yield [due_of(row) for row in rows]
            after_due, after_id = rows[-1].due_at, rows[-1].id
            if len(rows) < batch:
                return

    async def claim(self, reminder_ids: Sequence[int]) -> set[int]:
        # One transaction for the whole batch, committed before any of them is sent.
        async with self._engine.begin() as connection:
            params = {"ids": list(reminder_ids), **self._claimant.params()}
            claimed = await connection.execute(self._claim, params)
            return {row.id for row in claimed}

    async def settle(self, reminder_ids: Sequence[int], state: str) -> None:
        async with self._engine.begin() as connection:
            await _set_state(connection, reminder_ids, state, None)

    async def settle_many(self, outcomes: Sequence[tuple[int, str]]) -> None:
        async with self._engine.begin() as connection:
            by_state: dict[str, list[int]] = {}
            for reminder_id, state in outcomes:
                by_state.setdefault(state, []).append(reminder_id)
            for state, ids in by_state.items():
                await _set_state(connection, ids, state, None)

    async def recover(self) -> int:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(PlannedReminder)
                .where(
                    PlannedReminder.state == "sending",
                    # Never a live process's claims: only those of processes that stopped.
                    PlannedReminder.claimed_by.is_distinct_from(self._claimant.owner),
                )
                .values(state="unconfirmed")
            )
        return int(result.rowcount or 0)

    async def counts(self) -> dict[str, int]:
        """Rows by state (for tests and operators)."""
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(PlannedReminder.state, func.count()).group_by(PlannedReminder.state)
            )
            return {state: count for state, count in rows}


async def _set_state(
    connection: AsyncConnection, ids: Sequence[int], state: str, only_from: str | None
) -> None:
    if state == "sent" and ids:
        # The overview's reminders sent per week: one statement for the whole batch, in its
        # transaction (the sent rows themselves are purged by retention).
        dialect = connection.dialect.name
        sent = len(ids)
        await connection.execute(
            tallies.bump(dialect, tallies.REMINDER_SENT, tallies.ANY_PLATFORM, sent)
        )
    for start in range(0, len(ids), CHAT_BATCH):
        chunk = list(ids[start : start + CHAT_BATCH])
        statement = update(PlannedReminder).where(PlannedReminder.id.in_(chunk))
        if only_from is not None:
            statement = statement.where(PlannedReminder.state == only_from)
        await connection.execute(statement.values(state=state))
