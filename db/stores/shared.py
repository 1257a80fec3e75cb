"""Drafts and rate limits where every process sees them: the database (PostgreSQL, issue #15).

Several `allybot run` processes on one PostgreSQL database, Telegram webhook workers behind a load
balancer among them, take any update from anybody: the answer to a step-by-step question may
reach another process than the question came from, and a script alternating between workers must
meet one rate limit, not one per worker. So on PostgreSQL both live in two small tables (see
db/models/shared.py) with the same bounds and verdicts as the in-memory versions SQLite keeps
(bot.core.conversation.Conversations, bot.ratelimit.TokenBucketLimiter). `shared_state` picks
for the composition root.

Nobody's address is stored as itself: chats, askers and limiter keys are kept as a hash
(`pseudonym`). That hash keeps ids out of the table and its logs; it is not anonymity (Telegram
ids are few enough to hash them all), which is why the rows are short-lived: a draft at most its
time to live, a bucket until it has refilled.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable

from sqlalchemy import Double, Table, case, cast, delete, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from bot.core.conversation import (
    DRAFT_TTL_S,
    MAX_DRAFTS,
    MAX_DRAFTS_PER_CHAT,
    Draft,
    Drafts,
)
from bot.core.messages import Address
from bot.core.ports import ALLOW, RateLimiter, Verdict
from bot.ratelimit import MIN_RETRY_S, PRUNE_EVERY_S, TokenBucketLimiter
from db.dialect import greatest, least, upsert
from db.models.shared import RateBucket, SharedDraft

D: Table = SharedDraft.__table__  # type: ignore[assignment]
B: Table = RateBucket.__table__  # type: ignore[assignment]


# The wall clock both stores read unless given one (tests put a clock they move here, before the
# composition root builds the stores).
wall_clock: Callable[[], float] = time.time


def pseudonym(*parts: str) -> str:
    """A stable 32-character hash of the parts: the same in every process, no id in clear."""
    joined = "\x1f".join(parts).encode()
    return hashlib.blake2b(joined, digest_size=16, person=b"allybot-shared").hexdigest()


def _seconds(value: float) -> ColumnElement[float]:
    # A typed parameter: asyncpg must not guess numeric for a float in arithmetic.
    return cast(literal(value), Double())


class SqlDrafts:
    """`Drafts` in the database: any process continues a draft any other started.

    The bounds are those of the in-memory `Conversations`: a draft lives `ttl_s`; a chat holds at
    most `max_per_chat` (its oldest makes room); all chats together at most `max_drafts` (the
    oldest overall go). Two processes writing at the same instant may overshoot a cap by one
    draft each until the next write; the time to live is exact. Expired rows go with every
    write, wherever they are, so what a person typed does not outlive it.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Callable[[], float] | None = None,
        *,
        ttl_s: float = DRAFT_TTL_S,
        max_drafts: int = MAX_DRAFTS,
        max_per_chat: int = MAX_DRAFTS_PER_CHAT,
    ) -> None:
        if not 1 <= max_per_chat <= max_drafts:
            raise ValueError("need 1 <= max_per_chat <= max_drafts")
        self._engine = engine
        # Wall-clock seconds, not monotonic: every process must read the same expiry.
        self._clock = clock or wall_clock
        self._ttl_s = ttl_s
        self._max_drafts = max_drafts
        self._max_per_chat = max_per_chat

    async def remember(
        self, chat: Address, user_id: str, command: str, args: tuple[str, ...]
    ) -> None:
        now = self._clock()
        chat_key, user_key = pseudonym(str(chat)), pseudonym(str(chat), user_id)
        values = {
            "chat_key": chat_key,
            "user_key": user_key,
            "command": command,
            "args": json.dumps(list(args)),
            "expires_at": now + self._ttl_s,
        }
        newest_first = (D.c.expires_at.desc(), D.c.id.desc())
        async with self._engine.begin() as connection:
            # The asker's old draft goes first, so the new one is the newest (a fresh id) when a
            # cap makes room, as in memory; the upsert covers another process's insert in between.
            await connection.execute(
                delete(D).where(or_(D.c.expires_at <= now, D.c.user_key == user_key))
            )
            await connection.execute(
                upsert(
                    connection.dialect.name,
                    D,
                    values,
                    ["user_key"],
                    {k: values[k] for k in ("command", "args", "expires_at")},
                )
            )
            kept_here = (
                select(D.c.id)
                .where(D.c.chat_key == chat_key)
                .order_by(*newest_first)
                .limit(self._max_per_chat)
            )
            await connection.execute(
                delete(D).where(D.c.chat_key == chat_key, D.c.id.not_in(kept_here))
            )
            beyond = select(D.c.id).order_by(*newest_first).offset(self._max_drafts)
            await connection.execute(delete(D).where(D.c.id.in_(beyond)))

    async def take(self, chat: Address, user_id: str) -> Draft | None:
        now = self._clock()
        user_key = pseudonym(str(chat), user_id)
        # One statement: of two processes given two answers at once, one continues the draft.
        async with self._engine.begin() as connection:
            rows = await connection.execute(
                delete(D)
                .where(or_(D.c.user_key == user_key, D.c.expires_at <= now))
                .returning(D.c.user_key, D.c.command, D.c.args, D.c.expires_at)
            )
            mine = [row for row in rows if row.user_key == user_key]
        if not mine or mine[0].expires_at <= now:
            return None
        row = mine[0]
        return Draft(row.command, tuple(json.loads(row.args)), row.expires_at)

    async def drop(self, chat: Address, user_id: str) -> None:
        user_key = pseudonym(str(chat), user_id)
        async with self._engine.begin() as connection:
            await connection.execute(
                delete(D).where(or_(D.c.user_key == user_key, D.c.expires_at <= self._clock()))
            )

    async def forget_chat(self, chat: Address) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(delete(D).where(D.c.chat_key == pseudonym(str(chat))))

    async def count(self) -> int:
        """How many drafts are held (expired ones until the next write)."""
        async with self._engine.connect() as connection:
            return int(await connection.scalar(select(func.count()).select_from(D)) or 0)


