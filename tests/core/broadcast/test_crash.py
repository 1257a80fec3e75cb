"""A real bot process broadcasting to 2,000 chats over a platform answering in 150 ms, SIGKILLed
at 20 seeded random moments.

After every restart it must carry on by itself; at the end every recipient has a final state,
nobody was skipped, and no crash duplicated more messages than the send window in force at that
moment (rate × latency × 1.5 + 1, which the process logs as it adapts).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import re
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

log = logging.getLogger(__name__)

RECIPIENTS = 2000
CRASHES = 20
RATE = 100.0  # above Telegram's 25/s so the test is quick; the window scales with it
LATENCY_S = 0.15


def states(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("select state, count(*) from broadcast_recipients group by state"))


def sending_chats(path: Path) -> list[str]:
    """The chats whose row a crash left 'sending': each is sent again after the restart."""
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "select c.chat_id from broadcast_recipients r join chats c on c.id = r.chat_pk "
            "where r.state = 'sending'"
        )
        return [chat_id for (chat_id,) in rows]


def widest_window(stderr: str) -> int:
    sizes = [int(n) for n in re.findall(r"telegram window (?:starts at|now) (\d+)", stderr)]
    assert sizes, "the process logs its window"
    return max(sizes)


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
        str(RATE),
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_sigkill_at_random_moments_skips_nobody_and_duplicates_at_most_the_window(
    tmp_path: Path,
) -> None:
    path = tmp_path / "crash.sqlite3"
    await prepare(path)
    platform = FakePlatform(latency_s=LATENCY_S)
    await platform.start()
    rng = random.Random(20261201)
    duplicates_per_crash: list[tuple[int, int]] = []  # (duplicated, the window in force)
    try:
        for _ in range(CRASHES):
            before = platform.received.total()
            bot = await start_bot(path, platform.url)
            async with asyncio.timeout(20):
                while platform.received.total() == before:  # noqa: ASYNC110
                    await asyncio.sleep(0.002)
            await asyncio.sleep(rng.uniform(0.0, 0.6))
            bot.send_signal(signal.SIGKILL)
            _, stderr = await bot.communicate()
            await asyncio.sleep(LATENCY_S * 2)  # requests already at the platform land
            # A row left 'sending' whose chat already got the message is a duplicate to come.
            duplicated = sum(1 for chat in sending_chats(path) if platform.received[chat])
            duplicates_per_crash.append((duplicated, widest_window(stderr.decode())))
        assert platform.received.total() < RECIPIENTS, "finished before the last crash"

        bot = await start_bot(path, platform.url)
        try:
            async with asyncio.timeout(60):
                while set(states(path)) != {"sent"}:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
        finally:
            bot.send_signal(signal.SIGTERM)
            await bot.communicate()
    finally:
        await platform.stop()

    log.warning("duplicates per crash (duplicated, window): %s", duplicates_per_crash)
    assert states(path) == {"sent": RECIPIENTS}
    assert set(platform.received) == {str(i) for i in range(RECIPIENTS)}  # nobody skipped
    assert all(dup <= window for dup, window in duplicates_per_crash), duplicates_per_crash
    assert platform.received.total() - RECIPIENTS == sum(d for d, _ in duplicates_per_crash)
    assert platform.too_many == 0
