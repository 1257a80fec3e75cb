"""The BroadcastStore port on SQLAlchemy Core: short transactions, plain values out."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, insert, literal, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.broadcast.values import (
    HERE,
    BroadcastInfo,
    BroadcastState,
    DeliveryState,
    Message,
    NewBroadcast,
    Recipient,
)
from bot.core.discreet import is_discreet
from bot.core.leadership import new_owner
from bot.core.messages import Address, ChatKind, UrlButton
from db.models.broadcasts import OPEN_CONDITION, BroadcastRecipientRow, BroadcastRow
from db.models.chats import Chat, ChatTopic
from db.stores import tallies
from db.stores.leases import Claimant

B: Table = BroadcastRow.__table__  # type: ignore[assignment]
R: Table = BroadcastRecipientRow.__table__  # type: ignore[assignment]
C: Table = Chat.__table__  # type: ignore[assignment]
OPEN = (DeliveryState.QUEUED.value, DeliveryState.SENDING.value)
MARK = (
    update(R)
    .where(R.c.id == bindparam("rid"))
    .values(state=bindparam("s"), attempts=bindparam("a"))
)


class SqlBroadcastStore:
    """Broadcasts and their recipient lists in SQL."""

    def __init__(self, engine: AsyncEngine, claimant: Claimant | None = None) -> None:
        self._engine = engine
        self._claimant = claimant or Claimant(new_owner())
        dialect = engine.dialect.name
        # A queued row, or one this process claimed before and could not settle (its send failed
        # unexpectedly): never another live process's claim. Fenced by the sender lease when
        # several processes share the database.
        self._claim = text(
            "UPDATE broadcast_recipients SET state = 'sending', claimed_by = :owner"  # noqa: S608
            " WHERE id IN :ids"
            " AND (state = 'queued' OR (state = 'sending' AND claimed_by = :owner))"
            f" AND {self._claimant.condition(dialect)} RETURNING id"
        ).bindparams(bindparam("ids", expanding=True))
        # Delivery marks are the hot path (a batch claimed, then a batch of outcomes): one
        # connection kept open for them saves the pool's checkout and reset every time.
        self._marks: AsyncConnection | None = None
        self._marks_lock = asyncio.Lock()

    async def create(self, new: NewBroadcast, now: datetime) -> BroadcastInfo:
        """The broadcast and every recipient row in one transaction: all of it or nothing."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                insert(B).values(
                    state=BroadcastState.DRAFT.value,
                    audience=new.audience,
                    body=new.message.text,
                    links=json.dumps([[b.label, b.url] for b in new.message.links]),
                    origin_platform=new.origin.platform,
                    origin_chat_id=new.origin.chat_id,
                    locale=new.locale,
                    created_by=str(new.created_by) if new.created_by else None,
                    # SQLite keeps no offset: everything is stored in UTC.
                    created_at=now.astimezone(UTC),
                    send_at=new.send_at.astimezone(UTC) if new.send_at else None,
                    total=0,
                )
            )
            broadcast_id: int = result.inserted_primary_key[0]  # type: ignore[index]
            if new.audience == HERE:
                total = await self._insert_one(connection, broadcast_id, new.target or new.origin)
            else:
                # One INSERT ... SELECT: 100,000 rows queue in a fraction of a second.
                chosen = (
                    select(
                        literal(broadcast_id),
                        C.c.id,
                        C.c.platform,
                        literal(DeliveryState.QUEUED.value),
                        literal(0),
                    )
                    .join(ChatTopic, ChatTopic.chat_pk == C.c.id)
                    .where(ChatTopic.topic == new.audience, C.c.active.is_(True))
                    .order_by(C.c.id)
                )
                inserted = await connection.execute(
                    insert(R).from_select(
                        ["broadcast_id", "chat_pk", "platform", "state", "attempts"], chosen
                    )
                )
                total = inserted.rowcount
            await connection.execute(update(B).where(B.c.id == broadcast_id).values(total=total))
        info = await self.get(broadcast_id)
        if info is None:
            raise LookupError("the broadcast just created is missing")
        return info

    @staticmethod
    async def _insert_one(connection: Any, broadcast_id: int, target: Address) -> int:
        chat_pk = await connection.scalar(
            select(C.c.id).where(C.c.platform == target.platform, C.c.chat_id == target.chat_id)
        )
        await connection.execute(
            insert(R).values(
                broadcast_id=broadcast_id,
                chat_pk=chat_pk,
                platform=target.platform,
                # The chat id is kept only when there is no chat row to refer to.
                chat_id=None if chat_pk is not None else target.chat_id,
                state=DeliveryState.QUEUED.value,
                attempts=0,
            )
        )
        return 1

    async def get(self, broadcast_id: int) -> BroadcastInfo | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(select(B).where(B.c.id == broadcast_id))).one_or_none()
            if row is None:
                return None
            return _info(row, await _counts(connection, broadcast_id))

    async def breakdown(self, broadcast_id: int) -> Mapping[tuple[str, str], int]:
        # Grouped by the label: PostgreSQL sees two coalesce(…) with their own bound "" as two
        # different expressions, and would refuse the select's as not grouped.
        language = func.coalesce(C.c.locale, "").label("language")
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(R.c.platform, language, func.count())
                .select_from(R.outerjoin(C, C.c.id == R.c.chat_pk))
                .where(R.c.broadcast_id == broadcast_id)
                .group_by(R.c.platform, language)
            )
            return {(platform, locale): count for platform, locale, count in rows}

    async def transition(
        self,
        broadcast_id: int,
        expect: Collection[BroadcastState],
        to: BroadcastState,
        *,
        approved_by: Address | None = None,
    ) -> bool:
        values: dict[str, Any] = {"state": to.value}
        if approved_by is not None:
            values["approved_by"] = str(approved_by)
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(B)
                .where(B.c.id == broadcast_id, B.c.state.in_([s.value for s in expect]))
                .values(values)
            )
            return bool(result.rowcount)

    async def with_state(self, state: BroadcastState) -> list[BroadcastInfo]:
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(select(B).where(B.c.state == state.value).order_by(B.c.id))
            ).all()
            return [_info(row, await _counts(connection, row.id)) for row in rows]

    async def recent(self, origin: Address | None, limit: int) -> list[BroadcastInfo]:
        query = select(B).where(B.c.state != BroadcastState.DRAFT.value)
        if origin is not None:
            query = query.where(
                B.c.origin_platform == origin.platform, B.c.origin_chat_id == origin.chat_id
            )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query.order_by(B.c.id.desc()).limit(limit))).all()
            return [_info(row, await _counts(connection, row.id)) for row in rows]

    async def next_recipients(self, platform: str, after_id: int, limit: int) -> list[Recipient]:
        query = (
            select(
                R.c.id,
                R.c.broadcast_id,
                R.c.attempts,
                func.coalesce(C.c.chat_id, R.c.chat_id).label("chat_id"),
                C.c.kind,
                C.c.active,
                C.c.locale,
                C.c.discreet,
                C.c.delete_after,
            )
            .select_from(R.join(B, B.c.id == R.c.broadcast_id).outerjoin(C, C.c.id == R.c.chat_pk))
            .where(
                R.c.platform == platform,
                text("broadcast_recipients." + OPEN_CONDITION),
                R.c.id > after_id,
                B.c.state == BroadcastState.SENDING.value,
            )
            .order_by(R.c.id)
            .limit(limit)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [
            Recipient(
                id=row.id,
                broadcast_id=row.broadcast_id,
                address=Address(platform, row.chat_id),
                # A chat without a row is a group or channel asked "here" by its admin.
                group=row.kind != ChatKind.PRIVATE.value,
                attempts=row.attempts,
                active=row.active is not False and row.active != 0,
                # A group asked "here" without a row has made no choice and has no language.
                discreet=is_discreet(row.discreet, row.locale),
                locale=row.locale,
                delete_after=row.delete_after,
            )
            for row in rows
            if row.chat_id is not None
        ]

    async def claim(self, recipient_ids: Sequence[int]) -> set[int]:
        """Mark rows 'sending' as this process's, in one committed statement before any is
        sent; the ids it got (a row another process holds, or one cancelled, is not among them)."""
        if not recipient_ids:
            return set()
        async with self._marks_lock:
            if self._marks is None:
                self._marks = await self._engine.connect()
            try:
                params = {"ids": list(recipient_ids), **self._claimant.params()}
                claimed = {row.id for row in await self._marks.execute(self._claim, params)}
                await self._marks.commit()
            except BaseException:
                await self._close_marks()
                raise
        return claimed

    async def recover(self) -> int:
        """Put back in the queue the rows other processes claimed and never settled (they
        stopped or crashed mid-send: those messages may have gone out, and go again)."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(R)
                .where(
                    R.c.state == DeliveryState.SENDING.value,
                    R.c.claimed_by.is_distinct_from(self._claimant.owner),
                )
                .values(state=DeliveryState.QUEUED.value, claimed_by=None)
            )
            return int(result.rowcount or 0)

    async def mark(self, recipient_id: int, state: DeliveryState, attempts: int) -> None:
        await self.mark_many([(recipient_id, state, attempts)])

    async def mark_many(self, marks: Sequence[tuple[int, DeliveryState, int]]) -> None:
        """Many rows' states in one transaction (one executemany of one statement)."""
        if not marks:
            return
        async with self._marks_lock:
            if self._marks is None:
                self._marks = await self._engine.connect()
            try:
                rows = [{"rid": rid, "s": state.value, "a": tries} for rid, state, tries in marks]
                await self._marks.execute(MARK, rows)
                sent = sum(1 for _, state, _ in marks if state is DeliveryState.SENT)
                if sent:
                    # The overview's deliveries per week: one statement per batch of marks.
                    dialect = self._engine.dialect.name
                    bump = tallies.bump(dialect, tallies.BROADCAST_SENT, tallies.ANY_PLATFORM, sent)
                    await self._marks.execute(bump)
                await self._marks.commit()
            except BaseException:
                await self._close_marks()
                raise

    async def _close_marks(self) -> None:
        marks, self._marks = self._marks, None
        if marks is not None:
            with contextlib.suppress(Exception):
                await marks.close()

    async def aclose(self) -> None:
        """Give back the connection kept for delivery marks."""
        async with self._marks_lock:
            await self._close_marks()

    async def fail_unreachable(self, broadcast_id: int, platforms: Collection[str]) -> int:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(R)
                .where(
                    R.c.broadcast_id == broadcast_id,
                    R.c.state.in_(OPEN),
                    R.c.platform.not_in(list(platforms)),
                )
                .values(state=DeliveryState.FAILED.value)
            )
            return int(result.rowcount or 0)

    async def delete_drafts(self, before: datetime) -> int:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                delete(B).where(
                    B.c.state == BroadcastState.DRAFT.value,
                    B.c.created_at < before.astimezone(UTC),
                )
            )
            return int(result.rowcount or 0)


