"""A broadcast, a reminder tick and people's commands at once, on one platform.

A broadcast to 5,000 chats and a tick of 5,000 due reminders to the same 5,000 chats (so the
one-a-second spacing per chat is shared by both streams) run concurrently through the bot's own
services, built by `build_core`, so both draw on its one send budget (25/s). Meanwhile 100
simulated people send, between them, one command a second through the real dispatcher; each
reply goes straight to the same fake platform over the same HTTP path, unpaced, as the adapters
send replies. The fake answers in 150 ms and with 429 whenever more than 30 requests (Telegram's
real overall limit) arrived in the last second, replies included.

Scaled honestly: 10,000 bulk messages at 25/s take 400 s, so the run measures a fixed period
(`--seconds`, default 60) from the first bulk arrival with both queues full at their real size,
and reports rates over that period; what is still queued at its end is not sent.
Targets: zero 429s; the two bulk streams together within 2% of the 25/s budget; no chat sent
two bulk messages within a second; replies' p95 under 1 s (from the command to the reply's
arrival at the fake).

    .venv/bin/python bench/mixed.py [--seconds 60] [--chats 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from bench.figures import Figure, add_json_argument, write
from bench.reminders import NOW, create_events
from bot.adapters.telegram.messenger import TELEGRAM_PACING
from bot.app import Core, build_core
from bot.core.broadcast.values import BroadcastState, Message, NewBroadcast
from bot.core.messages import Address, ChatKind, Request
from bot.core.ports import TryLater
from bot.ratelimit import Unlimited
from bot.settings import Settings
from db.stores.broadcasts import SqlBroadcastStore
from db.stores.events import epoch
from tests.support.broadcast import add_subscribers
from tests.support.fake_platform import FakePlatform, HttpMessenger
from tests.support.fakes import FixedClock

PLATFORM = "telegram"
ORGANIZER = Address("console", "organizer")
BROADCAST_TEXT = "Rally on Saturday"
PERSON = "person-"
LATENCY_S, PLATFORM_CAP = 0.150, 30.0
BUDGET = TELEGRAM_PACING.rate
RATE_TOLERANCE, REPLY_P95_TARGET_S = 0.02, 1.0


async def build(folder: Path, chats: int) -> Core:
    """Ten events (bench/reminders.py's), `chats` subscribed chats each with one reminder due
    now, and a campaign-wide broadcast to all of them, sending."""
    path = folder / "mixed.sqlite3"
    events = await create_events(path)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{path}",
        organizers="console:organizer",  # type: ignore[arg-type]
    )
    core = await build_core(
        settings,
        clock=FixedClock(NOW),
        limiter=Unlimited(),
        broadcast_options={"pacing": {PLATFORM: TELEGRAM_PACING}, "poll_s": 0.2},
    )
    await add_subscribers(core.engine, PLATFORM, [str(n) for n in range(chats)])
    event_id, starts = events[0]
    async with core.engine.begin() as connection:
        # Subscribing queued the chats for re-planning; the plan is written here instead, as
        # bench/reminders.py does, so the tick only delivers.
        await connection.execute(text("DELETE FROM reminder_dirty"))
        await connection.execute(
            text(
                "INSERT INTO reminder_plan (chat_pk, key, event_id, kind, lead, due_at, "
                "stale_at, state) SELECT id, :key, :event, 'event', 60, :due, :starts, "
                "'planned' FROM chats WHERE platform = :platform ORDER BY id"
            ),
            {
                "key": f"{event_id}:60:{starts}",
                "event": event_id,
                "due": epoch(NOW) - 60,
                "starts": starts,
                "platform": PLATFORM,
            },
        )
    store = SqlBroadcastStore(core.engine)
    new = NewBroadcast("events", Message(BROADCAST_TEXT), ORGANIZER, "en", ORGANIZER, None)
    info = await store.create(new, core.deps.clock())
    assert info.total == chats, info.total
    await store.transition(info.id, (BroadcastState.DRAFT,), BroadcastState.SENDING)
    return core


async def people(
    core: Core,
    messenger: HttpMessenger,
    platform: FakePlatform,
    count: int,
    per_second: float,
    latencies: list[float],
    refused: list[int],
) -> None:
    """`count` people who between them send `per_second` commands a second, each answered
    through the dispatcher and sent straight to the platform (unpaced, as adapters reply)."""
    commands = itertools.cycle(("events", "help", "settings"))

    async def one(person: str, command: str) -> None:
        asked = time.monotonic()
        request = Request(command, (), Address(PLATFORM, person), person, ChatKind.PRIVATE, "en")
        reply = await core.dispatcher.dispatch(request)
        assert reply is not None
        try:
            await messenger.send(request.chat, reply)
        except TryLater as error:
            # As the adapters do: the platform's bulk sends wait it out too.
            refused[0] += 1
            if error.retry_after:
                core.budgets.pause(PLATFORM, error.retry_after)
            return
        for arrived, chat_id, _ in reversed(platform.log):
            if chat_id == person:
                latencies.append(arrived - asked)
                return

    tasks: set[asyncio.Task[None]] = set()
    start = time.monotonic()
    for n in itertools.count():
        await asyncio.sleep(max(0.0, start + n / per_second - time.monotonic()))
        task = asyncio.create_task(one(f"{PERSON}{n % count}", next(commands)))
        tasks.add(task)
        task.add_done_callback(tasks.discard)


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


async def main(
    seconds: float, chats: int, persons: int, per_second: float, json_path: Path | None
) -> int:
    with tempfile.TemporaryDirectory() as folder:
        core = await build(Path(folder), chats)
        platform = FakePlatform(latency_s=LATENCY_S, cap=PLATFORM_CAP)
        await platform.start()
        messenger = HttpMessenger(PLATFORM, platform.url, pacing=TELEGRAM_PACING)
        core.outbox[PLATFORM] = messenger
        latencies: list[float] = []
        refused = [0]
        tasks = [
            asyncio.create_task(core.broadcasts.run()),
            asyncio.create_task(core.reminders.run()),
            asyncio.create_task(
                people(core, messenger, platform, persons, per_second, latencies, refused)
            ),
        ]
        first: float | None = None
        while first is None:
            await asyncio.sleep(0.05)
            first = next((t for t, chat, _ in platform.log if not chat.startswith(PERSON)), None)
        await asyncio.sleep(first + seconds - time.monotonic())
        log = [entry for entry in platform.log if first <= entry[0] < first + seconds]
        too_many = platform.too_many
        # Stopped as serve() stops the bot: the sends on their way finish within their grace.
        core.reminders.stop()
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)
        await messenger.aclose()
        await platform.stop()
        await core.aclose()
    return report(seconds, chats, persons, per_second, log, too_many, latencies, json_path)


def report(
    seconds: float,
    chats: int,
    persons: int,
    per_second: float,
    log: list[tuple[float, str, str]],
    too_many: int,
    latencies: list[float],
    json_path: Path | None,
) -> int:
    bulk = [(t, chat, body) for t, chat, body in log if not chat.startswith(PERSON)]
    broadcast = sum(1 for _, _, body in bulk if body == BROADCAST_TEXT)
    reminders = len(bulk) - broadcast
    replies = len(log) - len(bulk)
    rate = len(bulk) / seconds
    share = rate / BUDGET
    by_chat: dict[str, list[float]] = defaultdict(list)
    for t, chat, _ in bulk:
        by_chat[chat].append(t)
    # At the fake, a little jitter on the way is allowed for (the pacer spaces by departure).
    too_close = sum(
        1 for times in by_chat.values() for a, b in itertools.pairwise(times) if b - a < 0.9
    )
    p50, p95 = percentile(latencies, 0.50), percentile(latencies, 0.95)
    scaling = (
        f"{chats:,} + {chats:,} queued (the same chats), measured over {seconds:.0f} s from the "
        f"first bulk arrival (all {2 * chats:,} would take {2 * chats / BUDGET:.0f} s)"
    )
    print(f"mixed load: {scaling}; fake latency {LATENCY_S * 1000:.0f} ms, 429 above 30/s")
    print(f"  429s provoked: {too_many} (target 0)")
    print(
        f"  bulk streams together: {rate:.2f}/s, {share:.1%} of the {BUDGET:.0f}/s budget "
        f"(target within {RATE_TOLERANCE:.0%})"
    )
    print(f"    broadcast: {broadcast:,} sent, {broadcast / seconds:.2f}/s")
    print(f"    reminders: {reminders:,} sent, {reminders / seconds:.2f}/s")
    print(f"  same chat twice within 1 s: {too_close} (target 0)")
    print(
        f"  replies to {persons} people ({per_second:g} commands/s between them): {replies:,}, "
        f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (target p95 < "
        f"{REPLY_P95_TARGET_S * 1000:.0f} ms)"
    )
    figures = [
        Figure(
            "mixed_429",
            "429 answers provoked (cap 30/s, replies included)",
            too_many,
            target="0",
            met=too_many == 0,
        ),
        Figure(
            "bulk_rate",
            "Broadcast + reminders together",
            rate,
            "/s",
            "the bulk budget",
            BUDGET,
            target=f"within {RATE_TOLERANCE:.0%}",
            met=abs(1 - share) <= RATE_TOLERANCE,
            digits=2,
            ratio_format="{:.1%}",
        ),
        Figure(
            "broadcast_rate", f"Broadcast ({broadcast:,} sent)", broadcast / seconds, "/s", digits=2
        ),
        Figure(
            "reminder_rate", f"Reminders ({reminders:,} sent)", reminders / seconds, "/s", digits=2
        ),
        Figure(
            "too_close",
            "Bulk messages to one chat within 1 s",
            too_close,
            target="0",
            met=too_close == 0,
        ),
        Figure("reply_p50_ms", f"Reply p50 ({replies:,} replies)", p50 * 1000, "ms"),
        Figure(
            "reply_p95_ms",
            "Reply p95, command to arrival at the platform",
            p95 * 1000,
            "ms",
            target=f"< {REPLY_P95_TARGET_S * 1000:.0f} ms",
            met=p95 < REPLY_P95_TARGET_S,
        ),
    ]
    notes = [
        scaling,
        f"fake platform latency {LATENCY_S * 1000:.0f} ms, 429 above {PLATFORM_CAP:.0f} in 1 s",
        f"{persons} people sending {per_second:g} commands a second between them",
    ]
    write("mixed", figures, json_path, notes)
    return 1 if any(figure.met is False for figure in figures) else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="measurement period")
    parser.add_argument("--chats", type=int, default=5_000, help="broadcast and reminder size")
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument(
        "--commands", type=float, default=1.0, help="commands a second, all people together"
    )
    add_json_argument(parser)
    arguments = parser.parse_args()
    sys.exit(
        asyncio.run(
            main(
                arguments.seconds,
                arguments.chats,
                arguments.people,
                arguments.commands,
                arguments.json,
            )
        )
    )
