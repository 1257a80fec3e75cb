"""Commands per second through the real dispatcher and SQLite store, on one core.

Reads: /events from 1,000 returning chats in turn, with the SQLite store and, as the baseline
measured in the same run, with the in-memory store (the same dispatcher and handlers, no
database). Target: at least half the in-memory rate.

Writes: /subscribe from a new chat each (a chat row and a topic row inserted), against a bare
baseline in the same run: the same two rows inserted and committed one transaction each straight
through aiosqlite (same schema and pragmas), no dispatcher, no SQLAlchemy. Target: at least half
the bare rate.

"Cold" reads (each from a chat never seen, which the store tells has no row from the addresses
of the stored chats it keeps, without a query) are printed for information.
Figures are noisy on a shared machine; run it on one core:

    taskset -c 0 .venv/bin/python bench/core.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiosqlite

from bench.figures import Figure, add_json_argument, write
from bot.app import build_core
from bot.core.dispatcher import Dispatcher
from bot.core.messages import Address, Request
from bot.ratelimit import Unlimited
from bot.settings import Settings
from content.events import content_events
from db.session import create_engine, upgrade
from handlers.deps import Deps
from tests.support.fakes import ContentEvents, InMemoryStore

# Each measured rate must reach this share of its baseline.
TARGET_RATIO = 0.5
ACTIVE_CHATS = 1_000
# As db/session.py sets them on every connection of the bot's engine.
PRAGMAS = (
    "PRAGMA secure_delete=ON",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
)


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


async def bare_writes(path: Path, seconds: float) -> float:
    """The rows /subscribe stores for a new chat, per second, with nothing but aiosqlite: a chat
    row and its topic, one transaction each, into a database migrated like the bot's."""
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    await engine.dispose()
    created = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores it
    async with aiosqlite.connect(path, isolation_level=None) as connection:
        for pragma in PRAGMAS:
            await connection.execute(pragma)
        done = 0
        start = time.perf_counter()
        deadline = start + seconds
        while time.perf_counter() < deadline:
            for _ in range(100):
                await connection.execute("BEGIN")
                cursor = await connection.execute(
                    "INSERT INTO chats (platform, chat_id, kind, locale, timezone, quiet_start,"
                    " quiet_end, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ("bench", str(done), "private", None, None, None, None, 1, created),
                )
                await connection.execute(
                    "INSERT INTO chat_topics (chat_pk, topic) VALUES (?, ?)",
                    (cursor.lastrowid, "events"),
                )
                await connection.execute("COMMIT")
                done += 1
        return done / (time.perf_counter() - start)


async def measure(seconds: float) -> dict[str, dict[str, Any]]:
    """Every figure this benchmark prints, by case: the rate, its baseline and their ratio."""
    figures: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite+aiosqlite:///{folder}/bench.sqlite3",
        )
        core = await build_core(settings, limiter=Unlimited())
        baseline_deps = replace(
            core.deps,
            store=InMemoryStore(),
            events=ContentEvents(content_events(core.deps.campaign)),
        )
        baseline = Dispatcher(core.registry, baseline_deps, Unlimited())
        # Reads come from 1,000 chats in turn (people ask again), after one warm-up pass over
        # them; "cold" reads come each from a chat never seen (no row, and the store knows it).
        # Writes are each a first subscription of a new chat: a row and a topic inserted.
        cases = (
            ("read /events", "events", (), ACTIVE_CHATS, "in-memory"),
            ("read /events cold", "events", (), None, "in-memory"),
            ("write /subscribe", "subscribe", ("events",), None, "bare aiosqlite"),
        )
        for offset, (name, command, args, chats, against) in enumerate(cases):
            first = (offset + 1) * 10_000_000
            sql_first = first + 5_000_000
            for number in range(chats or 500):  # warm up (and fill the cache for repeat chats)
                chat = Address("bench", str(sql_first + number))
                await core.dispatcher.dispatch(Request(command, args, chat, chat.chat_id))
            if chats is None:
                sql_first += 500
            sql = await rate(core.dispatcher, command, args, seconds, chats, sql_first)
            memory = await rate(baseline, command, args, seconds, chats, first)
            base = memory
            if against == "bare aiosqlite":
                base = await bare_writes(Path(folder) / "bare.sqlite3", seconds)
            figures[name] = {
                "per_second": sql,
                "in_memory_per_second": memory,
                "baseline": against,
                "baseline_per_second": base,
                "ratio": sql / base,
                "target_ratio": TARGET_RATIO if name != "read /events cold" else None,
            }
        await core.aclose()
    return figures


def report(figures: dict[str, dict[str, Any]]) -> str:
    lines = [
        f"{'':19}{'SQLite/s':>10}{'in-memory/s':>13}  {'baseline':<15}{'baseline/s':>11}"
        f"{'ratio':>7}{'target':>8}"
    ]
    for name, f in figures.items():
        target = f["target_ratio"]
        verdict = "" if target is None else ("ok" if f["ratio"] >= target else "MISSED")
        goal = f"≥{target:.2f}" if target is not None else "-"
        lines.append(
            f"{name:19}{f['per_second']:10,.0f}{f['in_memory_per_second']:13,.0f}  "
            f"{f['baseline']:<15}{f['baseline_per_second']:11,.0f}{f['ratio']:7.2f}{goal:>8} "
            f"{verdict}"
        )
    return "\n".join(lines)


def as_figures(figures: dict[str, dict[str, Any]]) -> list[Figure]:
    """The printed table as README figures: each rate against the baseline it is judged by."""
    keys = {
        "read /events": "events_read_per_s",
        "read /events cold": "events_read_cold_per_s",
        "write /subscribe": "subscribe_write_per_s",
    }
    shown = []
    for name, f in figures.items():
        target = f["target_ratio"]
        shown.append(
            Figure(
                keys[name],
                f"{name} (SQLite)",
                f["per_second"],
                "/s",
                f"{f['baseline']}",
                f["baseline_per_second"],
                target=f">= {target:.2f} of the baseline" if target is not None else "",
                met=None if target is None else f["ratio"] >= target,
            )
        )
    return shown


def main(seconds: float = 3.0, json_path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Measure, print the table, write the figures as JSON when asked, and return them."""
    figures = asyncio.run(measure(seconds))
    print(report(figures))
    write("core", as_figures(figures), json_path, notes=[f"{seconds:g} s per case"])
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    add_json_argument(parser)
    options = parser.parse_args()
    results = main(options.seconds, options.json)
    # A missed target is a result, and `make bench` reports it by this exit code.
    missed = any(
        f["target_ratio"] is not None and f["ratio"] < f["target_ratio"] for f in results.values()
    )
    sys.exit(1 if missed else 0)
