"""How much work is waiting, for the operator's metrics (bot/metrics.py): counts and one age.

Read at every scrape (every 15 to 60 s), so each query stays on a partial index: the open
recipients' `ix_broadcast_recipients_open` and the planned reminders' `ix_reminder_plan_due`.
Nothing here names a chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models.broadcasts import BroadcastRecipientRow
from db.models.events import PLANNED, PlannedReminder
from db.stores.broadcasts import OPEN

R: Table = BroadcastRecipientRow.__table__  # type: ignore[assignment]
P: Table = PlannedReminder.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class QueueDepths:
    # Broadcast messages not yet delivered (queued or on their way), by platform.
    broadcast_by_platform: dict[str, int]
    # Planned reminders whose time has come, and how late the oldest of them is (0 if none).
    reminders_due: int
    reminder_lag_s: float


class SqlQueueReader:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def depths(self, now: datetime) -> QueueDepths:
        epoch = int(now.timestamp())
        async with self._engine.connect() as connection:
            broadcast = (
                await connection.execute(
                    select(R.c.platform, func.count())
                    .where(R.c.state.in_(OPEN))
                    .group_by(R.c.platform)
                )
            ).all()
            due, oldest = (
                await connection.execute(
                    select(func.count(), func.min(P.c.due_at)).where(
                        P.c.state == PLANNED, P.c.due_at <= epoch
                    )
                )
            ).one()
            await connection.rollback()
        return QueueDepths(
            broadcast_by_platform={str(platform): int(count) for platform, count in broadcast},
            reminders_due=int(due),
            reminder_lag_s=float(max(0, epoch - oldest)) if oldest is not None else 0.0,
        )
