"""The PrivacyReader port: counts of every record that names one chat, read in one transaction."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.messages import Address
from bot.core.privacy import StoredRecords
from db.models.broadcasts import BroadcastRecipientRow, BroadcastRow
from db.models.chats import Chat, Rsvp
from db.models.events import PlannedReminder, ReminderLeads, StoredEvent
from db.stores.events import parse_stored_leads

B: Table = BroadcastRow.__table__  # type: ignore[assignment]
R: Table = BroadcastRecipientRow.__table__  # type: ignore[assignment]


class SqlPrivacyReader:
    """Counts only: /privacy shows how many records there are, the chat's row shows the rest."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def stored_about(self, chat: Address) -> StoredRecords:
        async with self._engine.connect() as connection:
            started = await connection.scalar(
                select(func.count()).where(
                    B.c.origin_platform == chat.platform, B.c.origin_chat_id == chat.chat_id
                )
            )
            # A chat without a row of its own can still be a broadcast's recipient by its id.
            by_id = await connection.scalar(
                select(func.count()).where(
                    R.c.chat_pk.is_(None),
                    R.c.platform == chat.platform,
                    R.c.chat_id == chat.chat_id,
                )
            )
            pk = await connection.scalar(
                select(Chat.id).where(Chat.platform == chat.platform, Chat.chat_id == chat.chat_id)
            )
            if pk is None:
                return StoredRecords(
                    broadcasts_started=started or 0, broadcast_deliveries=by_id or 0
                )
            leads = await connection.scalar(
                select(ReminderLeads.leads).where(ReminderLeads.chat_pk == pk)
            )

            async def count(where: ColumnElement[bool]) -> int:
                return (await connection.scalar(select(func.count()).where(where))) or 0

            return StoredRecords(
                leads=None if leads is None else parse_stored_leads(leads),
                rsvps=await count(Rsvp.chat_pk == pk),
                reminder_records=await count(PlannedReminder.chat_pk == pk),
                broadcasts_started=started or 0,
                broadcast_deliveries=(by_id or 0) + await count(R.c.chat_pk == pk),
                own_events=await count(StoredEvent.scope_chat_pk == pk),
            )
