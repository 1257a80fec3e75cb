"""A whole short transaction on the async engine in one step, for the stores' hottest paths.

Each call on an AsyncConnection (taking it from the pool, every execute, the commit, giving it
back) starts a greenlet of its own and goes round the event loop; for a command that stores two
rows that overhead is several times SQLite's own work. Here the checkout, the statements, the
commit and the checkin run as one function in one greenlet, exactly as
AsyncConnection.run_sync runs one: the same engine, pool and driver, each database call still
awaited on the event loop, so it works unchanged on any async driver (asyncpg included).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import greenlet_spawn

T = TypeVar("T")


async def in_transaction(engine: AsyncEngine, work: Callable[[Connection], T]) -> T:
    """`work` in a transaction of its own: committed when it returns, rolled back if it raises."""

    def run() -> T:
        with engine.sync_engine.begin() as connection:
            return work(connection)

    return await greenlet_spawn(run)


async def reading(engine: AsyncEngine, work: Callable[[Connection], T]) -> T:
    """`work` on a connection that writes nothing (rolled back, which costs nothing on SQLite
    once the reads are done)."""

    def run() -> T:
        with engine.sync_engine.connect() as connection:
            return work(connection)

    return await greenlet_spawn(run)
