"""Broadcast fan-out against a fake platform server that answers after a set latency.

1. Queueing: 100,000 recipients written with the broadcast in one transaction (INSERT ...
   SELECT); baseline in the same run: the same rows sent from Python with executemany.
   Target < 5 s, peak RSS < 150 MB (measured first, in a fresh process state).
2. Paced (--paced, ~100 s per latency): 2,500 recipients at the 25/s cap, the fake answering
   in each `--latency` (default 0.15 s) and with 429 whenever more than 25 arrive in any 1 s.
   Targets: at least 98% of the cap, zero 429s.
3. Paid lane: a campaign-wide broadcast to 20,000 with `paid_rate=1000`, the fake answering in
   100 ms and with 429 above 1,000 in any 1 s. Target: at least 900/s between the first and the
   last arrival, and at least 85% of the bare HTTP messenger (no database) paced by the same
   schedule at the same cap, latency and concurrency the paid window reached, measured in the
   same run. (Unpaced, the bare messenger would go past the cap, which no sender may do.)

    .venv/bin/python bench/broadcast.py [--paced] [--latency 0.15 0.5]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from bench.figures import Figure, add_json_argument, write
from bot.adapters.telegram.messenger import TELEGRAM_PACING
from bot.app import Core, build_core
from bot.core.broadcast.values import BroadcastState, DeliveryState, Message, NewBroadcast
from bot.core.delivery.pacing import Schedule
from bot.core.messages import Address, Reply
from bot.core.ports import Dispatch, PlatformPacing
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


PAID_COUNT, PAID_CAP, PAID_LATENCY_S = 20_000, 1_000.0, 0.100
PAID_TARGET, PAID_SHARE_TARGET = 900.0, 0.85


async def core_in(folder: str, name: str, pacing: PlatformPacing | None = None) -> Core:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{folder}/{name}.sqlite3",
        organizers="console:organizer",  # type: ignore[arg-type]
    )
    options: dict[str, object] = {"poll_s": 0.2}
    if pacing is not None:
        options["pacing"] = {PLATFORM: pacing}
    return await build_core(settings, limiter=Unlimited(), broadcast_options=options)


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


class Counting:
    """The HTTP messenger, counting how many of its sends are on their way at once."""

    def __init__(self, inner: HttpMessenger) -> None:
        self.platform = inner.platform
        self.pacing = inner.pacing
        self._inner = inner
        self.in_flight = 0
        self.most_in_flight = 0

    async def run(self, dispatch: Dispatch) -> None:
        await self._inner.run(dispatch)

    async def send(self, address: Address, reply: Reply) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await self._inner.send(address, reply)
        finally:
            self.in_flight -= 1


@dataclass(frozen=True)
class FanOut:
    rate: float  # messages a second between the first and the last arrival at the fake
    too_many: int  # 429 answers
    wall_s: float
    window: int  # the window's size at the end (the paid one for a paid broadcast)
    latency_s: float  # the window's smoothed round trip at the end
    most_in_flight: int


async def fan_out(
    folder: str, name: str, count: int, pacing: PlatformPacing, latency_s: float, cap: float
) -> FanOut:
    """One campaign-wide broadcast to `count` chats through the bot's own service and budget
    (the paid lane when `pacing` has a paid rate)."""
    core = await core_in(folder, name, pacing)
    await subscribers(core, count)
    platform = FakePlatform(latency_s=latency_s, cap=cap)
    await platform.start()
    messenger = Counting(HttpMessenger(PLATFORM, platform.url, connections=0))
    core.outbox[PLATFORM] = messenger
    store = SqlBroadcastStore(core.engine)
    info = await store.create(new_broadcast(), core.deps.clock())
    assert info.campaign_wide
    await store.transition(info.id, (BroadcastState.DRAFT,), BroadcastState.SENDING)
    started = time.perf_counter()
    task = asyncio.create_task(core.broadcasts.run())
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
    budget = core.budgets.of(PLATFORM)
    window = budget.window_for(pacing.paid_rate is not None)
    arrivals = platform.arrivals
    rate = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
    await messenger._inner.aclose()
    await platform.stop()
    await core.aclose()
    return FanOut(
        rate, platform.too_many, wall, window.size, window.latency_s, messenger.most_in_flight
    )


async def bare(count: int, in_flight: int, latency_s: float, rate: float) -> float:
    """The HTTP messenger alone, no database: messages a second at the same cap (the same
    schedule, so the baseline is what the platform allows, not more), measured like the fan-out
    (between the first and the last arrival at the fake)."""
    platform = FakePlatform(latency_s=latency_s)
    await platform.start()
    messenger = HttpMessenger(PLATFORM, platform.url, connections=0)
    reply = Reply("Rally on Saturday")
    slots = asyncio.Semaphore(in_flight)
    schedule = Schedule(rate, time.monotonic, asyncio.sleep)

    async def one(i: int) -> None:
        async with slots:
            await schedule.acquire()
            await messenger.send(Address(PLATFORM, str(i)), reply)

    await asyncio.gather(*(one(i) for i in range(count)))
    arrivals = platform.arrivals
    rate = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
    await messenger.aclose()
    await platform.stop()
    return rate


async def paced(folder: str, latency_s: float) -> list[Figure]:
    cap, count = 25.0, 2_500
    ms = f"{latency_s * 1000:.0f}"
    result = await fan_out(folder, f"paced{ms}", count, TELEGRAM_PACING, latency_s, cap)
    share = result.rate / cap
    print(
        f"paced {count:,} at the {cap:.0f}/s cap, {ms} ms latency: {result.rate:.2f}/s "
        f"({share:.1%} of the cap, target >= 98%), {result.too_many} 429s (target 0), "
        f"{result.wall_s:.0f} s; window {result.window} at a {result.latency_s * 1000:.0f} ms "
        f"round trip, at most {result.most_in_flight} in flight"
    )
    return [
        Figure(
            f"paced_rate_{ms}ms",
            f"{count:,} recipients at the {cap:.0f}/s cap, {ms} ms latency "
            f"(fake answers 429 above {cap:.0f} in 1 s)",
            result.rate,
            "/s",
            "the cap",
            cap,
            target="≥ 98%",
            met=share >= 0.98,
            digits=2,
            ratio_format="{:.1%}",
        ),
        Figure(
            f"paced_429_{ms}ms",
            f"429 answers during the paced run, {ms} ms latency",
            result.too_many,
            target="0",
            met=result.too_many == 0,
        ),
    ]


async def paid(folder: str) -> list[Figure]:
    pacing = PlatformPacing(rate=25.0, paid_rate=PAID_CAP, per_chat_interval_s=1.0)
    ms = f"{PAID_LATENCY_S * 1000:.0f}"
    result = await fan_out(folder, "paid", PAID_COUNT, pacing, PAID_LATENCY_S, PAID_CAP)
    baseline = await bare(PAID_COUNT, result.window, PAID_LATENCY_S, PAID_CAP)
    share = result.rate / baseline
    print(
        f"paid lane, {PAID_COUNT:,} at the {PAID_CAP:,.0f}/s cap, {ms} ms latency: "
        f"{result.rate:.0f}/s (target >= {PAID_TARGET:.0f}/s), {result.too_many} 429s, "
        f"{result.wall_s:.0f} s; window reached {result.window} "
        f"(round trip {result.latency_s * 1000:.0f} ms), at most {result.most_in_flight} in flight"
    )
    print(
        f"  bare HTTP messenger at the same cap, {result.window} at once, no database: "
        f"{baseline:.0f}/s; "
        f"ratio {share:.1%} (target >= {PAID_SHARE_TARGET:.0%})"
    )
    return [
        Figure(
            "paid_rate",
            f"Paid lane: {PAID_COUNT:,} recipients at the {PAID_CAP:,.0f}/s cap, {ms} ms latency",
            result.rate,
            "/s",
            f"bare HTTP messenger at the same cap, no database, {result.window} at once",
            baseline,
            target=f"≥ {PAID_TARGET:.0f}/s and ≥ {PAID_SHARE_TARGET:.0%}",
            met=result.rate >= PAID_TARGET and share >= PAID_SHARE_TARGET,
            ratio_format="{:.1%}",
        ),
        Figure(
            "paid_429",
            "429 answers during the paid run",
            result.too_many,
            target="0",
            met=result.too_many == 0,
        ),
        Figure(
            "paid_window", "Paid window at the end of the run (sends unrecorded)", result.window
        ),
    ]


async def main(
    run_paced: bool, latencies: list[float], queue_count: int, json_path: Path | None = None
) -> int:
    with tempfile.TemporaryDirectory() as folder:
        figures = await queueing(folder, queue_count)
        if run_paced:
            for latency_s in latencies:
                figures += await paced(folder, latency_s)
        else:
            print("paced 2,500 at 25/s: skipped (run with --paced; takes ~100 s per latency)")
        figures += await paid(folder)
    notes = [f"paid lane: fake platform latency {PAID_LATENCY_S * 1000:.0f} ms"]
    if not run_paced:
        notes.append("paced run skipped (run with --paced)")
    write("broadcast", figures, json_path, notes)
    return 1 if any(figure.met is False for figure in figures) else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--paced", action="store_true", help="also run 2,500 at 25/s (~100 s per latency)"
    )
    parser.add_argument(
        "--latency",
        type=float,
        nargs="+",
        default=[0.15],
        metavar="SECONDS",
        help="the fake platform's latency for the paced runs (one run each)",
    )
    parser.add_argument("--queue", type=int, default=100_000, help="recipients to queue")
    add_json_argument(parser)
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.paced, arguments.latency, arguments.queue, arguments.json)))
