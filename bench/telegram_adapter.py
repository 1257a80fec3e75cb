"""Updates per second end to end on Telegram: our bot against a bare PTB echo bot, same run.

The fake Bot API server runs in its own process (as Telegram would be elsewhere), so the figures
are the bots' own cost: long polling, PTB's update processing, our adapter, the real dispatcher and
SQLite store, HTML rendering and the sendMessage call. Both bots use the same HTTP stack, the same
update concurrency and the same fake server, in alternating rounds. Two figures per bot: updates
per wall-clock second, and updates per CPU second of the bot's process (steadier when other work
shares the machine). Target: our bot at least 85% of the echo bot's rate.

    .venv/bin/python bench/telegram_adapter.py [--updates 3000] [--rounds 5] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    MessageHandler,
    filters,
)

from bench.figures import Figure, add_json_argument, write
from bot.adapters.telegram.messenger import TelegramMessenger
from bot.adapters.telegram.render import keyboard, to_html
from bot.app import Core, build_core
from bot.core.messages import Address, Reply, Request
from bot.ratelimit import Unlimited
from bot.settings import Settings
from tests.adapters.telegram.fake_server import TOKEN, serve_until_told

TARGET = 0.85
USERS = 200
Runner = Callable[[], Awaitable[Any]]


@dataclass(frozen=True)
class Rate:
    wall: float
    cpu: float


async def measure(port: int, runner: Runner, text: str, count: int) -> Rate:
    """Start a bot, queue `count` updates at once, and time until all replies were sent."""
    base = f"http://127.0.0.1:{port}/_fake"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/done", params={"n": "0"}) as answer:
            already = int((await answer.json())["sent"])
        bot = asyncio.create_task(runner())
        await asyncio.sleep(0.5)  # started and long-polling
        started, cpu = time.perf_counter(), time.process_time()
        await http.post(f"{base}/load", json={"n": count, "text": text, "users": USERS})
        async with http.get(f"{base}/done", params={"n": str(already + count)}) as answer:
            sent = int((await answer.json())["sent"]) - already
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        bot.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await bot
    if sent < count:
        raise RuntimeError(f"only {sent} of {count} replies arrived")
    return Rate(count / elapsed, count / cpu)


async def run_echo_bot(port: int, concurrency: int, same_as: Reply | None = None) -> None:
    """The baseline: PTB's echo example; with `same_as`, it answers that reply's text and buttons
    instead (prepared once), which leaves only our adapter's and core's own work as the gap."""
    text = to_html(same_as.text) if same_as else None
    markup = keyboard(same_as.buttons) if same_as else None

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None and update.message.text:
            if text is None:
                await update.message.reply_text(update.message.text)
            else:
                await update.message.reply_text(text, parse_mode="HTML", reply_markup=markup)

    app: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"http://127.0.0.1:{port}/bot")
        .job_queue(None)
        .concurrent_updates(concurrency)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        await app.start()
        if app.updater is None:
            raise RuntimeError("no updater")
        await app.updater.start_polling(timeout=1)
        try:
            await asyncio.Event().wait()
        finally:
            await app.updater.stop()
            await app.stop()


def our_bot(core: Core, port: int, concurrency: int) -> TelegramMessenger:
    """allybot's Telegram messenger on the real core, pointed at the fake server."""
    return TelegramMessenger(
        TOKEN,
        core.registry,
        core.translator,
        core.store,
        frozenset(),
        chat_events=core.chat_events,
        base_url=f"http://127.0.0.1:{port}/bot",
        poll_timeout=1,
        concurrent_updates=concurrency,
    )


async def compare(
    port: int, updates: int, rounds: int, concurrency: int, json_path: Path | None = None
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite+aiosqlite:///{folder}/bench.sqlite3",
            telegram_bot_token=TOKEN,  # type: ignore[arg-type]
        )
        core = await build_core(settings, limiter=Unlimited())

        def ours() -> Awaitable[None]:
            return our_bot(core, port, concurrency).run(core.dispatcher.dispatch)

        def echo() -> Awaitable[None]:
            return run_echo_bot(port, concurrency)

        donate = await core.dispatcher.dispatch(
            Request("donate", (), Address("telegram", "1"), "1", locale="en")
        )

        def same_reply() -> Awaitable[None]:
            return run_echo_bot(port, concurrency, donate)

        try:
            # Warm both up (imports, SQLite pages, connection pools) before measuring.
            await measure(port, ours, "/donate", 200)
            await measure(port, echo, "/donate", 200)
            pairs: list[tuple[Rate, Rate]] = []
            same: list[tuple[Rate, Rate]] = []
            # Alternating rounds, so other load on the machine hits all alike.
            for _ in range(rounds):
                mine = await measure(port, ours, "/donate", updates)
                pairs.append((mine, await measure(port, echo, "/donate", updates)))
                same.append((mine, await measure(port, same_reply, "/donate", updates)))
        finally:
            await core.aclose()
    print(
        f"Telegram updates end to end through the fake Bot API: {updates} per round, "
        f"{rounds} alternating rounds, {USERS} users, concurrency {concurrency}"
    )
    figures = report("bare PTB echo bot (the issue's baseline)", pairs, "echo", TARGET)
    figures += report(
        "PTB bot sending the same /donate reply, prepared once (adapter + core cost)",
        same,
        "same_reply",
        None,
    )
    write(
        "telegram_adapter",
        figures,
        json_path,
        notes=[
            f"medians of {rounds} alternating rounds of {updates:,} updates, {USERS} users, "
            f"concurrency {concurrency}; ratio: the median of per-round ratios"
        ],
    )


BASELINES = {
    "echo": "bare PTB echo bot",
    "same_reply": "PTB bot sending the same /donate reply, prepared once",
}


def report(
    baseline: str, pairs: list[tuple[Rate, Rate]], key: str, target: float | None
) -> list[Figure]:
    print(f" against a {baseline}:")
    figures = []
    for kind in ("wall", "cpu"):
        unit = "updates/s" if kind == "wall" else "updates per CPU s"
        ours = [getattr(o, kind) for o, _ in pairs]
        echo = [getattr(e, kind) for _, e in pairs]
        # Each round's two runs went back to back under the same conditions.
        ratio = statistics.median(o / e for o, e in zip(ours, echo, strict=True))
        verdict = "met" if ratio >= TARGET else "NOT met"
        print(f"  {unit}:")
        print(
            f"    allybot /donate : {statistics.median(ours):7.0f}  "
            f"(rounds {', '.join(f'{r:.0f}' for r in ours)})"
        )
        print(
            f"    baseline        : {statistics.median(echo):7.0f}  "
            f"(rounds {', '.join(f'{r:.0f}' for r in echo)})"
        )
        print(
            f"    ratio           : {ratio:7.1%}  (median of per-round ratios; "
            f"target >= {TARGET:.0%}: {verdict})"
        )
        figures.append(
            Figure(
                f"{key}_{kind}",
                f"allybot /donate, {'wall clock' if kind == 'wall' else 'CPU time of the bot'}",
                statistics.median(ours),
                unit,
                BASELINES[key],
                statistics.median(echo),
                target="" if target is None else f"≥ {target:.0%}",
                met=None if target is None else ratio >= target,
                ratio=ratio,
                ratio_format="{:.1%}",
            )
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    add_json_argument(parser)
    options = parser.parse_args()
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=serve_until_told, args=(child,))
    server.start()
    try:
        port = int(parent.recv())
        asyncio.run(
            compare(port, options.updates, options.rounds, options.concurrency, options.json)
        )
    finally:
        parent.send("stop")
        server.join(10)


if __name__ == "__main__":
    main()
