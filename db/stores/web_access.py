"""The WebAccessStore port on the `web_access` table (bot/core/dashboard/access.py)."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import Table, delete, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.dashboard.access import LOGIN, SESSION, Grant, token_hash
from bot.core.messages import Address, ChatKind
from db.models.web import WebAccessRow

W: Table = WebAccessRow.__table__  # type: ignore[assignment]
# A session's expiry moves on at most this many times per idle time (30 min: once a minute).
RENEWALS_PER_IDLE = 30


class SqlWebAccess:
    """Links and sessions by their token's hash; expired rows are pruned as new ones come."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def issue(self, kind: str, token: str, grant: Grant, ttl: timedelta) -> None:
        now = time.time()
        async with self._engine.begin() as connection:
            await connection.execute(delete(W).where(W.c.expires_at <= now))
            await connection.execute(
                W.insert().values(
                    token_hash=token_hash(token),
                    kind=kind,
                    platform=grant.user.platform,
                    user_id=grant.user.chat_id,
                    chat_id=grant.chat.chat_id,
                    chat_kind=grant.chat_kind.value,
                    scope_chat_id=None if grant.scope is None else grant.scope.chat_id,
                    locale=grant.locale,
                    started_at=now,
                    expires_at=now + ttl.total_seconds(),
                )
            )

    async def redeem(self, token: str) -> Grant | None:
        now = time.time()
        async with self._engine.begin() as connection:
            # Deleted whatever its age: a link is tried once, and only the first try can win.
            row = (
                await connection.execute(
                    delete(W)
                    .where(W.c.token_hash == token_hash(token), W.c.kind == LOGIN)
                    .returning(*W.c)
                )
            ).first()
        return _grant(row) if row is not None and row.expires_at > now else None

    async def touch(self, token: str, idle: timedelta, longest: timedelta) -> Grant | None:
        now = time.time()
        async with self._engine.begin() as connection:
            row = (
                await connection.execute(
                    select(W).where(
                        W.c.token_hash == token_hash(token),
                        W.c.kind == SESSION,
                        W.c.expires_at > now,
                    )
                )
            ).first()
            if row is None:
                return None
            renewed = min(now + idle.total_seconds(), row.started_at + longest.total_seconds())
            # A page asks several times a second (its progress, a form's checks): renewing only
            # when a thirtieth of the idle time has passed keeps reads from all being writes.
            if renewed - row.expires_at > idle.total_seconds() / RENEWALS_PER_IDLE:
                await connection.execute(
                    update(W).where(W.c.token_hash == row.token_hash).values(expires_at=renewed)
                )
        return _grant(row)

    async def end(self, token: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(delete(W).where(W.c.token_hash == token_hash(token)))


def _grant(row: Row[tuple[object, ...]]) -> Grant:
    platform = str(row.platform)
    return Grant(
        user=Address(platform, str(row.user_id)),
        chat=Address(platform, str(row.chat_id)),
        chat_kind=ChatKind(str(row.chat_kind)),
        scope=None if row.scope_chat_id is None else Address(platform, str(row.scope_chat_id)),
        locale=None if row.locale is None else str(row.locale),
    )
