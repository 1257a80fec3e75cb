"""Broadcast fan-out against a fake platform server with 30 ms latency.

1. Queueing: 100,000 recipients written with the broadcast in one transaction (INSERT ...
   SELECT); baseline in the same run: the same rows sent from Python with executemany.
   Target < 5 s, peak RSS < 150 MB (measured first, in a fresh process state).
2. Paced (--paced, ~100 s): 2,500 recipients at the 25/s cap; the fake answers 429 whenever
   more than 25 arrive in any 1 s window. Target: within 2% of the cap, zero 429s.
3. Ceiling: the cap raised to 1,000/s, with one send in flight per platform (the durable
   default) and with 32; baseline in the same run: the bare HTTP messenger in a loop, no
   database, same concurrency.

    .venv/bin/python bench/broadcast.py [--paced]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from bench.figures import Figure, add_json_argument, write
from bot.adapters.telegram.messenger import TELEGRAM_PACING
from bot.app import Core, build_core
from bot.core.broadcast.service import BroadcastService
from bot.core.broadcast.values import BroadcastState, DeliveryState, Message, NewBroadcast
from bot.core.messages import Address, Reply
from bot.core.ports import PlatformPacing
from bot.ratelimit import Unlimited
from bot.settings import Settings
from db.models.broadcasts import BroadcastRecipientRow
from db.models.chats import Chat, ChatTopic
from db.stores.broadcasts import SqlBroadcastStore
from tests.support.broadcast import add_subscribers
from tests.support.fake_platform import FakePlatform, HttpMessenger

PLATFORM = "telegram"
ORGANIZER = Address("console", "organizer")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def core_in(folder: str, name: str) -> Core:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{folder}/{name}.sqlite3",
        organizers="console:organizer",  # type: ignore[arg-type]
    )
    return await build_core(settings, limiter=Unlimited())


def new_broadcast() -> NewBroadcast:
    return NewBroadcast("events", Message("Rally on Saturday"), ORGANIZER, "en", ORGANIZER, None)


async def subscribers(core: Core, count: int) -> None:
    for start in range(0, count, 20_000):
        ids = [str(i) for i in range(start, min(count, start + 20_000))]
        await add_subscribers(core.engine, PLATFORM, ids)


async def queueing(folder: str, count: int) -> list[Figure]:
    core = await core_in(folder, "queue")
    await subscribers(core, count)
    rss_before = peak_rss_mb()
    store = SqlBroadcastStore(core.engine)
    started = time.perf_counter()
    info = await store.create(new_broadcast(), core.deps.clock())
    ours = time.perf_counter() - started
    rss = peak_rss_mb()
    assert info.total == count

    # Baseline: read the recipients into Python and write them back with executemany.
    started = time.perf_counter()
    async with core.engine.begin() as connection:
        pks = (
            (
                await connection.execute(
                    select(Chat.id)
                    .join(ChatTopic, ChatTopic.chat_pk == Chat.id)
                    .where(ChatTopic.topic == "events")
                )
            )
            .scalars()
            .all()
        )
        await connection.execute(
            insert(BroadcastRecipientRow),
            [
                {
                    "broadcast_id": info.id,
                    "chat_pk": pk,
                    "platform": PLATFORM,
                    "state": "queued",
                    "attempts": 0,
                }
                for pk in pks
            ],
        )
    baseline = time.perf_counter() - started
    await core.aclose()
    print(
        f"queue {count:,} recipients in one transaction: {ours:.2f} s "
        f"(target < 5 s; executemany baseline {baseline:.2f} s, ratio {baseline / ours:.1f}x)"
    )
    print(f"  peak RSS {rss:.0f} MB (target < 150 MB; {rss_before:.0f} MB before queueing)")
    return [
        Figure(
            "queue_s",
            f"Queue {count:,} recipients with the broadcast, one transaction",
            ours,
            "s",
            "executemany from Python",
            baseline,
            target="< 5 s",
            met=ours < 5,
            digits=2,
            ratio=baseline / ours,
            ratio_format="{:.1f}× faster",
        ),
        Figure(
            "queue_rss_mb",
            "Peak RSS of the whole benchmark process while queueing",
            rss,
            "MB",
            "before queueing",
            rss_before,
            target="< 150 MB",
            met=rss < 150,
        ),
    ]


async def fan_out(
    folder: str,
    name: str,
    count: int,
    pacing: PlatformPacing,
    in_flight: int,
    latency_s: float,
    cap: float | None,
) -> tuple[float, int, float]:
    """(messages a second between the first and last arrival, 429s, wall seconds)."""
    core = await core_in(folder, name)
    await subscribers(core, count)
    platform = FakePlatform(latency_s=latency_s, cap=cap)
    await platform.start()
    messenger = HttpMessenger(PLATFORM, platform.url)
    store = SqlBroadcastStore(core.engine)
    service = BroadcastService(
        store,
        {PLATFORM: messenger},
        core.translator,
        core.deps.clock,
        core.chat_events,
        pacing={PLATFORM: pacing},
        in_flight=in_flight,
        poll_s=0.2,
    )
    info = await store.create(new_broadcast(), core.deps.clock())
    await store.transition(info.id, (BroadcastState.DRAFT,), BroadcastState.SENDING)
    started = time.perf_counter()
    task = asyncio.create_task(service.run())
    while True:
        await asyncio.sleep(0.2)
        current = await store.get(info.id)
        assert current is not None
        if current.remaining == 0:
            break
    wall = time.perf_counter() - started
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert current.counts.get(DeliveryState.SENT) == count, current.counts
    arrivals = platform.arrivals
    rate = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
    await messenger.aclose()
    await platform.stop()
    await core.aclose()
    return rate, platform.too_many, wall


async def bare(count: int, in_flight: int, latency_s: float) -> float:
    """The HTTP messenger alone, no database and no pacing: messages a second."""
    platform = FakePlatform(latency_s=latency_s)
    await platform.start()
    messenger = HttpMessenger(PLATFORM, platform.url)
    reply = Reply("Rally on Saturday")
    slots = asyncio.Semaphore(in_flight)

    async def one(i: int) -> None:
        async with slots:
            await messenger.send(Address(PLATFORM, str(i)), reply)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    rate = count / (time.perf_counter() - started)
    await messenger.aclose()
    await platform.stop()
    return rate


async def main(paced: bool, queue_count: int, json_path: Path | None = None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        figures = await queueing(folder, queue_count)
        if paced:
            cap = 25.0
            rate, too_many, wall = await fan_out(
                folder, "paced", 2_500, TELEGRAM_PACING, 1, 0.030, cap
            )
            print(
                f"paced 2,500 at the {cap:.0f}/s cap, 30 ms latency: {rate:.2f}/s "
                f"({rate / cap:.1%} of the cap, target 98-100%), {too_many} 429s "
                f"(target 0), {wall:.0f} s"
            )
            figures += [
                Figure(
                    "paced_rate",
                    f"2,500 recipients at the {cap:.0f}/s cap (fake answers 429 above it in 1 s)",
                    rate,
                    "/s",
                    "the cap",
                    cap,
                    target="98–100%",
                    met=0.98 <= rate / cap <= 1.0,
                    digits=2,
                    ratio_format="{:.1%}",
                ),
                Figure(
                    "paced_429",
                    "429 answers during the paced run",
                    too_many,
                    target="0",
                    met=too_many == 0,
                ),
            ]
        else:
            print("paced 2,500 at 25/s: skipped (run with --paced; takes ~100 s)")
        raised = PlatformPacing(rate=1000.0)
        for in_flight, count in ((1, 600), (32, 5_000)):
            rate, too_many, _ = await fan_out(
                folder, f"ceiling{in_flight}", count, raised, in_flight, 0.030, None
            )
            baseline = await bare(count, in_flight, 0.030)
            print(
                f"ceiling, cap 1,000/s, {in_flight} in flight, 30 ms latency: {rate:.0f}/s "
                f"(bare messenger baseline {baseline:.0f}/s, ratio {rate / baseline:.2f})"
            )
            durable = " (the durable default)" if in_flight == 1 else f" (in_flight={in_flight})"
            figures.append(
                Figure(
                    f"ceiling_{in_flight}",
                    f"Cap raised to 1,000/s, {in_flight} in flight{durable}",
                    rate,
                    "/s",
                    "bare HTTP messenger, no database",
                    baseline,
                )
            )
    notes = ["fake platform latency 30 ms"]
    if not paced:
        notes.append("paced run skipped (run with --paced)")
    write("broadcast", figures, json_path, notes)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paced", action="store_true", help="also run 2,500 at 25/s (~100 s)")
    parser.add_argument("--queue", type=int, default=100_000, help="recipients to queue")
    add_json_argument(parser)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.paced, arguments.queue, arguments.json))
