"""Slash-command interactions per second end to end through the fake Discord.

Our bot (real core, SQLite, the Discord adapter) answers /help; a bare discord.py bot answers one
fixed slash command with the same text. Both run against the same fake Discord in the same run,
alternating rounds. Prints both rates, the ratio (target: at least 85%) and the slowest
acknowledgement (must be under Discord's 3 seconds).

    .venv/bin/python bench/discord_adapter.py [--interactions 1500] [--concurrency 50] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import discord
import discord.gateway
import discord.http
from discord import app_commands

from bench.figures import Figure, add_json_argument, write
from bot.adapters.discord.messenger import DiscordMessenger
from bot.app import build_core
from bot.core.messages import Address, ChatKind, Reply, Request, UrlButton
from bot.ratelimit import Unlimited
from bot.settings import Settings
from db.stores.setups import SqlServerSetups
from tests.adapters.discord.fake_server import FakeDiscord

TARGET_RATIO = 0.85
ACK_LIMIT_S = 3.0


class BareBot(discord.Client):
    """The baseline: discord.py with one fixed slash command and nothing else. It answers with
    the same text and buttons as our /help, built the plain discord.py way, so both send the same
    payload and the difference is our adapter and core."""

    def __init__(self, reply: Reply) -> None:
        intents = discord.Intents.none()
        # The same intents as ours (messenger.AllyClient), so the gateway work is the same.
        intents.guilds = True
        intents.dm_messages = True
        super().__init__(intents=intents, allowed_mentions=discord.AllowedMentions.none())
        self.tree = app_commands.CommandTree(self)

        @self.tree.command(name="help", description="All commands")
        async def help_(interaction: discord.Interaction[Any]) -> None:
            view = discord.ui.View(timeout=None)
            for number, button in enumerate(reply.buttons):
                if isinstance(button, UrlButton):
                    view.add_item(discord.ui.Button(label=button.label, url=button.url))
                else:
                    view.add_item(discord.ui.Button(label=button.label, custom_id=f"b{number}"))
            await interaction.response.send_message(reply.text, view=view)


async def measure(fake: FakeDiscord, total: int, concurrency: int) -> tuple[float, float]:
    """(interactions per second, slowest acknowledgement in seconds) for `total` /help."""
    ids: list[int] = []
    start = time.perf_counter()
    for first in range(0, total, concurrency):
        wave = [await fake.slash("help") for _ in range(min(concurrency, total - first))]
        await fake.wait_for(lambda w=wave: all(fake.callbacks[i.id] for i in w), 30)
        ids += [i.id for i in wave]
    elapsed = time.perf_counter() - start
    slowest = max(fake.acked_at[i] - fake.delivered_at[i] for i in ids)
    for i in ids:
        fake.callbacks.pop(i, None)
    return total / elapsed, slowest


async def running(
    fake: FakeDiscord, start: Callable[[], Coroutine[Any, Any, None]]
) -> asyncio.Task[None]:
    fake.identified.clear()
    task = asyncio.create_task(start())
    await fake.wait_identified()
    return task


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def main(total: int, concurrency: int, rounds: int, json_path: Path | None = None) -> int:
    logging.basicConfig(level=logging.ERROR)
    fake = FakeDiscord()
    await fake.start()
    discord.http.Route.BASE = fake.base_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = fake.gateway_url
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None, database_url=f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
        )
        core = await build_core(settings, limiter=Unlimited())
        # Start-up objects to the permanent generation, as a long-running bot would: otherwise
        # full collections of the loaded content land at random inside the measured rounds.
        gc.collect()
        gc.freeze()
        help_reply = await core.dispatcher.dispatch(
            Request("help", (), Address("discord", "0"), "0", ChatKind.GROUP, "en")
        )
        assert help_reply is not None
        setups = SqlServerSetups(core.engine)
        messenger = DiscordMessenger(fake.token, core.registry, core.translator, setups)
        bare = BareBot(help_reply)

        async def run_ours() -> None:
            await messenger.run(core.dispatcher.dispatch)

        async def run_bare() -> None:
            await bare.start(fake.token)

        ours_task = await running(fake, run_ours)
        await measure(fake, 200, concurrency)  # warm-up: caches, JIT-free but lazy imports
        await stop(ours_task)
        bare_task = await running(fake, run_bare)
        await measure(fake, 200, concurrency)
        await stop(bare_task)
        await bare.close()

        ours_rates, bare_rates, slowest = [], [], 0.0
        for _ in range(rounds):
            bare = BareBot(help_reply)
            bare_task = await running(fake, run_bare)
            rate, worst = await measure(fake, total, concurrency)
            await stop(bare_task)
            await bare.close()
            bare_rates.append(rate)
            ours_task = await running(fake, run_ours)
            rate, worst_ours = await measure(fake, total, concurrency)
            await stop(ours_task)
            ours_rates.append(rate)
            slowest = max(slowest, worst_ours, worst)
        await core.aclose()
    await fake.stop()

    ours, base = statistics.median(ours_rates), statistics.median(bare_rates)
    # Rounds alternate, so each pair saw the same machine load; the median pair ratio is robust.
    ratio = statistics.median(o / b for o, b in zip(ours_rates, bare_rates, strict=True))
    print(f"allybot on Discord: {ours:8.0f} interactions/s (median of {rounds} rounds of {total})")
    print(f"bare discord.py   : {base:8.0f} interactions/s")
    print(
        f"ratio             : {ratio:8.1%} (median of paired rounds; target >= {TARGET_RATIO:.0%})"
    )
    print(f"slowest ack       : {slowest * 1000:8.1f} ms (limit {ACK_LIMIT_S:.0f} s)")
    write(
        "discord_adapter",
        [
            Figure(
                "help_rate",
                "allybot /help, interactions/s",
                ours,
                "/s",
                "bare discord.py bot, same text and buttons",
                base,
                target=f"≥ {TARGET_RATIO:.0%}",
                met=ratio >= TARGET_RATIO,
                ratio=ratio,
                ratio_format="{:.1%}",
            ),
            Figure(
                "slowest_ack_ms",
                "Slowest acknowledgement, either bot",
                slowest * 1000,
                "ms",
                target=f"< {ACK_LIMIT_S * 1000:,.0f} ms",
                met=slowest < ACK_LIMIT_S,
            ),
        ],
        json_path,
        notes=[
            f"medians of {rounds} paired rounds of {total:,} interactions, concurrency "
            f"{concurrency}; ratio: the median of paired-round ratios"
        ],
    )
    return 0 if ratio >= TARGET_RATIO and slowest < ACK_LIMIT_S else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interactions", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    add_json_argument(parser)
    options = parser.parse_args()
    sys.exit(
        asyncio.run(main(options.interactions, options.concurrency, options.rounds, options.json))
    )
