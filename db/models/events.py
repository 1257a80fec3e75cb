"""Tables for events made in chat and the reminder plan. Times are UTC epoch seconds.

Nothing here names a person: an event's organizer is not recorded (permission is checked when a
button is pressed, not remembered), and every row about a chat goes with it on /forget.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from db.dialect import partial
from db.models.base import Base

PLANNED = "planned"


class StoredEvent(Base):
    """An event an organizer or a group's admin created here (or a draft, or a pending edit)."""

    __tablename__ = "stored_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # NULL: campaign-wide; otherwise the one chat (group or server channel) it belongs to.
    scope_chat_pk: Mapped[int | None] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000))
    place: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(500))
    timezone: Mapped[str] = mapped_column(String(64))
    # The wall-clock times as typed, in `timezone`; the UTC instants follow from them.
    starts_local: Mapped[datetime] = mapped_column(DateTime())
    ends_local: Mapped[datetime] = mapped_column(DateTime())
    starts_at: Mapped[int] = mapped_column(Integer, index=True)
    ends_at: Mapped[int] = mapped_column(Integer)
    # A pending edit (a draft) names the event it would change.
    edit_of: Mapped[int | None] = mapped_column(ForeignKey("stored_events.id", ondelete="CASCADE"))
    # A draft's writer ("platform:user id"), the only one who may publish it; cleared on publish.
    drafted_by: Mapped[str | None] = mapped_column(String(80))
    expires_at: Mapped[int | None] = mapped_column(Integer)
    cancelled_at: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[int] = mapped_column(Integer)


class ReminderLeads(Base):
    """How long before events a chat wants reminders: minutes, comma-separated ('' for none)."""

    __tablename__ = "reminder_leads"

    chat_pk: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    leads: Mapped[str] = mapped_column(String(64))


class PlannedReminder(Base):
    """One delivery to one chat: planned, then sending, then sent (or dropped, gone, failed).

    The row is both the plan and the record of sending: (chat, key) is unique, and a row that left
    "planned" never returns to it except when the platform refused it (retry), so nothing is sent
    twice.
    """

    __tablename__ = "reminder_plan"
    __table_args__ = (
        UniqueConstraint("chat_pk", "key", name="uq_reminder_plan_chat_pk_key"),
        # Only the planned rows are ever searched by time: a small partial index.
        Index(
            "ix_reminder_plan_due",
            "due_at",
            **partial(text("state = 'planned'")),
        ),
        Index("ix_reminder_plan_event", "event_id", "chat_pk"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_pk: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(120))
    event_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    lead: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[int] = mapped_column(Integer)
    stale_at: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(12), default=PLANNED)
    # The process that claimed it ('sending'), for recovery after that process crashed.
    claimed_by: Mapped[str | None] = mapped_column(String(64))


class ReminderDirty(Base):
    """Chats whose reminders must be re-planned; filled by database triggers (see 0003)."""

    __tablename__ = "reminder_dirty"

    chat_pk: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )


class ReminderMark(Base):
    """What each subject (an event, the remembrance year) was last planned for."""

    __tablename__ = "reminder_marks"

    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    mark: Mapped[str] = mapped_column(String(200))
