"""Scaling out: the paid fan-out with 1, 2 and 4 sender processes on one PostgreSQL database.

Each case is real `allybot run` processes (`--role sender` on PostgreSQL; one ordinary process on
SQLite) sending one campaign-wide broadcast to every subscriber through Telegram's paid lane
(cap 1,000 messages a second) to a fake Bot API in its own process that answers each call after
100 ms. The rate is the subscribers over the time from the first copy to the last, as the fake
saw them; the fake also reports the busiest second. Figures: the aggregate rate with 2 and 4
senders against 1 (same run), and the single PostgreSQL process against SQLite (same run).

Only the holder of the sender lease sends (bot/core/leadership.py): the others stand by, so more
senders are expected to keep the rate, not to raise it; one process already reaches the cap.
The PostgreSQL server is the tests' throwaway cluster (tests/support/postgres.py), fsync off.

    .venv/bin/python bench/scale.py [--subscribers 10000] [--json bench/results/scale.json]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from bench.figures import Figure, add_json_argument, write
from bot.core.broadcast.values import BroadcastState, Message, NewBroadcast
from bot.core.messages import Address
from db.session import create_engine, upgrade
from db.stores.broadcasts import SqlBroadcastStore
from tests.adapters.telegram.fake_server import (
    ORGANIZER,
    TOKEN,
    FakeTelegram,
    private_chat,
    user,
)
from tests.support.broadcast import add_subscribers
from tests.support.postgres import start as start_postgres
from tests.support.postgres import stop as stop_postgres

FIRST_ID = 6_200_000_000
LATENCY_S = 0.1
PAID_CAP = 1000
SENDERS = (1, 2, 4)
REPO = Path(__file__).resolve().parent.parent
# The broadcast's own words: what the fake counts.
RALLY = "Rally at the embassy on Saturday, 14:00 (scale benchmark)."


def fake_process(pipe: Any) -> None:
    """A process target: the fake Bot API, driven through `pipe` (chats, paid, reset, stop)."""

    async def main() -> None:
        fake = FakeTelegram()
        fake.latency = (LATENCY_S, LATENCY_S)
        fake.chats[ORGANIZER["id"]] = private_chat(ORGANIZER)
        await fake.start()
        pipe.send(fake.port)
        loop = asyncio.get_running_loop()
        while True:
            command = await loop.run_in_executor(None, pipe.recv)
            if command[0] == "chats":
                _, first, count = command
                for n in range(count):
                    fake.chats[first + n] = private_chat(user(first + n, "en", f"S{n}"))
                pipe.send("ok")
            elif command[0] == "paid":
                times = sorted(
                    c.at
                    for c in fake.calls_to("sendMessage")
                    if c.params.get("allow_paid_broadcast") and RALLY in str(c.params.get("text"))
                )
                pipe.send(
                    (
                        len(times),
                        times[0] if times else 0.0,
                        times[-1] if times else 0.0,
                        busiest_second(times),
                    )
                )
            elif command[0] == "reset":
                fake.calls.clear()
                fake.sent.clear()
                pipe.send("ok")
            else:
                break
        await fake.stop()

    asyncio.run(main())


def busiest_second(times: list[float]) -> int:
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def prepare(url: str, subscribers: int) -> None:
    """Migrate, add the subscribers, and start one campaign-wide broadcast to all of them."""
    engine = create_engine(url)
    try:
        await upgrade(engine)
        now = datetime.now(UTC)
        ids = [str(FIRST_ID + n) for n in range(subscribers)]
        await add_subscribers(engine, "telegram", ids, locale="en")
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO reminder_leads (chat_pk, leads) "
                    "SELECT id, '' FROM chats WHERE platform = 'telegram'"
                )
            )
        store = SqlBroadcastStore(engine)
        organizer = Address("telegram", str(ORGANIZER["id"]))
        info = await store.create(
            NewBroadcast("events", Message(RALLY, ()), organizer, "en", organizer, None), now
        )
        assert info.total == subscribers, info.total
        await store.transition(info.id, (BroadcastState.DRAFT,), BroadcastState.SENDING)
        await store.aclose()
    finally:
        await engine.dispose()


async def run_case(url: str, senders: int, port: int, subscribers: int, pipe: Any) -> float:
    """Start `senders` processes, wait for every copy, stop them; the copies per second."""
    await prepare(url, subscribers)
    pipe.send(("reset",))
    pipe.recv()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DISCORD_", "DATABASE_", "BROADCAST_", "ROLES"))
    }
    env |= {
        "PYTHONPATH": str(REPO),
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}",
        "BROADCAST_TELEGRAM_PAID": "true",
        "BROADCAST_TELEGRAM_RATE": str(PAID_CAP),
        "ORGANIZERS": f"telegram:{ORGANIZER['id']}",
        "LOG_LEVEL": "WARNING",
    }
    roles = ["--role", "sender"] if url.startswith("postgresql") else []
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            *roles,
            cwd=tempfile.gettempdir(),
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for _ in range(senders)
    ]
    try:
        deadline = time.monotonic() + subscribers / 50 + 120
        while True:
            pipe.send(("paid",))
            count, first, last, busiest = pipe.recv()
            if count >= subscribers or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            await process.wait()
    if count < subscribers:
        raise RuntimeError(f"only {count} of {subscribers} copies arrived")
    rate = float((count - 1) / (last - first))
    print(
        f"  {senders} sender(s) on {url.split(':')[0]}: {rate:,.0f} copies/s "
        f"(busiest second {busiest})",
        flush=True,
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument(
        "--senders",
        type=int,
        nargs="+",
        default=list(SENDERS),
        help="the PostgreSQL cases (the figures need 1, 2 and 4)",
    )
    add_json_argument(parser)
    options = parser.parse_args()
    parent, child = multiprocessing.get_context("spawn").Pipe()
    fake = multiprocessing.get_context("spawn").Process(target=fake_process, args=(child,))
    fake.start()
    server = start_postgres()
    try:
        port = int(parent.recv())
        parent.send(("chats", FIRST_ID, options.subscribers))
        parent.recv()
        rates: dict[str, float] = {}
        with tempfile.TemporaryDirectory() as folder:
            sqlite_url = f"sqlite+aiosqlite:///{Path(folder) / 'scale.sqlite3'}"
            print(
                f"paid fan-out to {options.subscribers:,} subscribers at {LATENCY_S * 1000:.0f} ms:"
            )
            rates["sqlite"] = asyncio.run(
                run_case(sqlite_url, 1, port, options.subscribers, parent)
            )
            for senders in options.senders:
                url = server.url(server.fresh_database())
                rates[f"pg{senders}"] = asyncio.run(
                    run_case(url, senders, port, options.subscribers, parent)
                )
    finally:
        parent.send(("stop",))
        fake.join(timeout=10)
        stop_postgres(server)
    for name, rate in rates.items():
        print(f"{name}: {rate:,.0f}/s")
    if sorted(options.senders) != sorted(SENDERS):
        return  # a partial run: no figures for the README
    one = rates["pg1"]
    figures = [
        Figure(
            "pg1_rate",
            "1 sender on PostgreSQL",
            one,
            "/s",
            baseline_label="1 process on SQLite",
            baseline_value=rates["sqlite"],
        ),
        Figure(
            "pg2_rate",
            "2 senders on PostgreSQL",
            rates["pg2"],
            "/s",
            baseline_label="1 sender",
            baseline_value=one,
        ),
        Figure(
            "pg4_rate",
            "4 senders on PostgreSQL",
            rates["pg4"],
            "/s",
            baseline_label="1 sender",
            baseline_value=one,
        ),
    ]
    for figure in figures:
        print(
            f"{figure.label}: {figure.value:,.0f}/s, "
            f"{figure.derived_ratio() or 0:.2f} of {figure.baseline_label}"
        )
    write("scale", figures, options.json)


if __name__ == "__main__":
    main()
