"""Commands per second through the real dispatcher and SQLite store, on one core.

Prints reads (/events) and writes (/subscribe) per second with the SQLite store, the same with the
in-memory store measured in the same run as the baseline, and the ratio. Targets: 3,000 reads/s
and 600 writes/s with SQLite.

    .venv/bin/python bench/core.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_core
from bot.core.dispatcher import Dispatcher
from bot.core.messages import Address, Request
from bot.ratelimit import Unlimited
from bot.settings import Settings
from content.events import content_events
from handlers.deps import Deps
from tests.support.fakes import ContentEvents, InMemoryStore

READ_TARGET, WRITE_TARGET = 3000, 600
ACTIVE_CHATS = 1_000


async def rate(
    dispatcher: Dispatcher[Deps],
    command: str,
    args: tuple[str, ...],
    seconds: float,
    chats: int | None,
    first_chat: int = 0,
) -> float:
    """Commands per second for `seconds`, from `chats` chats in turn (None: a new chat each)."""
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for _ in range(100):
            number = first_chat + (done % chats if chats else done)
            chat = Address("bench", str(number))
            reply = await dispatcher.dispatch(Request(command, args, chat, str(done)))
            assert reply is not None and not reply.text.startswith("Sorry")
            done += 1
    return done / (time.perf_counter() - start)


async def main(seconds: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite+aiosqlite:///{folder}/bench.sqlite3",
        )
        core = await build_core(settings, limiter=Unlimited())
        memory_store = InMemoryStore()
        baseline_deps = replace(
            core.deps,
            store=memory_store,
            events=ContentEvents(content_events(core.deps.campaign)),
        )
        baseline = Dispatcher(core.registry, baseline_deps, Unlimited())
        # Reads come from 1,000 chats in turn (people ask again), after one warm-up pass over
        # them; "cold" reads come each from a chat never seen, so every one reads the database.
        # Writes are each a first subscription of a new chat: a row and a topic inserted.
        cases = (
            ("read /events", "events", (), ACTIVE_CHATS, READ_TARGET),
            ("read /events cold", "events", (), None, None),
            ("write /subscribe", "subscribe", ("events",), None, WRITE_TARGET),
        )
        print(f"{'':20}{'SQLite':>10}{'in-memory':>11}{'ratio':>7}{'target':>9}")
        for offset, (name, command, args, chats, target) in enumerate(cases):
            first = (offset + 1) * 10_000_000
            sql_first = first + 5_000_000
            for number in range(chats or 500):  # warm up (and fill the cache for repeat chats)
                chat = Address("bench", str(sql_first + number))
                await core.dispatcher.dispatch(Request(command, args, chat, chat.chat_id))
            if chats is None:
                sql_first += 500
            sql = await rate(core.dispatcher, command, args, seconds, chats, sql_first)
            memory = await rate(baseline, command, args, seconds, chats, first)
            goal = f"{target:,}" if target else "-"
            verdict = "" if target is None else ("ok" if sql >= target else "MISSED")
            print(f"{name:20}{sql:10,.0f}{memory:11,.0f}{sql / memory:7.2f}{goal:>9} {verdict}")
        await core.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    asyncio.run(main(parser.parse_args().seconds))
