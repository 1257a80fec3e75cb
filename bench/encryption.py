"""What DATABASE_KEY costs: the bot on an SQLCipher-encrypted file against the same bot on a
plain SQLite file, measured in the same run, alternating, so both see the same machine.

Commands per second through the real dispatcher (as bench/core.py drives it): /subscribe writes,
each from a new chat (a chat row and its topic committed, so pages are encrypted on their way to
the write-ahead log); /privacy reads from 1,000 returning chats (SQL counts over the chat's
records); /events reads from the same chats (served from memory, so the cipher should cost
nothing; a check that the key adds no per-command work).

A 10,000-reminder tick (as bench/reminders.py sends it): a database with --rows planned rows,
--due of them due now, built plain, then a copy encrypted by `allybot db encrypt`'s own code; one
scheduler tick sends every due reminder through a platform that accepts them instantly, each
round on a fresh copy of its file.

Commands are measured as bench/core.py measures them: five alternating rounds per case, the
--seconds split between them, judged by the median of the per-round ratios (a load that comes and
goes on a shared machine hits both sides alike); the tick in --tick-rounds rounds, plain first in
odd rounds and encrypted first in even ones, judged the same way. Target: encrypted at least 85%
of plain in every case; a miss exits 1.

    .venv/bin/python bench/encryption.py [--seconds 5] [--tick-rounds 5] [--rows 100000]
        [--due 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pydantic import SecretStr

from bench.core import ROUNDS, alternating, commands
from bench.figures import Figure, add_json_argument, write
from bench.reminders import NOW, DroppingMessenger, create_events, fill
from bot.app import build_core
from bot.core.messages import Address, Request
from bot.ratelimit import Unlimited
from bot.settings import Settings
from db.cipher_tools import encrypt
from tests.support.fakes import FixedClock
from tests.support.reminders import compose

TARGET_RATIO = 0.85
ACTIVE_CHATS = 1_000
# A benchmark's own key: what is measured is the cipher, whatever the passphrase.
KEY = "bench-encryption-passphrase-0123456789"
MODES = ("plain", "encrypted")


def settings_for(path: Path, mode: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{path}",
        database_key=KEY if mode == "encrypted" else None,  # type: ignore[arg-type]
    )


async def command_cases(folder: Path, seconds: float) -> dict[str, dict[str, Any]]:
    """Commands per second by case, plain and encrypted, as bench/core.py measures them: ROUNDS
    alternating rounds, judged by the median of the per-round ratios."""
    cores = {
        mode: await build_core(settings_for(folder / f"{mode}.sqlite3", mode), limiter=Unlimited())
        for mode in MODES
    }
    cases = (
        ("write /subscribe", "subscribe", ("events",), None),
        ("read /privacy", "privacy", (), ACTIVE_CHATS),
        ("read /events", "events", (), ACTIVE_CHATS),
    )
    figures: dict[str, dict[str, Any]] = {}
    try:
        for offset, (name, command, args, chats) in enumerate(cases):
            first = (offset + 1) * 10_000_000
            for mode in MODES:  # warm up: the returning chats, and each pool's connection
                for number in range(chats or 500):
                    chat = Address("bench", str(first + number))
                    await cores[mode].dispatcher.dispatch(Request(command, args, chat, "warm"))
            # Writes: each from a new chat, after the warm-up's.
            start = first if chats else first + 500
            sides = {m: commands(cores[m].dispatcher, command, args, chats, start) for m in MODES}
            ratio = await alternating(sides["encrypted"], sides["plain"], seconds)
            figures[name] = {
                "unit": "/s",
                "plain": statistics.median(sides["plain"].rates),
                "encrypted": statistics.median(sides["encrypted"].rates),
                "ratio": ratio,
            }
    finally:
        for core in cores.values():
            await core.aclose()
    return figures


async def prepare_tick(folder: Path, rows: int, due: int) -> dict[str, Path]:
    """The filled database, plain and (a copy) encrypted, each closed and checkpointed."""
    plain = folder / "tick-plain.sqlite3"
    events = await create_events(plain)
    fill(plain, rows, due, events)
    # fill()'s connection lingers in a reference cycle with the rows still in its -wal; the
    # copies below take the main file alone, so everything goes into it first.
    gc.collect()
    with closing(sqlite3.connect(plain)) as connection:
        busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert not busy
    encrypted = folder / "tick-encrypted.sqlite3"
    shutil.copyfile(plain, encrypted)
    encrypt(encrypted, SecretStr(KEY))
    return {"plain": plain, "encrypted": encrypted}


def remove_database(path: Path) -> None:
    for stale in path.parent.glob(f"{path.name}*"):
        stale.unlink()


async def tick_seconds(source: Path, mode: str, due: int, work: Path) -> float:
    """One scheduler tick sending every due reminder, on a fresh copy of `source`."""
    path = work / f"tick-{mode}-run.sqlite3"
    remove_database(path)
    shutil.copyfile(source, path)
    core = await build_core(settings_for(path, mode), clock=FixedClock(NOW), limiter=Unlimited())
    try:
        messenger = DroppingMessenger()
        reminders = compose(core, {"bench": messenger})
        start = time.perf_counter()
        report = await reminders.scheduler.tick()
        seconds = time.perf_counter() - start
        assert messenger.sent == due == report.sent, (messenger.sent, report.sent)
        return seconds
    finally:
        await core.aclose()


async def ticks(folder: Path, rows: int, due: int, rounds: int) -> list[tuple[float, float]]:
    """(plain, encrypted) seconds of one tick per round, the order alternating by round."""
    sources = await prepare_tick(folder, rows, due)
    times = []
    for round_number in range(rounds):
        seconds = {}
        for mode in MODES if round_number % 2 == 0 else MODES[::-1]:
            seconds[mode] = await tick_seconds(sources[mode], mode, due, folder)
        times.append((seconds["plain"], seconds["encrypted"]))
    return times


async def measure(
    seconds: float, tick_rounds: int, rows: int, due: int
) -> dict[str, dict[str, Any]]:
    """Each case's plain and encrypted rate (per second, medians) and the median of the
    per-round ratios."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        figures = await command_cases(folder, seconds)
        times = await ticks(folder, rows, due, tick_rounds)
    figures[f"tick sending {due:,}"] = {
        "unit": "reminders/s",
        "plain": due / statistics.median(plain for plain, _ in times),
        "encrypted": due / statistics.median(encrypted for _, encrypted in times),
        "ratio": statistics.median(plain / encrypted for plain, encrypted in times),
    }
    return figures


