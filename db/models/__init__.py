"""The tables. Importing any of them registers all, so erasure sees every table naming a chat."""

from db.models import (
    base,
    broadcasts,
    chats,
    deletions,
    events,
    leases,
    setups,
    shared,
    tallies,
    web,
)

__all__ = [
    "base",
    "broadcasts",
    "chats",
    "deletions",
    "events",
    "leases",
    "setups",
    "shared",
    "tallies",
    "web",
]
