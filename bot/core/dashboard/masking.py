"""Counts small enough to single a person out are never shown as numbers.

Every count the dashboard shows (a table cell, a chart's bar, an RSVP tally, a broadcast's
progress) goes through `masked`: under FEWEST it becomes "fewer than 10", and a chart draws it
as a hatched stub of no particular height, so no page can say "one person here".
"""

from __future__ import annotations

FEWEST = 10


def masked(count: int) -> int | None:
    """`count` when it is safe to show, None when it must read "fewer than 10" (zero included:
    "nobody" next to "fewer than 10" elsewhere would tell the two apart)."""
    return count if count >= FEWEST else None