class SqlRateLimiter:
    """TokenBucketLimiter's buckets in the database, one row per person, so every process
    counts the same actions. Each check is one atomic statement (an upsert that refills from the
    stored time, takes a token if there is one and returns the verdict), computed exactly as the
    in-memory limiter computes it: the same verdicts for the same times.

    Times are the wall clock of the process asking (processes on one database keep their clocks
    in step with NTP); a clock a little behind another's never refills a bucket backwards.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        per_minute: float,
        burst: int,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError("the rate limit needs per_minute > 0 and burst >= 1")
        self._engine = engine
        self._rate = per_minute / 60.0  # tokens a second
        self._burst = float(burst)
        self._clock = clock or wall_clock
        self._next_prune = self._clock() + PRUNE_EVERY_S

    async def check(self, key: str) -> Verdict:
        now = self._clock()
        if now >= self._next_prune:
            await self._prune(now)
        at = _seconds(now)
        elapsed = greatest(self._engine.dialect.name, at - B.c.counted_at, _seconds(0.0))
        refilled = least(
            self._engine.dialect.name, _seconds(self._burst), B.c.tokens + elapsed * self._rate
        )
        statement = upsert(
            self._engine.dialect.name,
            B,
            {
                "key": pseudonym(key),
                "tokens": self._burst - 1.0,
                "counted_at": now,
                "allowed": True,
            },
            ["key"],
            {
                "tokens": case((refilled >= 1.0, refilled - 1.0), else_=refilled),
                "counted_at": greatest(self._engine.dialect.name, B.c.counted_at, at),
                "allowed": refilled >= 1.0,
            },
        ).returning(B.c.tokens, B.c.allowed)
        async with self._engine.begin() as connection:
            tokens, allowed = (await connection.execute(statement)).one()
        if allowed:
            return ALLOW
        wait = math.ceil((1.0 - tokens) / self._rate)
        return Verdict(False, float(max(wait, MIN_RETRY_S)))

    async def forget(self, key: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(delete(B).where(B.c.key == pseudonym(key)))

    async def _prune(self, now: float) -> None:
        """A full bucket is the same as none: those go, as the in-memory limiter drops them."""
        self._next_prune = now + PRUNE_EVERY_S
        full_after = self._burst / self._rate
        async with self._engine.begin() as connection:
            await connection.execute(delete(B).where(_seconds(now) - B.c.counted_at >= full_after))


def shared_state(
    engine: AsyncEngine, per_minute: float, burst: int
) -> tuple[Drafts | None, RateLimiter]:
    """The drafts and rate limiter for this database: in memory on SQLite (one process serves
    every update; None lets the dispatcher keep its own), in the database on PostgreSQL, where
    several processes may serve one bot."""
    if engine.dialect.name == "sqlite":
        return None, TokenBucketLimiter(per_minute, burst)
    return SqlDrafts(engine), SqlRateLimiter(engine, per_minute, burst)
