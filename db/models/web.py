"""The dashboard's one-time login links and sessions (bot/core/dashboard/access.py).

A row stands for a link or a session: the token itself is never stored, only its SHA-256, so a
seized database opens nothing. It names the person it acts for (an organizer, or a group's admin)
because the dashboard acts as them; it lives minutes (a link 10, a session 30 after its last
request, 12 hours at most) and /forget deletes it at once.
"""

from __future__ import annotations

from sqlalchemy import Double, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class WebAccessRow(Base):
    __tablename__ = "web_access"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # "login" (a one-time link) or "session" (a browser's cookie).
    kind: Mapped[str] = mapped_column(String(8))
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    # The chat the person asked from: their private chat, or the group they administer.
    chat_id: Mapped[str] = mapped_column(String(64), index=True)
    chat_kind: Mapped[str] = mapped_column(String(16))
    # The group or server the grant is limited to; NULL for an organizer (the whole campaign).
    scope_chat_id: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    # UTC epoch seconds.
    started_at: Mapped[float] = mapped_column(Double)
    expires_at: Mapped[float] = mapped_column(Double, index=True)