async def _counts(connection: Any, broadcast_id: int) -> dict[DeliveryState, int]:
    rows = await connection.execute(
        select(R.c.state, func.count()).where(R.c.broadcast_id == broadcast_id).group_by(R.c.state)
    )
    return {DeliveryState(state): count for state, count in rows}


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything stored here is UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _address(value: str | None) -> Address | None:
    if not value:
        return None
    platform, _, user_id = value.partition(":")
    return Address(platform, user_id)


def _info(row: Any, counts: Mapping[DeliveryState, int]) -> BroadcastInfo:
    if row.final_counts is not None:
        # Retention deleted the recipient list; its counts were kept on the broadcast row.
        counts = {DeliveryState(state): n for state, n in json.loads(row.final_counts).items()}
    links = tuple(UrlButton(label, url) for label, url in json.loads(row.links))
    created: datetime = row.created_at
    created = created if created.tzinfo else created.replace(tzinfo=UTC)
    return BroadcastInfo(
        id=row.id,
        state=BroadcastState(row.state),
        audience=row.audience,
        message=Message(row.body, links),
        origin=Address(row.origin_platform, row.origin_chat_id),
        locale=row.locale,
        created_by=_address(row.created_by),
        approved_by=_address(row.approved_by),
        created_at=created,
        send_at=_utc(row.send_at),
        total=row.total,
        counts=counts,
    )
