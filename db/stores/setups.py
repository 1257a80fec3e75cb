"""Server setups and the synced command-set hash on SQLAlchemy; returns plain values only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.core.server_setup import ServerSetup
from db.models.setups import CommandHashRow, ServerSetupRow


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored here is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC)


class SqlServerSetups:
    """The ServerSetupStore port (and the adapter's command-hash store). Short transactions."""

    def __init__(self, engine: AsyncEngine, clock: Callable[[], datetime] = _now) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._clock = clock

    async def get_setup(self, platform: str, server_id: str) -> ServerSetup | None:
        async with self._sessions() as session:
            row = await session.get(ServerSetupRow, (platform, server_id))
            return _setup(row) if row is not None else None

    async def save_setup(self, setup: ServerSetup) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(ServerSetupRow, (setup.platform, setup.server_id))
            if row is None:
                row = ServerSetupRow(platform=setup.platform, server_id=setup.server_id)
                session.add(row)
            row.channel_id = setup.channel_id
            row.topics = ",".join(sorted(setup.topics))
            row.timezone = setup.timezone
            row.locale = setup.locale
            row.broken_reason = setup.broken_reason
            row.updated_at = setup.updated_at or self._clock()

    async def delete_setup(self, platform: str, server_id: str) -> bool:
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(ServerSetupRow).where(
                    ServerSetupRow.platform == platform, ServerSetupRow.server_id == server_id
                )
            )
            return bool(getattr(result, "rowcount", 0))

    async def mark_broken(self, platform: str, channel_id: str, reason: str) -> int:
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(ServerSetupRow)
                .where(ServerSetupRow.platform == platform, ServerSetupRow.channel_id == channel_id)
                .values(broken_reason=reason[:200], updated_at=self._clock())
            )
            return int(getattr(result, "rowcount", 0) or 0)

    async def get_command_hash(self, platform: str, scope: str) -> str | None:
        async with self._sessions() as session:
            digest = await session.scalar(
                select(CommandHashRow.digest).where(
                    CommandHashRow.platform == platform, CommandHashRow.scope == scope
                )
            )
            return digest

    async def set_command_hash(self, platform: str, scope: str, value: str) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(CommandHashRow, (platform, scope))
            if row is None:
                session.add(
                    CommandHashRow(
                        platform=platform, scope=scope, digest=value, updated_at=self._clock()
                    )
                )
            else:
                row.digest = value
                row.updated_at = self._clock()


def _setup(row: ServerSetupRow) -> ServerSetup:
    return ServerSetup(
        platform=row.platform,
        server_id=row.server_id,
        channel_id=row.channel_id,
        topics=frozenset(t for t in row.topics.split(",") if t),
        timezone=row.timezone,
        locale=row.locale,
        broken_reason=row.broken_reason,
        updated_at=_utc(row.updated_at),
    )
