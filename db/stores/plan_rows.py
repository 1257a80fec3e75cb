"""Reminder plan rows: what planning reads about chats, and merging a fresh plan into stored rows.

Kept apart from the store's API (db/stores/reminders.py) because this is the arithmetic of rows,
not the transactions around them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import time
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.discreet import is_discreet
from bot.core.messages import Address, ChatKind
from bot.core.ports import RsvpAnswer
from bot.core.reminders.values import (
    ChatFacts,
    Due,
    Kind,
    PlanChat,
    Planned,
)
from db.models.chats import Chat, ChatTopic, Rsvp
from db.models.events import (
    PLANNED,
    PlannedReminder,
    ReminderLeads,
)
from db.stores.events import epoch, from_epoch, parse_stored_leads

CHAT_BATCH = 1000
COMING = (RsvpAnswer.GOING.value, RsvpAnswer.MAYBE.value)


def minutes_to_time(minutes: int | None) -> time | None:
    return None if minutes is None else time(minutes // 60, minutes % 60)


async def chat_facts(connection: AsyncConnection, pks: Sequence[int]) -> list[ChatFacts]:
    """What planning needs about these chats (chats erased meanwhile come back inactive)."""
    rows = await connection.execute(
        select(
            Chat.id,
            Chat.platform,
            Chat.chat_id,
            Chat.timezone,
            Chat.quiet_start,
            Chat.quiet_end,
            Chat.active,
            ReminderLeads.leads,
        )
        .outerjoin(ReminderLeads, ReminderLeads.chat_pk == Chat.id)
        .where(Chat.id.in_(pks))
    )
    chats = {row.id: row for row in rows}
    topics: dict[int, set[str]] = {pk: set() for pk in pks}
    for pk, topic in await connection.execute(
        select(ChatTopic.chat_pk, ChatTopic.topic).where(ChatTopic.chat_pk.in_(pks))
    ):
        topics[pk].add(topic)
    coming: dict[int, set[str]] = {pk: set() for pk in pks}
    for pk, event_id in await connection.execute(
        select(Rsvp.chat_pk, Rsvp.event_id).where(Rsvp.chat_pk.in_(pks), Rsvp.answer.in_(COMING))
    ):
        coming[pk].add(event_id)
    facts = []
    for pk in pks:
        row = chats.get(pk)
        if row is None:
            facts.append(ChatFacts(pk, Address("", ""), None, None, False, frozenset(), ()))
            continue
        start, end = minutes_to_time(row.quiet_start), minutes_to_time(row.quiet_end)
        facts.append(
            ChatFacts(
                ref=pk,
                address=Address(row.platform, row.chat_id),
                timezone=row.timezone,
                quiet_hours=(start, end) if start is not None and end is not None else None,
                active=bool(row.active),
                topics=frozenset(topics[pk]),
                leads=parse_stored_leads(row.leads),
                coming=frozenset(coming[pk]),
            )
        )
    return facts


async def merge_plan(
    connection: AsyncConnection,
    facts: Iterable[ChatFacts],
    plan: PlanChat,
    now: int,
    subject: str | None,
) -> None:
    """Make the planned rows of these chats (for `subject`, or for everything) match `plan`.

    New occurrences already in the past are not added (they are not news to a chat that just
    became eligible), unless they are notices still news (`news_until`): a cancellation due at
    the moment of cancelling is only planned at the next tick. Planned rows still unsent are kept
    and updated, so an outage is caught up; rows that left "planned" (sent, dropped, ...) are
    never touched again, which with the unique (chat, key) makes every notice go out once.
    """
    facts = list(facts)
    refs = [f.ref for f in facts]
    query = select(
        PlannedReminder.id,
        PlannedReminder.chat_pk,
        PlannedReminder.key,
        PlannedReminder.state,
        PlannedReminder.due_at,
        PlannedReminder.stale_at,
    ).where(PlannedReminder.chat_pk.in_(refs))
    if subject is not None:
        query = query.where(PlannedReminder.event_id == subject)
    existing = {(row.chat_pk, row.key): row for row in await connection.execute(query)}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    wanted: set[tuple[int, str]] = set()
    # Planning hands out the same Planned objects to every chat alike (plan.py computes each
    # distinct combination once), so their epoch seconds are worked out once per object. Keyed
    # by id(); the entry holds the object itself, so no id is reused while the dict lives.
    seconds: dict[int, tuple[Planned, int, int, bool]] = {}
    for chat in facts:
        for planned in plan(chat):
            if subject is not None and planned.event_id != subject:
                continue
            wanted.add((chat.ref, planned.key))
            row = existing.get((chat.ref, planned.key))
            known = seconds.get(id(planned))
            if known is None:
                due, stale = epoch(planned.due_at), epoch(planned.stale_at)
                news = epoch(planned.news_until) if planned.news_until else due
                # A new occurrence already past is added only while it is still news.
                known = seconds[id(planned)] = (planned, due, stale, due >= now or now <= news)
            _, due, stale, addable = known
            if row is None:
                if addable:
                    inserts.append(plan_row(chat.ref, planned, due, stale))
            elif row.state == PLANNED and (row.due_at, row.stale_at) != (due, stale):
                updates.append({"row_id": row.id, "new_due": due, "new_stale": stale})
    gone = [row.id for pair, row in existing.items() if row.state == PLANNED and pair not in wanted]
    if gone:
        for start in range(0, len(gone), CHAT_BATCH):
            chunk = gone[start : start + CHAT_BATCH]
            await connection.execute(delete(PlannedReminder).where(PlannedReminder.id.in_(chunk)))
    if updates:
        await connection.execute(
            update(PlannedReminder)
            .where(PlannedReminder.id == bindparam("row_id"))
            .values(due_at=bindparam("new_due"), stale_at=bindparam("new_stale")),
            updates,
        )
    if inserts:
        await connection.execute(insert(PlannedReminder), inserts)


def plan_row(chat_pk: int, planned: Planned, due: int, stale: int) -> dict[str, Any]:
    return {
        "chat_pk": chat_pk,
        "key": planned.key,
        "event_id": planned.event_id,
        "kind": planned.kind.value,
        "lead": planned.lead,
        "due_at": due,
        "stale_at": stale,
        "state": PLANNED,
    }


def due_of(row: Any) -> Due:
    return Due(
        id=row.id,
        address=Address(row.platform, row.chat_id),
        group=row.chat_kind != ChatKind.PRIVATE.value,
        locale=row.locale,
        timezone=row.timezone,
        key=row.key,
        event_id=row.event_id,
        kind=Kind(row.kind),
        lead=row.lead,
        due_at=from_epoch(row.due_at),
        stale_at=from_epoch(row.stale_at),
        superseded=bool(row.superseded),
        discreet=is_discreet(row.discreet, row.locale),
        delete_after=row.delete_after,
    )
