"""Self-destruct's schedule in SQL (bot.core.deletion.DeletionStore): ids and due times only."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.deletion import DueDeletion
from bot.core.messages import Address
from db.models.chats import Chat
from db.models.deletions import MessageDeletion

# SQLite takes at most 32,766 bound parameters a statement; rows are removed in chunks well below.
CHUNK = 500


class SqlDeletionStore:
    """Every method is one short transaction; erased rows are overwritten (secure_delete)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def schedule(self, address: Address, message_ids: Sequence[str], due: int) -> bool:
        async with self._engine.begin() as connection:
            chat_pk = await connection.scalar(
                select(Chat.id).where(
                    Chat.platform == address.platform, Chat.chat_id == address.chat_id
                )
            )
            if chat_pk is None:
                return False
            await connection.execute(
                insert(MessageDeletion),
                [{"chat_pk": chat_pk, "sent_id": m, "delete_at": due} for m in message_ids],
            )
        return True

    async def next_due(self) -> int | None:
        async with self._engine.connect() as connection:
            due: int | None = await connection.scalar(select(func.min(MessageDeletion.delete_at)))
        return due

    async def due(self, now: int, limit: int) -> list[DueDeletion]:
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(
                        MessageDeletion.id,
                        MessageDeletion.sent_id,
                        Chat.platform,
                        Chat.chat_id,
                    )
                    .join(Chat, Chat.id == MessageDeletion.chat_pk)
                    .where(MessageDeletion.delete_at <= now)
                    .order_by(MessageDeletion.delete_at, MessageDeletion.id)
                    .limit(limit)
                )
            ).all()
        chats: dict[Address, tuple[list[str], list[int]]] = {}
        for row_id, message_id, platform, chat_id in rows:
            ids, row_ids = chats.setdefault(Address(platform, chat_id), ([], []))
            ids.append(message_id)
            row_ids.append(row_id)
        return [
            DueDeletion(address, tuple(ids), tuple(row_ids))
            for address, (ids, row_ids) in chats.items()
        ]

    async def remove(self, rows: Sequence[int]) -> None:
        async with self._engine.begin() as connection:
            for start in range(0, len(rows), CHUNK):
                chunk = list(rows[start : start + CHUNK])
                await connection.execute(
                    delete(MessageDeletion).where(MessageDeletion.id.in_(chunk))
                )

    async def pending(self, address: Address) -> int:
        """How many of the chat's messages are waiting to be deleted (for /privacy)."""
        async with self._engine.connect() as connection:
            count = await connection.scalar(
                select(func.count())
                .select_from(MessageDeletion)
                .join(Chat, Chat.id == MessageDeletion.chat_pk)
                .where(Chat.platform == address.platform, Chat.chat_id == address.chat_id)
            )
        return count or 0
