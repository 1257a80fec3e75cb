"""The tables: the minimum per chat (no names, usernames, phone numbers or message text)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base


class Chat(Base):
    __tablename__ = "chats"
    __table_args__ = (UniqueConstraint("platform", "chat_id", name="uq_chats_platform_chat_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Minutes after local midnight; both NULL means the chat turned quiet hours off.
    quiet_start: Mapped[int | None] = mapped_column(SmallInteger)
    quiet_end: Mapped[int | None] = mapped_column(SmallInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Discreet mode as chosen; NULL until the chat chooses (bot.core.discreet.is_discreet).
    discreet: Mapped[bool | None] = mapped_column(Boolean)
    # Self-destruct: seconds after which the bot deletes its own messages here; NULL is off.
    delete_after: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    topics: Mapped[list[ChatTopic]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )


class ChatTopic(Base):
    __tablename__ = "chat_topics"

    chat_pk: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class Rsvp(Base):
    __tablename__ = "rsvps"

    chat_pk: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    answer: Mapped[str] = mapped_column(String(8))


class CampaignStart(Base):
    """How many people arrived through one campaign link: a counter, never a person."""

    __tablename__ = "campaign_starts"

    tag: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
