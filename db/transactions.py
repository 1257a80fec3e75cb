"""A whole short transaction on the async engine in one step, for the stores' hottest paths.

Each call on an AsyncConnection (taking it from the pool, every execute, the commit, giving it
back) starts a greenlet of its own and goes round the event loop; for a command that stores two
rows that overhead is several times SQLite's own work. Here the checkout, the statements, the
commit and the checkin run as one function in one greenlet, exactly as
AsyncConnection.run_sync runs one: the same engine, pool and driver, each database call still
awaited on the event loop, so it works unchanged on any async driver (asyncpg included).

On SQLite through db/sqlite_driver.py the whole transaction goes further: it runs on the
connection's own thread in one trip (checked out of the same pool, the same statements), since
on SQLite the trips to that thread, not the SQL, were most of a short write's cost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only, greenlet_spawn

from db.sqlite_driver import Connection as OneTripConnection

T = TypeVar("T")


async def in_transaction(engine: AsyncEngine, work: Callable[[Connection], T]) -> T:
    """`work` in a transaction of its own: committed when it returns, rolled back if it raises."""
    return await _run(engine, work, commit=True)


async def reading(engine: AsyncEngine, work: Callable[[Connection], T]) -> T:
    """`work` on a connection that writes nothing (rolled back, which costs nothing on SQLite
    once the reads are done)."""
    return await _run(engine, work, commit=False)


async def _run(engine: AsyncEngine, work: Callable[[Connection], T], *, commit: bool) -> T:
    def run() -> T:
        pooled = engine.sync_engine.raw_connection()
        driver = pooled.driver_connection
        if isinstance(driver, OneTripConnection):
            try:
                return await_only(driver.transaction(engine.sync_engine, work, commit=commit))
            finally:
                pooled.close()  # back to the pool
        with Connection(engine.sync_engine, pooled) as connection:  # closing it gives it back
            if not commit:
                return work(connection)
            with connection.begin():
                return work(connection)

    return await greenlet_spawn(run)
