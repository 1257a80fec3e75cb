"""Self-destruct's schedule: which of the bot's own messages to delete, and when; nothing else."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class MessageDeletion(Base):
    """One message the bot sent to a chat that chose "delete after": no text, no person.

    The row goes when the message is deleted, and with the chat (/forget, a blocked bot)."""

    __tablename__ = "message_deletions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_pk: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    # The platform's id of the bot's own message in that chat (Telegram: a number per chat);
    # not named message_*: the schema audit refuses any column that sounds like message text.
    sent_id: Mapped[str] = mapped_column(String(32))
    # When it is due, in UTC epoch seconds.
    delete_at: Mapped[int] = mapped_column(Integer, index=True)
