"""The LeaseStore port: one holder at a time per job, on the database's own clock.

A lease is taken when it is free or expired, and renewed by its holder, each in one statement
that the database serializes (PostgreSQL re-reads a row another transaction just changed before
applying the WHERE, SQLite lets one writer in at a time), so two processes never both hold it.
Times are the database's (`now_epoch`): hosts whose clocks disagree still agree on who leads.

`fence` is the condition a claim adds to its own UPDATE: a process claims rows only while it
holds the lease, checked in the same statement, so a holder that lost its lease (a long pause, a
network split) cannot claim another row even before it notices.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.dialect import now_epoch
from db.models.leases import Lease

T = TypeVar("T")


def fence(dialect: str) -> str:
    """SQL true while `:lease` is held by `:owner` (both bound by the caller)."""
    return (
        "EXISTS (SELECT 1 FROM leases WHERE leases.job = :lease AND leases.holder = :owner"  # noqa: S608
        f" AND leases.expires_at > {now_epoch(dialect)})"
    )


@dataclass(frozen=True, slots=True)
class Claimant:
    """Who claims rows, and the lease a claim needs (None: one process, nothing to fence)."""

    owner: str
    lease: str | None = None

    def condition(self, dialect: str) -> str:
        """SQL for a claim's WHERE: the fence when there is a lease, else always true."""
        return fence(dialect) if self.lease is not None else "1 = 1"

    def params(self) -> dict[str, Any]:
        values: dict[str, Any] = {"owner": self.owner}
        if self.lease is not None:
            values["lease"] = self.lease
        return values


class SqlLeases:
    """Leases in the `leases` table."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._lock = asyncio.Lock()
        now = now_epoch(engine.dialect.name)
        self._renew = text(
            f"UPDATE leases SET holder = :owner, expires_at = {now} + :ttl"  # noqa: S608
            f" WHERE job = :name AND (holder = :owner OR expires_at <= {now})"
        )
        # Nobody has ever held it: the first to insert wins, the others find the row taken.
        self._first = text(
            "INSERT INTO leases (job, holder, expires_at)"  # noqa: S608 - constants only
            f" VALUES (:name, :owner, {now} + :ttl)"
            " ON CONFLICT (job) DO NOTHING"
        )

    async def hold(self, name: str, owner: str, ttl_s: int) -> bool:
        """Take or renew the lease for `ttl_s` seconds; False while another process holds it."""
        values = {"name": name, "owner": owner, "ttl": ttl_s}

        async def work(connection: AsyncConnection) -> bool:
            renewed = await connection.execute(self._renew, values)
            if renewed.rowcount:
                return True
            inserted = await connection.execute(self._first, values)
            return bool(inserted.rowcount)

        return await self._on_own_connection(work)

    async def release(self, name: str, owner: str) -> None:
        """Give the lease up (a graceful stop): a standby takes it on its next try."""

        async def work(connection: AsyncConnection) -> None:
            await connection.execute(delete(Lease).where(Lease.job == name, Lease.holder == owner))

        await self._on_own_connection(work)
        await self.aclose()

    async def _on_own_connection(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """A transaction on a connection kept for the lease alone: a busy pool (a fan-out's
        thousand sends a second) must never make the holder miss its renewal and step down."""
        async with self._lock:
            if self._connection is None:
                self._connection = await self._engine.connect()
            try:
                async with self._connection.begin():
                    return await work(self._connection)
            except BaseException:
                await self.aclose_unlocked()
                raise

    async def aclose(self) -> None:
        async with self._lock:
            await self.aclose_unlocked()

    async def aclose_unlocked(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()