def report(figures: dict[str, dict[str, Any]]) -> str:
    lines = [f"{'':22}{'plain':>12}{'encrypted':>12}{'ratio':>8}{'target':>8}"]
    for name, f in figures.items():
        verdict = "ok" if f["ratio"] >= TARGET_RATIO else "MISSED"
        lines.append(
            f"{name:22}{f['plain']:12,.0f}{f['encrypted']:12,.0f}{f['ratio']:8.2f}"
            f"{'≥' + format(TARGET_RATIO, '.2f'):>8} {verdict}   ({f['unit']})"
        )
    return "\n".join(lines)


def as_figures(figures: dict[str, dict[str, Any]]) -> list[Figure]:
    keys = {
        "write /subscribe": "subscribe_write_per_s",
        "read /privacy": "privacy_read_per_s",
        "read /events": "events_read_per_s",
    }
    return [
        Figure(
            keys.get(name, "tick_per_s"),
            f"{name} (encrypted)",
            f["encrypted"],
            f["unit"],
            "plain SQLite",
            f["plain"],
            target=f">= {TARGET_RATIO:.2f} of plain",
            met=f["ratio"] >= TARGET_RATIO,
            # The median of the per-round ratios, which the verdict judges; not the ratio of
            # the two medians.
            ratio=f["ratio"],
        )
        for name, f in figures.items()
    ]


def main(
    seconds: float, tick_rounds: int, rows: int, due: int, json_path: Path | None
) -> dict[str, dict[str, Any]]:
    start = time.perf_counter()
    figures = asyncio.run(measure(seconds, tick_rounds, rows, due))
    print(report(figures))
    print(f"({time.perf_counter() - start:.0f} s)")
    notes = [
        f"commands: {ROUNDS} alternating rounds, {seconds:g} s per side and case",
        f"the tick: {tick_rounds} alternating rounds on {rows:,} planned rows, {due:,} due, "
        "a fresh copy of each file every round",
        "rates are medians, ratios the median of the per-round ratios",
    ]
    write("encryption", as_figures(figures), json_path, notes=notes)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--tick-rounds", type=int, default=5)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    add_json_argument(parser)
    options = parser.parse_args()
    results = main(options.seconds, options.tick_rounds, options.rows, options.due, options.json)
    # A missed target is a result, and `make bench` reports it by this exit code.
    sys.exit(1 if any(f["ratio"] < TARGET_RATIO for f in results.values()) else 0)
