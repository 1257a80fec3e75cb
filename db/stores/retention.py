"""The RetentionStore port: the purge's deletions, each in one short transaction.

Every connection deletes with `secure_delete` (db/session.py) and the WAL is checkpointed
afterwards, so a purged RSVP is not left readable in free pages or in the `-wal` file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import (
    Select,
    String,
    Table,
    and_,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.broadcast.values import BroadcastState
from bot.core.messages import Address
from bot.core.reminders.values import REMEMBRANCE, EventInfo, EventStatus
from db.erasure import erase
from db.models.broadcasts import BroadcastRecipientRow, BroadcastRow
from db.models.chats import Chat, Rsvp
from db.models.events import PlannedReminder, StoredEvent
from db.models.setups import ServerSetupRow
from db.session import checkpoint
from db.stores.events import epoch

B: Table = BroadcastRow.__table__  # type: ignore[assignment]
R: Table = BroadcastRecipientRow.__table__  # type: ignore[assignment]
FINISHED = (BroadcastState.DONE.value, BroadcastState.CANCELLED.value)
PUBLISHED = (EventStatus.SCHEDULED.value, EventStatus.CANCELLED.value)

# The id a stored event has everywhere else ("e_<number>", see db/stores/events.py), in SQL.
STORED_EVENT_ID = literal("e_", String) + cast(StoredEvent.id, String)


class SqlRetentionStore:
    """Deletes what is past its retention; knows the content's events to tell when they end."""

    def __init__(
        self,
        engine: AsyncEngine,
        content: Sequence[EventInfo] = (),
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self._engine = engine
        self._content = tuple(content)
        # Called after a purge that deleted stored events or chats, so what the other stores
        # keep in memory (db/stores/events.py) is read again.
        self._on_change = on_change

    async def purge_event_records(self, ended_before: datetime) -> Mapping[str, int]:
        cutoff = epoch(ended_before)
        content_ids = [event.id for event in self._content]
        ended_content = [event.id for event in self._content if event.ends_at < ended_before]
        ended_stored = select(STORED_EVENT_ID).where(
            StoredEvent.status.in_(PUBLISHED), StoredEvent.ends_at < cutoff
        )
        # Records of an event the bot no longer knows (taken out of the content, or erased with
        # the group it belonged to) help nobody.
        known_stored = select(STORED_EVENT_ID).where(StoredEvent.status.in_(PUBLISHED))

        # One statement each, so an event published meanwhile cannot be mistaken for unknown.
        rsvps = delete(Rsvp).where(
            or_(
                Rsvp.event_id.in_(ended_stored),
                Rsvp.event_id.in_(ended_content),
                and_(Rsvp.event_id.not_in(known_stored), Rsvp.event_id.not_in(content_ids)),
            )
        )
        reminders = delete(PlannedReminder).where(
            or_(
                PlannedReminder.event_id.in_(ended_stored),
                PlannedReminder.event_id.in_(ended_content),
                and_(
                    # The remembrance day's rows (stale once the day is over) and unknown
                    # events' rows, once past.
                    PlannedReminder.stale_at < cutoff,
                    or_(
                        PlannedReminder.event_id == REMEMBRANCE,
                        and_(
                            PlannedReminder.event_id.not_in(known_stored),
                            PlannedReminder.event_id.not_in(content_ids),
                        ),
                    ),
                ),
            )
        )
        async with self._engine.begin() as connection:
            gone_rsvps = (await connection.execute(rsvps)).rowcount or 0
            gone_reminders = (await connection.execute(reminders)).rowcount or 0
        await self._checkpoint(gone_rsvps + gone_reminders)
        return {"rsvps": gone_rsvps, "reminder_records": gone_reminders}

    async def purge_broadcast_recipients(self, finished_before: datetime) -> Mapping[str, int]:
        due: Select[tuple[int]] = select(B.c.id).where(
            B.c.state.in_(FINISHED),
            B.c.finished_at < epoch(finished_before),
            B.c.final_counts.is_(None),
        )
        async with self._engine.connect() as connection:
            broadcast_ids = list((await connection.scalars(due)).all())
        removed = 0
        for broadcast_id in broadcast_ids:
            # One broadcast a transaction: the counts are kept in the same one the list goes in.
            async with self._engine.begin() as connection:
                counts = await connection.execute(
                    select(R.c.state, func.count())
                    .where(R.c.broadcast_id == broadcast_id)
                    .group_by(R.c.state)
                )
                await connection.execute(
                    update(B)
                    .where(B.c.id == broadcast_id)
                    .values(final_counts=json.dumps({state: n for state, n in counts}))
                )
                result = await connection.execute(delete(R).where(R.c.broadcast_id == broadcast_id))
                removed += result.rowcount or 0
        await self._checkpoint(removed)
        return {"broadcast_recipients": removed}

    async def purge_drafts(self, created_before: datetime, now: datetime) -> Mapping[str, int]:
        async with self._engine.begin() as connection:
            events = await connection.execute(
                delete(StoredEvent).where(
                    StoredEvent.status == EventStatus.DRAFT.value,
                    or_(
                        StoredEvent.expires_at < epoch(now),
                        StoredEvent.created_at < epoch(created_before),
                    ),
                )
            )
            broadcasts = await connection.execute(
                delete(B).where(
                    B.c.state == BroadcastState.DRAFT.value,
                    B.c.created_at < created_before.astimezone(UTC),
                )
            )
        self._on_change()
        event_drafts, broadcast_drafts = events.rowcount or 0, broadcasts.rowcount or 0
        await self._checkpoint(event_drafts + broadcast_drafts)
        return {"event_drafts": event_drafts, "broadcast_drafts": broadcast_drafts}

    async def purge_inactive_chats(self) -> Mapping[str, int]:
        """Chats that an older version only switched off when they blocked the bot are erased
        now, as a blocked chat is today. A server's announcement channel that lost a permission
        stays switched off instead, so its admins can be told why announcements stopped."""
        announcing = select(ServerSetupRow.channel_id).where(
            ServerSetupRow.platform == Chat.platform
        )
        switched_off = select(Chat.platform, Chat.chat_id).where(
            Chat.active.is_(False), Chat.chat_id.not_in(announcing)
        )
        async with self._engine.connect() as connection:
            chats = [Address(p, c) for p, c in (await connection.execute(switched_off)).all()]
        for chat in chats:
            try:
                async with self._engine.begin() as connection:
                    await erase(connection, chat)
            finally:
                self._on_change()
        await self._checkpoint(len(chats))
        return {"switched_off_chats": len(chats)}

    async def _checkpoint(self, deleted: int) -> None:
        """Empty the write-ahead log once something went, so deleted rows leave no copy."""
        if deleted:
            await checkpoint(self._engine)
