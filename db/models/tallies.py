"""Weekly tallies for the dashboard's overview: counts of what happened, never who (issue #16).

Erasure leaves no trace of a chat, and retention purges sent reminders and finished broadcasts'
recipients, so the overview's per-week numbers cannot be counted from those rows afterwards.
Each event adds to a counter here instead, in the same transaction as the change it counts: a
week (its Monday), what happened, on which platform ("" when the store cannot tell cheaply),
and how many times. Nothing in a row can lead back to a chat or a person.
"""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class WeeklyTally(Base):
    __tablename__ = "weekly_tallies"

    # The week's Monday as ISO text (YYYY-MM-DD): sorts and compares the same on both databases.
    week: Mapped[str] = mapped_column(String(10), primary_key=True)
    # "subscribed", "erased", "reminder_sent", "broadcast_sent" (bot.core.dashboard.stats).
    what: Mapped[str] = mapped_column(String(24), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
