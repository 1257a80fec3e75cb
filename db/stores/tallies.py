"""Adding to the weekly tallies (db/models/tallies.py) inside the transaction that makes the change.

One upsert per statement batch, never per message: a broadcast's batch of delivery marks adds its
number of deliveries in one statement beside the executemany that marks them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.sql.expression import Insert

from bot.core.dashboard.stats import BROADCAST_SENT, ERASED, REMINDER_SENT, SUBSCRIBED, monday
from db.dialect import upsert
from db.models.tallies import WeeklyTally

T: Table = WeeklyTally.__table__  # type: ignore[assignment]
__all__ = ["ANY_PLATFORM", "BROADCAST_SENT", "ERASED", "REMINDER_SENT", "SUBSCRIBED", "bump"]
# The platform when the statement that counts does not know it (a batch of marks by id).
ANY_PLATFORM = ""


def this_week() -> str:
    return monday(datetime.now(UTC).date()).isoformat()


def bump(dialect: str, what: str, platform: str, n: int, week: str | None = None) -> Insert:
    """The statement that adds `n` to this week's tally of `what` on `platform`."""
    values: dict[str, Any] = {
        "week": week or this_week(),
        "what": what,
        "platform": platform,
        "n": n,
    }
    return upsert(dialect, T, values, ["week", "what", "platform"], {"n": T.c.n + n})
