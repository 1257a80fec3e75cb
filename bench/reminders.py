"""Reminders at scale: 1,000,000 planned (chat, event, lead time) rows, 10,000 of them due.

Prints (1) the time one scheduler tick takes to find what is due (the first batch, and all 10,000
in batches), with the same query forced past the partial index (NOT INDEXED) in the same run as
the baseline, and the ratio; (2) peak RSS of a bot process while its scheduler sends those 10,000
reminders through a messenger that drops them, against the same process before the tick; (3) the
time re-planning takes when 100,000 chats subscribe, and when an event is then added (the
re-planning step alone), and apart from it one tick's walk over the announcements that re-planning
made due, which this composition has no platform to send.
Targets: under 50 ms to find what is due; under 150 MB peak RSS while sending.

    .venv/bin/python bench/reminders.py [--rows 1000000] [--due 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import bindparam, text

from bench.figures import Figure, add_json_argument, write
from bot.app import build_core
from bot.core.messages import Address, Reply
from bot.core.ports import Dispatch, PlatformPacing
from bot.core.reminders.plan import event_mark
from bot.core.reminders.values import REMEMBRANCE, EventDraft
from bot.ratelimit import Unlimited
from bot.settings import Settings
from db.stores.events import SqlEventStore, epoch
from db.stores.reminders import DUE_QUERY, SqlPlanStore
from tests.support.fakes import FixedClock
from tests.support.reminders import compose

NOW = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)
EVENTS = 10
FIND_TARGET_MS, RSS_TARGET_MB = 50.0, 150.0
BATCH = 500


PLATFORMS = ("bench",)  # the platform every benchmark chat is on


def settings(path: Path) -> Settings:
    return Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{path}")  # type: ignore[call-arg]


async def create_events(path: Path) -> list[tuple[str, int]]:
    """Ten stored events in the coming weeks, marked as planned so the tick only delivers."""
    core = await build_core(settings(path), clock=FixedClock(NOW), limiter=Unlimited())
    try:
        store = SqlEventStore(core.engine)
        events = []
        for number in range(EVENTS):
            starts = (NOW + timedelta(days=2 + number)).replace(tzinfo=None)
            draft = EventDraft(
                f"Event {number}", starts, starts + timedelta(hours=2), "UTC", "Here", "Come."
            )
            saved = await store.save_draft(draft, None, NOW)
            event = await store.confirm(saved.id, NOW)
            assert event is not None
            events.append((event.id, epoch(event.starts_at), event_mark(event)))
        async with core.engine.begin() as connection:
            for event_id, _, mark in events:
                await connection.execute(
                    text("INSERT INTO reminder_marks (subject, mark) VALUES (:s, :m)"),
                    {"s": event_id, "m": mark},
                )
            await connection.execute(
                text("INSERT INTO reminder_marks (subject, mark) VALUES (:s, :m)"),
                {"s": REMEMBRANCE, "m": f"3-29|{NOW.year}"},
            )
        return [(event_id, starts) for event_id, starts, _ in events]
    finally:
        await core.aclose()


def fill(path: Path, rows: int, due: int, events: list[tuple[str, int]]) -> None:
    """Chats and planned rows, inserted in bulk (no subscriptions, so nothing is re-planned)."""
    chats = rows // EVENTS
    now = epoch(NOW)
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO chats (id, platform, chat_id, kind, active, created_at) "
            "VALUES (?, 'bench', ?, 'private', 1, '2027-01-01 00:00:00')",
            ((n + 1, str(n)) for n in range(chats)),
        )

        def plan_rows():  # type: ignore[no-untyped-def]
            for chat in range(chats):
                for index, (event_id, starts) in enumerate(events):
                    # The first `due` chats' first event is due now; everything else later.
                    is_due = index == 0 and chat < due
                    due_at = now - 60 if is_due else starts - 3600 - (chat % 86_400)
                    key = f"{event_id}:60:{starts}"
                    yield (chat + 1, key, event_id, "event", 60, due_at, starts, "planned")

        db.executemany(
            "INSERT INTO reminder_plan (chat_pk, key, event_id, kind, lead, due_at, stale_at, "
            "state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            plan_rows(),
        )
        db.execute("ANALYZE")


async def find_due(path: Path, due: int, repeats: int) -> dict[str, float]:
    """Milliseconds to find the first batch and all due rows, indexed and not."""
    core = await build_core(settings(path), clock=FixedClock(NOW), limiter=Unlimited())
    plan = SqlPlanStore(core.engine)
    unindexed = text(
        DUE_QUERY.replace(
            "FROM reminder_plan AS p JOIN", "FROM reminder_plan AS p NOT INDEXED JOIN"
        )
    ).bindparams(bindparam("platforms", expanding=True))
    first = {
        "now": epoch(NOW),
        "after_due": -1,
        "after_id": -1,
        "batch": BATCH,
        "platforms": list(PLATFORMS),
    }
    try:
        async with core.engine.connect() as connection:
            explain = await connection.execute(
                text("EXPLAIN QUERY PLAN " + DUE_QUERY).bindparams(
                    bindparam("platforms", expanding=True)
                ),
                first,
            )
            plan_text = " | ".join(str(row[-1]) for row in explain)

        async def first_batch() -> float:
            start = time.perf_counter()
            iterator = plan.due(NOW, BATCH, PLATFORMS)
            batch = await anext(iterator)
            await iterator.aclose()  # type: ignore[attr-defined]
            assert len(batch) == BATCH
            return (time.perf_counter() - start) * 1000

        async def all_due() -> float:
            start = time.perf_counter()
            found = 0
            async for batch in plan.due(NOW, BATCH, PLATFORMS):
                found += len(batch)
            assert found == due, found
            return (time.perf_counter() - start) * 1000

        async def baseline() -> float:
            start = time.perf_counter()
            async with core.engine.connect() as connection:
                rows = (await connection.execute(unindexed, first)).all()
            assert len(rows) == BATCH
            return (time.perf_counter() - start) * 1000

        await first_batch()  # warm the page cache alike for both
        await baseline()
        return {
            "first_ms": statistics.median([await first_batch() for _ in range(repeats)]),
            "all_ms": statistics.median([await all_due() for _ in range(max(3, repeats // 4))]),
            "baseline_ms": statistics.median([await baseline() for _ in range(3)]),
            "plan": plan_text,  # type: ignore[dict-item]
        }
    finally:
        await core.aclose()


class DroppingMessenger:
    """A platform that accepts everything instantly (the cost measured is ours alone)."""

    platform = "bench"
    # Paced far above any platform's limit, so the tick's own cost is what is measured (a real
    # platform's budget would make it 25 a second).
    pacing = PlatformPacing(rate=100_000.0)

    def __init__(self) -> None:
        self.sent = 0

    async def run(self, dispatch: Dispatch) -> None:  # pragma: no cover
        raise NotImplementedError

    async def send(self, address: Address, reply: Reply) -> Sequence[str]:
        self.sent += 1
        return ()

    async def delete(self, address: Address, message_ids: Sequence[str]) -> None:
        pass


async def send_child(path: Path) -> None:
    """In a fresh process: build the bot, note RSS, run one tick that sends everything due."""
    core = await build_core(settings(path), clock=FixedClock(NOW), limiter=Unlimited())
    try:
        messenger = DroppingMessenger()
        reminders = compose(core, {"bench": messenger})
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        report = await reminders.scheduler.tick()
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            json.dumps(
                {
                    "before_kb": before,
                    "peak_kb": peak,
                    "seconds": seconds,
                    "sent": messenger.sent,
                    "report_sent": report.sent,
                }
            )
        )
    finally:
        await core.aclose()


async def main(
    rows: int, due: int, repeats: int, subscribers: int, json_path: Path | None = None
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        start = time.perf_counter()
        events = await create_events(path)
        fill(path, rows, due, events)
        print(f"filled {rows:,} planned rows ({due:,} due) in {time.perf_counter() - start:.1f} s")
        found = await find_due(path, due, repeats)
        print(f"query plan: {found['plan']}")
        print(
            f"find what is due, first batch of {BATCH}: {found['first_ms']:.2f} ms "
            f"(target < {FIND_TARGET_MS:.0f} ms); all {due:,} in batches: {found['all_ms']:.1f} ms"
        )
        print(
            f"baseline, same query NOT INDEXED: {found['baseline_ms']:.1f} ms; "
            f"ratio {found['baseline_ms'] / found['first_ms']:.0f}x faster with the index"
        )
        child = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--send-child", str(path), stdout=asyncio.subprocess.PIPE
        )
        stdout, _ = await child.communicate()
        assert child.returncode == 0
        result = json.loads(stdout.decode().strip().splitlines()[-1])
        assert result["sent"] == due == result["report_sent"], result
        before, peak = result["before_kb"] / 1024, result["peak_kb"] / 1024
        print(
            f"sending {due:,} due reminders: peak RSS {peak:.1f} MB "
            f"(target < {RSS_TARGET_MB:.0f} MB); the same bot process before the tick: "
            f"{before:.1f} MB; ratio {peak / before:.2f}"
        )
        print(
            f"one tick sent {due:,} in {result['seconds']:.1f} s "
            f"({due / result['seconds']:,.0f}/s, claimed in batches, each committed as sending "
            "before any of it went out)"
        )
        replanned, chats_s, event_s, undelivered, walk_s = await replanning(path, subscribers)
    first, baseline = found["first_ms"], found["baseline_ms"]
    write(
        "reminders",
        [
            Figure(
                "find_first_ms",
                f"Find what is due: the first batch of {BATCH}",
                first,
                "ms",
                "same query NOT INDEXED",
                baseline,
                target=f"< {FIND_TARGET_MS:.0f} ms",
                met=first < FIND_TARGET_MS,
                digits=2,
                ratio=baseline / first,
                ratio_format="{:.0f}× faster",
            ),
            Figure(
                "find_all_ms", f"Find all {due:,} due, in batches", found["all_ms"], "ms", digits=1
            ),
            Figure(
                "send_rss_mb",
                f"Peak RSS sending {due:,} due reminders",
                peak,
                "MB",
                "same process before the tick",
                before,
                target=f"< {RSS_TARGET_MB:.0f} MB",
                met=peak < RSS_TARGET_MB,
                digits=1,
            ),
            Figure(
                "send_rate",
                f"One tick sending {due:,} (platform accepts instantly)",
                due / result["seconds"],
                "reminders/s",
            ),
            Figure(
                "replan_rate",
                f"Re-planning {replanned:,} chats that just subscribed",
                replanned / chats_s,
                "chats/s",
            ),
            Figure(
                "replan_s", f"Re-planning {replanned:,} chats, in total", chats_s, "s", digits=1
            ),
            Figure(
                "new_event_s",
                f"A new event for {subscribers:,} subscribed chats",
                event_s,
                "s",
                digits=1,
            ),
            Figure(
                "undelivered_walk_s",
                f"A tick walking {undelivered:,} due rows with no platform to send them",
                walk_s,
                "s",
                digits=1,
            ),
        ],
        json_path,
        notes=[
            f"{rows:,} planned rows ({due:,} due), {subscribers:,} subscribers",
            f"query plan: {found['plan']}",
        ],
    )


async def replanning(path: Path, subscribers: int) -> tuple[int, float, float, int, float]:
    """How long re-planning takes when many chats subscribe, and when an event is added.

    Both are timed around the scheduler's re-planning step alone, driven as `tick()` drives it
    (the stored events read first; again at once while a backlog remains). The bench's events
    were published at NOW, so every subscriber is also planned their announcements, due now;
    this composition has no platform for them, so every tick's delivery would walk them all and
    send none. That walk is not re-planning (before announcements existed it found nothing), so
    it is timed apart, once, as one tick with nothing left to re-plan.
    """
    with sqlite3.connect(path) as db:
        # The triggers queue every one of these chats for re-planning, as /subscribe would.
        db.executemany(
            "INSERT INTO chat_topics (chat_pk, topic) VALUES (?, 'events')",
            ((n + 1,) for n in range(subscribers)),
        )
    clock = FixedClock(NOW)
    core = await build_core(settings(path), clock=clock, limiter=Unlimited())
    try:
        reminders = compose(core, {})
        scheduler = reminders.scheduler

        async def replan() -> tuple[int, float]:
            start = time.perf_counter()
            replanned = 0
            while True:  # as the loop does: ticks follow at once while a backlog remains
                events = await reminders.events.planning(NOW)
                done, backlog = await scheduler._replan(events, NOW)
                replanned += done
                if not backlog:
                    return replanned, time.perf_counter() - start

        replanned, chats_s = await replan()
        starts = (NOW + timedelta(days=30)).replace(tzinfo=None)
        draft = EventDraft("New", starts, starts + timedelta(hours=1), "UTC", "Here", "Come.")
        saved = await reminders.events.save_draft(draft, None, NOW)
        await reminders.events.confirm(saved.id, NOW)
        _, event_s = await replan()
        with sqlite3.connect(path) as db:
            [(due,)] = db.execute(
                "SELECT count(*) FROM reminder_plan WHERE state = 'planned' AND due_at <= ?",
                (epoch(NOW),),
            ).fetchall()
        start = time.perf_counter()
        report = await scheduler.tick()
        walk_s = time.perf_counter() - start
        assert report.replanned == 0 and report.sent == 0, report
        print(
            f"re-planning {replanned:,} chats that just subscribed: {chats_s:.1f} s "
            f"({replanned / chats_s:,.0f} chats/s); a new event for {subscribers:,} "
            f"subscribed chats: {event_s:.1f} s (both once, in the background loop)"
        )
        print(
            f"a tick with nothing to re-plan, walking {due:,} due rows (announcements) "
            f"with no platform to send them: {walk_s:.1f} s"
        )
        return replanned, chats_s, event_s, due, walk_s
    finally:
        await core.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--send-child", type=Path)
    add_json_argument(parser)
    arguments = parser.parse_args()
    if arguments.send_child:
        asyncio.run(send_child(arguments.send_child))
    else:
        asyncio.run(
            main(
                arguments.rows,
                arguments.due,
                arguments.repeats,
                arguments.subscribers,
                arguments.json,
            )
        )
