"""Leases and claims on SQLite and on a real PostgreSQL: one holder at a time, on the database's
clock; a claim only while holding the lease; recovery only of other processes' claims."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.broadcast.values import HERE, Message, NewBroadcast
from bot.core.leadership import SENDER, Leadership
from bot.core.messages import Address
from db.models.chats import Chat
from db.models.events import PlannedReminder
from db.stores.broadcasts import R, SqlBroadcastStore
from db.stores.leases import Claimant, SqlLeases
from db.stores.reminders import SqlPlanStore

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture
async def opened() -> AsyncIterator[list[SqlLeases]]:
    """Every lease store a test opens, closed at its end (each keeps a connection)."""
    stores: list[SqlLeases] = []
    yield stores
    for store in stores:
        await store.aclose()


def keep(opened: list[SqlLeases], store: SqlLeases) -> SqlLeases:
    opened.append(store)
    return store


async def test_one_holder_at_a_time_until_it_expires_or_is_given_up(
    engine: AsyncEngine, opened: list[SqlLeases]
) -> None:
    leases = keep(opened, SqlLeases(engine))
    assert await leases.hold(SENDER, "a", 2)
    assert not await leases.hold(SENDER, "b", 30)
    assert await leases.hold(SENDER, "a", 2)  # renewed by its holder
    await asyncio.sleep(3.1)  # the database's clock, whole seconds: past the 2 s
    assert await leases.hold(SENDER, "b", 30)
    assert not await leases.hold(SENDER, "a", 30)
    await leases.release(SENDER, "a")  # not the holder: changes nothing
    assert not await leases.hold(SENDER, "a", 30)
    await leases.release(SENDER, "b")
    assert await leases.hold(SENDER, "a", 30)


async def test_many_processes_racing_for_a_free_lease_get_one_holder(
    engine: AsyncEngine, opened: list[SqlLeases]
) -> None:
    leases = [keep(opened, SqlLeases(engine)) for _ in range(8)]
    won = await asyncio.gather(*(lease.hold(SENDER, f"p{i}", 30) for i, lease in enumerate(leases)))
    assert sum(won) == 1


async def _recipients(engine: AsyncEngine, store: SqlBroadcastStore, count: int) -> list[int]:
    info = await store.create(
        NewBroadcast(
            audience=HERE,
            message=Message("Rally on Saturday", ()),
            origin=Address("console", "organizer"),
            locale="en",
            created_by=None,
            send_at=None,
            target=Address("console", "group"),
        ),
        NOW,
    )
    async with engine.begin() as connection:
        await connection.execute(
            insert(R),
            [
                {
                    "broadcast_id": info.id,
                    "platform": "console",
                    "chat_id": str(n),
                    "state": "queued",
                    "attempts": 0,
                }
                for n in range(count - 1)
            ],
        )
        rows = await connection.execute(select(R.c.id).where(R.c.broadcast_id == info.id))
        return sorted(row.id for row in rows)


async def test_a_claim_needs_the_lease_and_takes_a_row_once(
    engine: AsyncEngine, opened: list[SqlLeases]
) -> None:
    leases = keep(opened, SqlLeases(engine))
    holder = SqlBroadcastStore(engine, Claimant("a", SENDER))
    other = SqlBroadcastStore(engine, Claimant("b", SENDER))
    ids = await _recipients(engine, holder, 10)
    assert await other.claim(ids) == set()  # nobody holds the lease yet
    assert await leases.hold(SENDER, "a", 30)
    assert await other.claim(ids) == set()  # "b" does not hold it
    assert await holder.claim(ids[:6]) == set(ids[:6])
    await leases.release(SENDER, "a")
    assert await leases.hold(SENDER, "b", 30)
    assert await holder.claim(ids[6:]) == set()  # deposed: fenced out at once
    # "a"'s claims are not "b"'s to take until they are recovered.
    assert await other.claim(ids) == set(ids[6:])
    await holder.aclose()
    await other.aclose()


async def test_recovery_puts_back_only_other_processes_claims(
    engine: AsyncEngine, opened: list[SqlLeases]
) -> None:
    leases = keep(opened, SqlLeases(engine))
    a = SqlBroadcastStore(engine, Claimant("a", SENDER))
    b = SqlBroadcastStore(engine, Claimant("b", SENDER))
    ids = await _recipients(engine, a, 6)
    assert await leases.hold(SENDER, "a", 30)
    await a.claim(ids[:3])
    await leases.release(SENDER, "a")
    assert await leases.hold(SENDER, "b", 30)
    await b.claim(ids[3:])
    assert await b.recover() == 3  # a's, put back; b's own in flight untouched
    async with engine.connect() as connection:
        states = dict(
            (await connection.execute(select(R.c.id, R.c.state).where(R.c.id.in_(ids)))).all()
        )
    assert [states[i] for i in ids[:3]] == ["queued"] * 3
    assert [states[i] for i in ids[3:]] == ["sending"] * 3
    await a.aclose()
    await b.aclose()


async def test_reminders_are_claimed_under_the_lease_and_recovered_by_owner(
    engine: AsyncEngine, opened: list[SqlLeases]
) -> None:
    async with engine.begin() as connection:
        chat = await connection.execute(
            insert(Chat)
            .values(platform="console", chat_id="c1", kind="private", created_at=NOW)
            .returning(Chat.id)
        )
        chat_pk = chat.scalar_one()
        for n in range(4):
            await connection.execute(
                insert(PlannedReminder).values(
                    chat_pk=chat_pk,
                    key=f"k{n}",
                    event_id="e",
                    kind="event",
                    lead=60,
                    due_at=0,
                    stale_at=2**31 - 1,
                    state="planned",
                )
            )
        ids = [r.id for r in await connection.execute(select(PlannedReminder.id))]
    leases = keep(opened, SqlLeases(engine))
    a = SqlPlanStore(engine, Claimant("a", SENDER))
    b = SqlPlanStore(engine, Claimant("b", SENDER))
    assert await a.claim(ids) == set()
    assert await leases.hold(SENDER, "a", 30)
    assert await a.claim(ids[:2]) == set(ids[:2])
    assert await b.claim(ids) == set()
    await leases.release(SENDER, "a")
    assert await leases.hold(SENDER, "b", 30)
    assert await b.claim(ids[2:]) == set(ids[2:])
    assert await b.recover() == 2  # a's two: unconfirmed, at most once
    assert (await b.counts()) == {"unconfirmed": 2, "sending": 2}


async def test_leadership_passes_to_a_standby_when_the_holder_stops(
    engine: AsyncEngine, opened: list[SqlLeases]
) -> None:
    """Two processes' leadership loops on one database: one leads; when it stops, the other
    leads within a renewal."""
    led: list[str] = []
    first_stop, second_stop = asyncio.Event(), asyncio.Event()

    def lead_as(name: str):  # type: ignore[no-untyped-def]
        async def lead(stepping_down: asyncio.Event) -> None:
            led.append(name)
            await stepping_down.wait()
            led.append(f"{name} stopped")

        return lead

    first = Leadership(keep(opened, SqlLeases(engine)), "first", renew_s=0.2)
    second = Leadership(keep(opened, SqlLeases(engine)), "second", renew_s=0.2)
    one = asyncio.create_task(first.run(lead_as("first"), first_stop))
    await asyncio.sleep(0.5)
    two = asyncio.create_task(second.run(lead_as("second"), second_stop))
    await asyncio.sleep(1.0)
    assert led == ["first"] and first.leading and not second.leading
    first_stop.set()
    await one
    await asyncio.sleep(1.0)  # the standby tries every 0.2 s
    assert second.leading
    second_stop.set()
    await two
    assert led == ["first", "first stopped", "second", "second stopped"]
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM leases"))).scalar() == 0
