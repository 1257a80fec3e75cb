"""aiosqlite, with one trip to its thread per statement instead of three or four.

aiosqlite runs every sqlite3 call on a worker thread of its own: each call is a round trip (the
call queued, the thread woken, the result handed back through the event loop). SQLAlchemy's
adapter makes several per statement: it opens a cursor, executes, fetches the rows and closes the
cursor, each a trip; and after every checkout it rolls back, a trip even when nothing is open.
On SQLite those trips, not SQL, are most of a short command's cost.

This connection keeps aiosqlite's thread and its queue but does a statement's whole cursor life in
one trip: the statement runs, its rows (if any) are read and the cursor is closed on the thread,
and the cursor handed to SQLAlchemy answers from what came back. A commit or rollback with no
transaction open is skipped: sqlite3 would do nothing for it anyway.

It plugs in below SQLAlchemy (create_async_engine's async_creator), so the stores keep using the
async engine and nothing here exists for another database: PostgreSQL gets asyncpg unchanged.

For the commonest short transactions (a new chat's first subscription) even one trip per
statement is most of the cost: `transaction` runs the whole of one, SQLAlchemy statements and
commit, on the connection's own thread in a single trip (db/transactions.py decides when),
through the same engine's dialect, statement cache and event listeners.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from threading import Thread
from typing import Any, TypeVar, cast

import aiosqlite
from sqlalchemy import Engine
from sqlalchemy.engine import Connection as SyncConnection
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import StaticPool

# What one trip brings back: the cursor's description, rowcount, lastrowid and every row.
_Outcome = tuple[Any, int, int | None, list[Any]]
T = TypeVar("T")


def _run(connection: sqlite3.Connection, sql: str, parameters: Any, many: bool = False) -> _Outcome:
    """On the connection's thread: the statement, its rows, and the cursor closed."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        # A statement left unfinished would keep its read snapshot open: rows are read at once,
        # as SQLAlchemy's adapter does for every statement that is not streamed anyway.
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class Cursor:
    """The aiosqlite cursor interface that SQLAlchemy's adapter uses, one trip per execute."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._rows: deque[Any] = deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> Cursor:
        return self._took(
            await self._connection.run(_run, sql, () if parameters is None else parameters)
        )

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> Cursor:
        return self._took(await self._connection.run(_run, sql, parameters, True))

    def _took(self, outcome: _Outcome) -> Cursor:
        self.description, self.rowcount, self.lastrowid, rows = outcome
        self._rows = deque(rows)
        return self

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        count = min(self.arraysize if size is None else size, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> Sequence[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        # The sqlite3 cursor was closed on the thread already.
        self._rows.clear()


class Connection(aiosqlite.Connection):
    """aiosqlite's connection, its cursors made by Cursor above."""

    # This very sqlite3 connection as SQLAlchemy's pool hands one out, for `transaction`. It is
    # only used on the connection's own thread while the async pool has the connection checked
    # out, so nothing else touches the connection meanwhile; made on first use.
    _on_thread: StaticPool | None = None

    async def transaction(
        self, engine: Engine, work: Callable[[SyncConnection], T], *, commit: bool
    ) -> T:
        """`work` on this connection in one trip to its thread, through `engine` (the async
        engine's synchronous core: its dialect, statement cache and event listeners): committed
        when it returns and `commit` is set, else rolled back (reads); rolled back if it raises."""
        result: T = await self._execute(self._transact, engine, work, commit)  # type: ignore[no-untyped-call]
        return result

    def _transact(self, engine: Engine, work: Callable[[SyncConnection], T], commit: bool) -> T:
        if self._on_thread is None:
            raw = cast(DBAPIConnection, self._conn)
            # This pool never opens or closes anything: the connection is aiosqlite's, already
            # set up by the async engine's connect listeners (pragmas, permissions).
            self._on_thread = StaticPool(lambda: raw)
        with SyncConnection(engine, self._on_thread.connect()) as connection:
            if not commit:
                # Leaving rolls back (the pool's reset), which ends the read snapshot.
                return work(connection)
            with connection.begin():
                return work(connection)

    def cursor(self) -> Cursor:  # type: ignore[override]
        return Cursor(self)

    async def run(self, function: Callable[..., _Outcome], *args: Any) -> _Outcome:
        outcome: _Outcome = await self._execute(function, self._conn, *args)  # type: ignore[no-untyped-call]
        return outcome

    async def commit(self) -> None:
        if self._conn.in_transaction:
            await super().commit()

    async def rollback(self) -> None:
        # SQLAlchemy rolls back every connection it takes back into its pool; after a read, or
        # after a commit, SQLite has nothing open and the trip would do nothing.
        if self._conn.in_transaction:
            await super().rollback()


def connector(
    database: str,
    *,
    open_with: Callable[..., sqlite3.Connection] | None = None,
    **options: Any,
) -> Callable[[], Awaitable[Connection]]:
    """An async_creator for create_async_engine: a new Connection to `database` each call, with
    the sqlite3 options SQLAlchemy's dialect would have passed. `open_with` opens it on the
    connection's thread in place of sqlite3.connect (looked up at each open, so a test can
    patch it): SQLCipher's keyed open (db/cipher.py) when DATABASE_KEY is set."""

    async def connect() -> Connection:
        def open_database() -> sqlite3.Connection:
            opened: sqlite3.Connection = (open_with or sqlite3.connect)(database, **options)
            return opened

        connection = Connection(open_database, iter_chunk_size=64)
        # As SQLAlchemy's own aiosqlite dialect does: the thread must not keep the process alive.
        # Before aiosqlite 0.22 (pyproject allows 0.20) the connection was the thread itself.
        thread = cast(Thread, getattr(connection, "_thread", connection))
        thread.daemon = True
        await connection
        return connection

    return connect
