"""Retention by default, through the running background purge on the real clock.

Each test builds the real core with retention periods of seconds and a purge every fraction of a
second, starts `core.retention.run()` as the bot's serve() does, and watches the clock cross the
boundary: records are still there after the event (or broadcast) ended but before its retention
ran out, and gone soon after it did.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from bot.app import Core, build_core, serve
from bot.core.broadcast.values import HERE, BroadcastState, DeliveryState, Message, NewBroadcast
from bot.core.messages import Address, Reply
from bot.core.ports import Dispatch, PlatformPacing, RsvpAnswer
from bot.core.reminders.values import REMEMBRANCE, EventDraft, EventInfo
from bot.core.retention import RetentionPolicy, RetentionService
from bot.core.server_setup import ServerSetup
from bot.ratelimit import Unlimited
from bot.settings import Settings
from db.models.broadcasts import BroadcastRecipientRow
from db.models.chats import Chat, Rsvp
from db.models.events import PlannedReminder, StoredEvent
from db.stores.broadcasts import SqlBroadcastStore
from tests.support.broadcast import add_subscribers
from tests.support.chat import speaker

RETENTION_S = 2.0
PURGE_EVERY_S = 0.2
WAIT_LIMIT_S = 30.0
ALICE = Address("console", "alice")
BOB = Address("console", "bob")


def fast_settings(database_url: str, **retention: timedelta) -> Settings:
    """The purge's own stores on the test's database (SQLite, then PostgreSQL)."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        organizers="console:organizer",  # type: ignore[arg-type]
        purge_interval=timedelta(seconds=PURGE_EVERY_S),
        **retention,
    )


@pytest.fixture
async def running() -> AsyncIterator[Callable[[Settings], Awaitable[Core]]]:
    """`await running(settings)`: the real core on the real clock with its purge running."""
    cores: list[Core] = []
    tasks: list[asyncio.Task[None]] = []

    async def start(settings: Settings) -> Core:
        core = await build_core(settings, limiter=Unlimited())  # the real clock: utc_now
        cores.append(core)
        tasks.append(asyncio.create_task(core.retention.run()))
        return core

    yield start
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for core in cores:
        await core.aclose()


def whole_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


async def sleep_until(moment: datetime) -> None:
    await asyncio.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()))


async def poll(check: Callable[[], Awaitable[bool]]) -> datetime:
    """Wait (bounded) until `check()` holds; when it was first seen to hold."""
    deadline = time.monotonic() + WAIT_LIMIT_S
    while time.monotonic() < deadline:
        if await check():
            return datetime.now(UTC)
        await asyncio.sleep(0.05)
    raise AssertionError(f"still not purged after {WAIT_LIMIT_S} s")


async def count(core: Core, table: type, *where: object) -> int:
    async with core.engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(table).where(*where)))  # type: ignore[arg-type]


async def publish(core: Core, starts: datetime, ends: datetime, title: str) -> EventInfo:
    events = core.deps.events
    draft = EventDraft(
        title, starts.replace(tzinfo=None), ends.replace(tzinfo=None), "UTC", "Square", "Come."
    )
    saved = await events.save_draft(draft, None, datetime.now(UTC))
    event = await events.confirm(saved.id, datetime.now(UTC))
    assert event is not None
    return event


async def reminder_rows(core: Core, chat: Address, event_id: str, kind: str, at: int) -> None:
    """The plan's record that `chat` was reminded of the event (as the scheduler writes it)."""
    async with core.engine.begin() as connection:
        pk = await connection.scalar(
            select(Chat.id).where(Chat.platform == chat.platform, Chat.chat_id == chat.chat_id)
        )
        await connection.execute(
            insert(PlannedReminder).values(
                chat_pk=pk,
                key=f"{event_id}:60:{at}",
                event_id=event_id,
                kind=kind,
                lead=60,
                due_at=at - 60,
                stale_at=at,
                state="sent",
            )
        )


