"""A real bot process broadcasting to 2,000 chats, SIGKILLed at 20 seeded random moments.

After every restart it must carry on by itself; at the end every recipient has a final state,
nobody was skipped, and each crash duplicated at most the one message in flight.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import sys
from pathlib import Path

from bot.app import build_core
from bot.core.broadcast.values import HERE, BroadcastState, Message, NewBroadcast
from bot.core.messages import Address
from bot.settings import Settings
from db.stores.broadcasts import SqlBroadcastStore
from tests.support.broadcast import add_subscribers
from tests.support.fake_platform import FakePlatform
from tests.support.paths import REPO

RECIPIENTS = 2000
CRASHES = 20
IN_FLIGHT_PER_CRASH = 1  # one platform, one send at a time
RATE = "1000"  # raised from Telegram's 25/s so the test is quick


def states(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("select state, count(*) from broadcast_recipients group by state"))


async def prepare(path: Path) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{path}",
        organizers="console:organizer",  # type: ignore[arg-type]
    )
    core = await build_core(settings)
    try:
        await add_subscribers(core.engine, "telegram", [str(i) for i in range(RECIPIENTS)])
        store = SqlBroadcastStore(core.engine)
        info = await store.create(
            NewBroadcast(
                "events",
                Message("Rally on Saturday"),
                Address("console", "organizer"),
                "en",
                Address("console", "organizer"),
                None,
            ),
            core.deps.clock(),
        )
        assert info.total == RECIPIENTS and info.audience != HERE
        assert await store.transition(info.id, (BroadcastState.DRAFT,), BroadcastState.SENDING)
    finally:
        await core.aclose()


async def start_bot(path: Path, url: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.support.run_broadcast_bot",
        f"sqlite+aiosqlite:///{path}",
        url,
        RATE,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_sigkill_at_random_moments_loses_nobody_and_duplicates_at_most_one_per_crash(
    tmp_path: Path,
) -> None:
    path = tmp_path / "crash.sqlite3"
    await prepare(path)
    platform = FakePlatform()
    await platform.start()
    rng = random.Random(20261121)
    in_flight_at_crash: list[int] = []
    try:
        for _ in range(CRASHES):
            before = platform.received.total()
            bot = await start_bot(path, platform.url)
            async with asyncio.timeout(20):
                while platform.received.total() == before:  # noqa: ASYNC110
                    await asyncio.sleep(0.002)
            await asyncio.sleep(rng.uniform(0.0, 0.2))
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
            in_flight_at_crash.append(states(path).get("sending", 0))
        assert platform.received.total() < RECIPIENTS, "finished before the last crash"

        bot = await start_bot(path, platform.url)
        try:
            async with asyncio.timeout(40):
                while set(states(path)) != {"sent"}:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
        finally:
            bot.send_signal(signal.SIGTERM)
            await bot.communicate()
    finally:
        await platform.stop()

    assert states(path) == {"sent": RECIPIENTS}
    assert set(platform.received) == {str(i) for i in range(RECIPIENTS)}  # nobody skipped
    duplicates = platform.received.total() - RECIPIENTS
    assert all(n <= IN_FLIGHT_PER_CRASH for n in in_flight_at_crash), in_flight_at_crash
    assert duplicates <= CRASHES * IN_FLIGHT_PER_CRASH
