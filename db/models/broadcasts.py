"""Broadcast tables: the organizer's campaign text and, per recipient, only a delivery state.

A recipient with a chat row is that row's id (erased with the chat by /forget); only a
broadcast into a chat the bot has no row for holds that chat's platform and id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from db.dialect import partial
from db.models.base import Base

# The rows the fan-out still has to deliver; a partial index keeps finding them cheap when
# most of a large list has gone out. Queries must repeat this exact condition to use it.
OPEN_CONDITION = "state IN ('queued', 'sending')"


class BroadcastRow(Base):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    audience: Mapped[str] = mapped_column(String(32))
    # The organizer's campaign copy (never a supporter's words).
    body: Mapped[str] = mapped_column(Text)
    # JSON list of [label, url]: the organizer's link buttons.
    links: Mapped[str] = mapped_column(Text)
    origin_platform: Mapped[str] = mapped_column(String(16))
    origin_chat_id: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    # "platform:id" of an organizer (from the ORGANIZERS setting); NULL for a group admin.
    created_by: Mapped[str | None] = mapped_column(String(80))
    approved_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    send_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    total: Mapped[int] = mapped_column(Integer, default=0)
    # UTC epoch seconds when it became done or cancelled (set by a trigger, see 0005_retention).
    finished_at: Mapped[int | None] = mapped_column(Integer)
    # JSON {delivery state: count}, written when retention deletes the recipient list.
    final_counts: Mapped[str | None] = mapped_column(Text)


class BroadcastRecipientRow(Base):
    __tablename__ = "broadcast_recipients"
    __table_args__ = (
        Index("ix_broadcast_recipients_progress", "broadcast_id", "state"),
        Index(
            "ix_broadcast_recipients_open",
            "platform",
            "id",
            **partial(text(OPEN_CONDITION)),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    chat_pk: Mapped[int | None] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    # Only for a chat without a row of its own (a group the bot keeps nothing about).
    chat_id: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(8))
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    # The process that claimed it ('sending'): recovery after a crash puts back only that
    # process's claims (see db/stores/leases.py).
    claimed_by: Mapped[str | None] = mapped_column(String(64))