async def test_an_events_rsvps_and_reminder_records_go_after_its_retention_and_not_before(
    database_url: str,
    running: Callable[[Settings], Awaitable[Core]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.core.retention")
    core = await running(
        fast_settings(database_url, retention_after_event=timedelta(seconds=RETENTION_S))
    )
    say = speaker(core.dispatcher.dispatch, chat="alice")
    now = whole_second(datetime.now(UTC))
    # Starts a few seconds out: RSVPs to a started event are refused, and a loaded machine (other
    # suites running beside this one) can take seconds over the four RSVPs.
    rally = await publish(core, now + timedelta(seconds=5), now + timedelta(seconds=6), "Rally")
    later = await publish(
        core, now + timedelta(days=30), now + timedelta(days=30, hours=2), "Vigil"
    )
    for event in (rally, later):
        for who in ("alice", "bob"):
            reply = await say(f"/rsvp {event.id} going", chat=who)
            assert "going" in reply.text.lower(), reply.text
    for who in (ALICE, BOB):
        await reminder_rows(core, who, rally.id, "event", int(rally.starts_at.timestamp()))
        await reminder_rows(core, who, later.id, "event", int(later.starts_at.timestamp()))
    past_remembrance = int((now - timedelta(days=300)).timestamp())
    await reminder_rows(core, ALICE, REMEMBRANCE, "remembrance", past_remembrance)

    def of(event: EventInfo) -> tuple[int, int]:
        return (Rsvp.event_id == event.id, PlannedReminder.event_id == event.id)  # type: ignore[return-value]

    async def rally_records() -> tuple[int, int]:
        rsvps, plan = of(rally)
        return await count(core, Rsvp, rsvps), await count(core, PlannedReminder, plan)

    boundary = rally.ends_at + timedelta(seconds=RETENTION_S)
    # After the rally ended, but before its retention ran out: purges ran and kept everything.
    await sleep_until(boundary - timedelta(seconds=0.6))
    assert await rally_records() == (2, 2)
    ran_in_between = [
        r for r in caplog.records if rally.ends_at.timestamp() < r.created < boundary.timestamp()
    ]
    assert ran_in_between, "the purge did not run between the event's end and its boundary"
    # The remembrance row of a day long past went at the first purge.
    assert await count(core, PlannedReminder, PlannedReminder.event_id == REMEMBRANCE) == 0

    async def rally_gone() -> bool:
        return await rally_records() == (0, 0)

    gone_at = await poll(rally_gone)
    assert gone_at >= boundary
    assert gone_at < boundary + timedelta(seconds=5)
    # The event still ahead keeps its records; nothing but the rally's went.
    rsvps, plan = of(later)
    assert await count(core, Rsvp, rsvps) == 2
    assert await count(core, PlannedReminder, plan) == 2
    assert await core.store.get_rsvp(ALICE, later.id) is RsvpAnswer.GOING
    # Counts only in the log: never a chat or an event.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "2 rsvps" in logged and "2 reminder_records" in logged
    for secret in ("alice", "bob", rally.id, later.id, "Rally"):
        assert secret not in logged


async def test_a_finished_broadcasts_recipient_list_goes_and_its_counts_stay(
    database_url: str, running: Callable[[Settings], Awaitable[Core]]
) -> None:
    core = await running(
        fast_settings(database_url, retention_broadcast_recipients=timedelta(seconds=RETENTION_S))
    )
    await add_subscribers(core.engine, "console", ["s1", "s2", "s3"])
    store = SqlBroadcastStore(core.engine)
    organizer = Address("console", "organizer")

    async def broadcast(audience: str) -> int:
        new = NewBroadcast(
            audience, Message("Write to your MP"), organizer, "en", organizer, None, organizer
        )
        info = await store.create(new, datetime.now(UTC))
        assert await store.transition(info.id, [BroadcastState.DRAFT], BroadcastState.SENDING)
        return info.id

    done, sending = await broadcast("events"), await broadcast(HERE)
    async with core.engine.connect() as connection:
        rows = (
            await connection.execute(
                select(BroadcastRecipientRow.id).where(BroadcastRecipientRow.broadcast_id == done)
            )
        ).scalars()
        ids = list(rows)
    await store.mark(ids[0], DeliveryState.SENT, 1)
    await store.mark(ids[1], DeliveryState.SENT, 1)
    await store.mark(ids[2], DeliveryState.GONE, 1)
    await store.aclose()
    # The database's trigger stamps when it finished (whole seconds, rounded down).
    finished = datetime.now(UTC)
    assert await store.transition(done, [BroadcastState.SENDING], BroadcastState.DONE)
    expected = {DeliveryState.SENT: 2, DeliveryState.GONE: 1}

    def recipients(broadcast_id: int) -> Awaitable[int]:
        return count(
            core, BroadcastRecipientRow, BroadcastRecipientRow.broadcast_id == broadcast_id
        )

    boundary = finished + timedelta(seconds=RETENTION_S)
    await sleep_until(boundary - timedelta(seconds=0.6))
    assert await recipients(done) == 3
    info = await store.get(done)
    assert info is not None and dict(info.counts) == expected

    async def list_gone() -> bool:
        return await recipients(done) == 0

    gone_at = await poll(list_gone)
    assert gone_at >= boundary
    # Only the counts are left, and read exactly as before.
    info = await store.get(done)
    assert info is not None and dict(info.counts) == expected and info.total == 3
    recent = await store.recent(None, 10)
    assert [dict(i.counts) for i in recent if i.id == done] == [expected]
    # A broadcast still sending keeps its list, however old.
    assert await recipients(sending) == 1


async def test_drafts_go_after_their_retention(
    database_url: str, running: Callable[[Settings], Awaitable[Core]]
) -> None:
    core = await running(
        fast_settings(database_url, retention_drafts=timedelta(seconds=RETENTION_S))
    )
    start = whole_second(datetime.now(UTC)) + timedelta(days=3)
    draft = EventDraft(
        "Vigil",
        start.replace(tzinfo=None),
        start.replace(tzinfo=None, hour=23),
        "UTC",
        "Square",
        "Come.",
    )
    created = datetime.now(UTC)
    saved = await core.deps.events.save_draft(draft, None, created)
    organizer = Address("console", "organizer")
    bc = await SqlBroadcastStore(core.engine).create(
        NewBroadcast(HERE, Message("Hello"), organizer, "en", organizer, None, organizer),
        created,
    )

    async def drafts() -> tuple[int, int]:
        events = await count(core, StoredEvent, StoredEvent.status == "draft")
        broadcasts = 1 if await SqlBroadcastStore(core.engine).get(bc.id) else 0
        return events, broadcasts

    boundary = created + timedelta(seconds=RETENTION_S)
    await sleep_until(boundary - timedelta(seconds=0.6))
    assert await drafts() == (1, 1)
    assert await core.deps.events.get_draft(saved.id, datetime.now(UTC)) is not None

    async def gone() -> bool:
        return await drafts() == (0, 0)

    assert await poll(gone) >= boundary


class FailingOnce:
    """A store whose first purge fails, as a locked database would."""

    def __init__(self) -> None:
        self.calls = 0

    async def purge_event_records(self, ended_before: datetime) -> dict[str, int]:
        self.calls += 1
        if self.calls == 1:
            raise OSError(f"database is locked for {ALICE.chat_id}")  # a value, as in production
        return {"rsvps": 1}

    async def purge_broadcast_recipients(self, finished_before: datetime) -> dict[str, int]:
        return {}

    async def purge_drafts(self, created_before: datetime, now: datetime) -> dict[str, int]:
        return {}

    async def purge_inactive_chats(self) -> dict[str, int]:
        return {}


async def test_a_failing_purge_is_logged_and_retried_and_never_ends_the_loop(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = FailingOnce()
    service = RetentionService(
        store, lambda: datetime.now(UTC), RetentionPolicy(), interval=timedelta(seconds=0.01)
    )
    task = asyncio.create_task(service.run())

    async def retried() -> bool:
        return store.calls >= 3

    await poll(retried)
    assert not task.done()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failures and "OSError" in failures[0].getMessage()
    assert "alice" not in caplog.text


class Watcher:
    """A platform that serves until it has seen the purge delete an expired draft."""

    platform = "console"

    def __init__(self, core: Core) -> None:
        self.pacing = PlatformPacing()
        self._core = core
        self.seen_purged = False

    async def run(self, dispatch: Dispatch) -> None:
        async def no_drafts() -> bool:
            return await count(self._core, StoredEvent, StoredEvent.status == "draft") == 0

        await poll(no_drafts)
        self.seen_purged = True

    async def send(self, address: Address, reply: Reply) -> Sequence[str]:  # pragma: no cover
        raise NotImplementedError

    async def delete(
        self, address: Address, message_ids: Sequence[str]
    ) -> None:  # pragma: no cover
        raise NotImplementedError


async def test_serve_runs_the_purge_beside_reminders_and_broadcasts(database_url: str) -> None:
    settings = fast_settings(database_url, retention_drafts=timedelta(seconds=1))
    core = await build_core(settings, limiter=Unlimited())
    start = whole_second(datetime.now(UTC)) + timedelta(days=3)
    draft = EventDraft(
        "Vigil", start.replace(tzinfo=None), start.replace(tzinfo=None), "UTC", "Square", "Come."
    )
    await core.deps.events.save_draft(draft, None, datetime.now(UTC))
    watcher = Watcher(core)
    # serve() closes the core when its platforms end.
    await asyncio.wait_for(serve(core, [watcher]), WAIT_LIMIT_S + 5)
    assert watcher.seen_purged


async def test_chats_an_older_version_only_switched_off_are_erased_by_the_purge(
    database_url: str, running: Callable[[Settings], Awaitable[Core]]
) -> None:
    core = await running(fast_settings(database_url))
    say = speaker(core.dispatcher.dispatch, chat="left-long-ago")
    await say("/subscribe events")
    await say("/subscribe events", chat="still-here")
    await core.server_setups.save_setup(
        ServerSetup("console", "server", "announce", frozenset({"events"}))
    )
    await say("/subscribe events", chat="announce")
    # As an older version left them: switched off, not erased.
    await core.store.set_active(Address("console", "left-long-ago"), False)
    await core.store.set_active(Address("console", "announce"), False)
    assert await core.store.get_chat(Address("console", "left-long-ago"))  # read, so cached

    async def remaining() -> set[str]:
        async with core.engine.connect() as connection:
            return set((await connection.scalars(select(Chat.chat_id))).all())

    deadline = time.monotonic() + 20
    while "left-long-ago" in await remaining():
        assert time.monotonic() < deadline, "the purge never erased the switched-off chat"
        await asyncio.sleep(0.2)
    # The others stay: an active chat, and an announcement channel whose admins must be told.
    assert await remaining() == {"still-here", "announce"}
    # Back after the purge, the chat starts afresh: nothing of its erased row is remembered.
    again = await say("/subscribe petitions")
    assert "petitions" in again.text.lower()
    assert "left-long-ago" in await remaining()
    prefs = await core.store.get_chat(Address("console", "left-long-ago"))
    assert prefs is not None and prefs.topics == frozenset({"petitions"})
