"""What several processes on one PostgreSQL database must see alike: step-by-step drafts and the
per-person rate limit (on SQLite, one process, both stay in memory and these tables stay empty).

No address and no person appears as itself: chats and askers are keyed by a hash
(db.stores.shared.pseudonym). A draft's answers are what the person typed; the row lives at most
the draft's time to live (15 minutes) and goes when the draft is answered, dropped or expires.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Double, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class SharedDraft(Base):
    """One step-by-step command under way: which command, the answers given so far."""

    __tablename__ = "shared_drafts"

    # Orders a chat's drafts oldest first when a cap makes room (after expires_at).
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The hash of the chat's address: the per-chat cap counts by it, /forget deletes by it.
    chat_key: Mapped[str] = mapped_column(String(32), index=True)
    # The hash of (chat, asker): one draft per person per chat.
    user_key: Mapped[str] = mapped_column(String(32), unique=True)
    command: Mapped[str] = mapped_column(String(64))
    # The answers so far, a JSON list of strings.
    args: Mapped[str] = mapped_column(Text)
    # UTC epoch seconds (fractional): after this the draft cannot be answered and goes.
    expires_at: Mapped[float] = mapped_column(Double, index=True)


class RateBucket(Base):
    """One person's token bucket, updated in one atomic statement per action."""

    __tablename__ = "rate_buckets"

    # The hash of the limiter's key (platform and user id).
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    tokens: Mapped[float] = mapped_column(Double)
    # When `tokens` was counted, UTC epoch seconds: refill runs from here; old rows are pruned.
    counted_at: Mapped[float] = mapped_column(Double, index=True)
    # The verdict of the last action (whether a token was taken): the statement's answer.
    allowed: Mapped[bool] = mapped_column(Boolean)
