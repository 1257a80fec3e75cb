"""Three `allybot run` processes on one PostgreSQL database, one of them killed and restarted.

The real processes against the fake Bot API (100 to 300 ms a call) and a real PostgreSQL server
started by the test run: one serves Telegram's updates and can send (`--role telegram,sender`
by ROLES), two only send (`sender`). 10,000 supporters follow the events topic; 5,000 of them
want a reminder 5 minutes before an event that starts a few minutes from now. The organizer
broadcasts a rally to all 10,000 through the paid lane; meanwhile the 5,000 reminders come due.

At seeded moments, once during the broadcast and once during the reminders, whichever process
holds the sender lease is SIGKILLed, then started again. At the end:
- every supporter got the broadcast; copies beyond one are at most the claims the killed
  processes had in flight (counted in the database right after each kill) and the new holder
  logged them as queued again;
- every reminder went out once, except those claimed when a process was killed: reminders are
  at most once, so those count as unconfirmed, are logged, and none went out twice;
- no two processes ever held the sender lease at once (their logs' terms, a kill ending one),
  and the fake saw about the configured rate in any second on the paid lane (within a quarter:
  it reads requests late when the test's loop is busy, and they bunch) and never more than
  Telegram's 30 on the free one, although three processes could send.

This test takes about four minutes of wall time: 5,000 reminders at Telegram's free rate.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_core
from bot.core.reminders.values import EventDraft
from bot.settings import Settings
from db.session import create_engine, upgrade
from tests.adapters.telegram.fake_server import ORGANIZER, FakeTelegram, private_chat, user
from tests.e2e.conftest import BotProcess
from tests.e2e.people import button_data, eventually, pause
from tests.support.broadcast import add_subscribers
from tests.support.fakes import FixedClock
from tests.support.postgres import Server

pytestmark = pytest.mark.timeout(900)

SEED = 1507
SUPPORTERS = 10_000
REMINDED = 5_000
FIRST_ID = 6_100_000_000
PAID_RATE = 100
FREE_CAP = 30  # Telegram's own limit on the free lane, replies included
ARRIVAL_JITTER = 1.25
LEASE_S = 6
RALLY = "Rally at the embassy on Saturday, 14:00. Bring a friend and a sign."
# The event's title: only its reminders name it (it is no longer news, so no announcement).
REMINDER = "Vigil"
ROLES = ("telegram,sender", "sender", "sender")


class Process(BotProcess):
    """A bot process that is ready once it polls (telegram role) or once it can send."""

    def __init__(self, fake: FakeTelegram, cwd: Path, url: str, roles: str) -> None:
        settings = {
            "ROLES": roles,
            "BROADCAST_TELEGRAM_PAID": "true",
            "BROADCAST_TELEGRAM_RATE": str(PAID_RATE),
            "BROADCAST_SECOND_APPROVAL_ABOVE": str(SUPPORTERS * 2),
            "SENDER_LEASE_SECONDS": str(LEASE_S),
        }
        super().__init__(fake, url, cwd, settings=settings)
        self.roles = roles
        self.killed_at: list[datetime] = []

    def terms(self) -> list[tuple[datetime, datetime]]:
        """When this process held the sender lease, from its own log: each term from "now runs"
        to "stopped", or to the SIGKILL that ended it."""
        terms, started, kills = [], None, iter(self.killed_at)
        for line in self.stderr.splitlines():
            if " lease sender: " not in line:
                continue
            at = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
            if "now runs the background services" in line:
                if started is not None:  # killed while leading: its log just stops
                    terms.append((started, next(kills)))
                started = at
            elif "background services stopped" in line and started is not None:
                terms.append((started, at))
                started = None
        if started is not None:
            terms.append((started, next(kills, datetime.now())))
        return terms

    async def _ready(self, polls: int) -> None:
        if "telegram" in self.roles:
            await super()._ready(polls)
            return
        await eventually(lambda: "Telegram: sending only" in self.stderr, within=30)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


async def stop(process: Process) -> int:
    """SIGTERM, and the exit code; a stop mid-tick finishes the sends on their way first."""
    if process.process is None:
        return 0
    if process.process.returncode is not None:
        await process._drain()
        return process.process.returncode
    try:
        code, _ = await process.stop(within=45.0)
    except TimeoutError:
        await process.kill()
        return -1
    return code


async def until(check: Callable[[], bool], within: float) -> None:
    """Poll `check` twice a second: the fake's own wait would run it on every one of 15,000
    messages, each time over all of them."""
    for _ in range(int(within * 2)):
        if check():
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"not within {within} s")


def supporter(chat_id: int) -> bool:
    return FIRST_ID <= chat_id < FIRST_ID + SUPPORTERS


def reached(fake: FakeTelegram, words: str) -> Counter[int]:
    """How many messages containing `words` each supporter got."""
    return Counter(s.chat_id for s in fake.sent if supporter(s.chat_id) and words in (s.text or ""))


def busiest_second(times: list[float]) -> int:
    """The most calls in any one-second window."""
    times.sort()
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def seed(url: str) -> None:
    """The event (published seven hours ago, so it is no longer news to announce) and the
    supporters, as if they had subscribed over the past weeks."""
    now = datetime.now(UTC)
    settings = Settings(_env_file=None, database_url=url)
    core = await build_core(settings, clock=FixedClock(now - timedelta(hours=7)))
    try:
        starts = (now + timedelta(minutes=5, seconds=50)).replace(tzinfo=None)
        draft = EventDraft(REMINDER, starts, starts + timedelta(hours=1), "UTC", "Square", "Come.")
        saved = await core.deps.events.save_draft(draft, None, now - timedelta(hours=7))
        assert await core.deps.events.confirm(saved.id, now - timedelta(hours=7)) is not None
    finally:
        await core.aclose()
    engine = create_engine(url)
    try:
        ids = [FIRST_ID + n for n in range(SUPPORTERS)]
        await add_subscribers(engine, "telegram", [str(i) for i in ids if i % 2], locale="en")
        await add_subscribers(engine, "telegram", [str(i) for i in ids if not i % 2], locale="ru")
        async with engine.begin() as connection:
            # Russian-language chats would be discreet by default: these chose plain messages.
            await connection.execute(
                text("UPDATE chats SET discreet = false, timezone = 'Europe/Berlin'")
            )
            await connection.execute(
                text(
                    "INSERT INTO reminder_leads (chat_pk, leads) SELECT id, CASE WHEN "
                    "CAST(chat_id AS BIGINT) < :cut THEN '5' ELSE '' END FROM chats"
                ),
                {"cut": FIRST_ID + REMINDED},
            )
    finally:
        await engine.dispose()


async def scalar(engine: AsyncEngine, sql: str) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text(sql))).scalar() or 0)


@pytest.fixture
async def database(postgres: Server) -> AsyncIterator[str]:
    name = postgres.fresh_database()
    url = postgres.url(name)
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    yield url
    postgres.drop_database(name)


async def test_three_processes_share_one_database_through_kills(
    fake: FakeTelegram, database: str, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    for n in range(SUPPORTERS):
        person = user(FIRST_ID + n, "en" if n % 2 else "ru", f"S{n}")
        fake.chats[FIRST_ID + n] = private_chat(person)
    await seed(database)
    processes = [Process(fake, tmp_path, database, roles) for roles in ROLES]
    watcher = create_engine(database)
    kills: list[tuple[int, int, int]] = []  # (pid, broadcast claims, reminder claims) in flight

    async def leader() -> Process:
        async with asyncio.timeout(LEASE_S * 4):
            while True:
                async with watcher.connect() as connection:
                    holder = (
                        await connection.execute(
                            text("SELECT holder FROM leases WHERE expires_at > :now"),
                            {"now": int(time.time())},
                        )
                    ).scalar()
                for process in processes:
                    if holder and f":{process.pid}:" in holder:
                        return process
                await asyncio.sleep(0.2)

    async def kill_the_leader() -> None:
        process = await leader()
        await process.kill()
        process.killed_at.append(datetime.now())  # the log's own clock: local, naive
        mine = f"'%:{process.pid}:%'"
        claimed = await scalar(
            watcher,
            "SELECT count(*) FROM broadcast_recipients "
            f"WHERE state = 'sending' AND claimed_by LIKE {mine}",
        )
        reminders = await scalar(
            watcher,
            "SELECT count(*) FROM reminder_plan "
            f"WHERE state = 'sending' AND claimed_by LIKE {mine}",
        )
        kills.append((process.pid, claimed, reminders))
        await process.start()  # back as a standby: the lease has another holder by now, or soon

    try:
        for process in processes:
            await process.start()
        # The organizer broadcasts to all 10,000 through the paid lane.
        exact, preview = await fake.say(
            private_chat(ORGANIZER), ORGANIZER, f"/broadcast events {RALLY}", count=2
        )
        assert exact.text == RALLY
        await pause()
        await fake.tap(preview, button_data(preview, "bcsend"), ORGANIZER)
        # Kill the sender somewhere in the fan-out's first half.
        at = rng.randint(SUPPORTERS // 10, SUPPORTERS // 2)
        await until(lambda: sum(reached(fake, RALLY).values()) >= at, within=120)
        await kill_the_leader()
        try:
            await until(lambda: len(reached(fake, RALLY)) == SUPPORTERS, within=180)
        except AssertionError:
            async with watcher.connect() as connection:
                states = (
                    await connection.execute(
                        text("SELECT state, count(*) FROM broadcast_recipients GROUP BY state")
                    )
                ).all()
                broadcasts = (
                    await connection.execute(text("SELECT id, state, total FROM broadcasts"))
                ).all()
            copies = reached(fake, RALLY)
            raise AssertionError(
                f"{len(copies)} reached, {sum(copies.values())} copies; rows {states}; "
                f"broadcasts {broadcasts}"
            ) from None
        # The reminders, due about 50 s after the start: kill the sender again among them.
        at = rng.randint(REMINDED // 10, REMINDED // 2)
        await until(lambda: sum(reached(fake, REMINDER).values()) >= at, within=240)
        await kill_the_leader()

        async def settled() -> bool:
            left = await scalar(
                watcher,
                "SELECT count(*) FROM reminder_plan WHERE state IN ('planned', 'sending')",
            )
            return left == 0

        for _ in range(360):
            if await settled():
                break
            await asyncio.sleep(1.0)
        else:
            raise AssertionError("reminders still planned or sending after 6 minutes")
        await asyncio.sleep(3.0)  # the last outcomes' messages are already at the fake
    finally:
        codes = await asyncio.gather(*(stop(process) for process in processes))
        await watcher.dispose()
        logs = "".join(process.stderr for process in processes)
        (tmp_path / "processes.log").write_text(logs)  # for a failure's post-mortem
    assert codes == [0, 0, 0], logs[-3000:]
    assert not any(process.secrets_in_stderr() for process in processes)

    # The broadcast: everyone, and repeats only of the claims a kill cut short.
    copies = reached(fake, RALLY)
    assert len(copies) == SUPPORTERS
    broadcast_in_flight = sum(claimed for _, claimed, _ in kills)
    assert sum(copies.values()) - SUPPORTERS <= broadcast_in_flight, kills
    requeued = [
        int(n) for n in re.findall(r"broadcast: (\d+) deliveries claimed by a stopped", logs)
    ]
    assert sum(requeued) == broadcast_in_flight, (requeued, kills)

    # The reminders: at most once each; those a kill cut short are counted and logged.
    reminded = reached(fake, REMINDER)
    assert max(reminded.values()) == 1
    assert max(reminded) < FIRST_ID + REMINDED  # only those who asked for reminders
    reminders_in_flight = sum(reminders for _, _, reminders in kills)
    engine = create_engine(database)
    try:
        sent = await scalar(engine, "SELECT count(*) FROM reminder_plan WHERE state = 'sent'")
        unconfirmed = await scalar(
            engine, "SELECT count(*) FROM reminder_plan WHERE state = 'unconfirmed'"
        )
    finally:
        await engine.dispose()
    assert sent + unconfirmed == REMINDED
    assert unconfirmed == reminders_in_flight, kills
    assert REMINDED - unconfirmed <= len(reminded) <= REMINDED
    if unconfirmed:
        assert f"{unconfirmed} reminders were being sent when a sender stopped" in logs

    # One sender at a time: never above the configured rate, lane by lane.
    calls = [c for c in fake.calls_to("sendMessage") if supporter(int(c.params["chat_id"]))]
    paid = [c.at for c in calls if c.params.get("allow_paid_broadcast")]
    free = [c.at for c in fake.calls_to("sendMessage") if not c.params.get("allow_paid_broadcast")]
    # One sender at a time, from the processes' own logs: no two lease terms overlap.
    terms = sorted(term for process in processes for term in process.terms())
    assert len(terms) >= 3, terms  # the first holder, and a new one after each kill
    assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(terms)), terms
    # And where the requests land: each sender departs at most the rate in any 1.01 s (the
    # pacer's own window); on this loaded 2-core machine the fake, which shares the test's event
    # loop, reads some late and they bunch with the next ones. Two senders at once would show
    # twice the rate.
    assert busiest_second(paid) <= PAID_RATE * ARRIVAL_JITTER
    assert busiest_second(free) <= FREE_CAP
    assert "Traceback" not in logs
