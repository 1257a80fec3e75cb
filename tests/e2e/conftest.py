"""End to end: the real `allybot run` process against the fake Bot API, on the real clock.

`bot` starts `python -m bot run` as a subprocess with a fresh SQLite file, pointed at the fake
Telegram server running in the test's own event loop (`fake`, answering each call after 100 to
300 ms like the real API). A test talks to it only through the fake, as people would, and may
stop it with a signal and start it again on the same database file.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.adapters.telegram.fake_server import ORGANIZER, TOKEN, FakeTelegram, private_chat
from tests.support.paths import REPO

# What the real Bot API takes per call, roughly: enough that pacing and stopping take real time.
LATENCY = (0.1, 0.3)
START_WITHIN_S = 30.0


class BotProcess:
    """One `allybot run` process; `stderr` collects its log (the token is never in it)."""

    def __init__(self, fake: FakeTelegram, database: Path, cwd: Path) -> None:
        self.fake = fake
        self.database = database
        self.cwd = cwd
        self.process: asyncio.subprocess.Process | None = None
        self.stderr = ""
        self._reader: asyncio.Task[None] | None = None

    def env(self) -> dict[str, str]:
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(
                ("TELEGRAM_", "DISCORD_", "DATABASE_URL", "ORGANIZERS", "CONTENT_DIR", "LOG_LEVEL")
            )
            and not k.startswith("RATE_LIMIT_")
        }
        return {
            **clean,
            "PYTHONPATH": str(REPO),
            "DATABASE_URL": f"sqlite+aiosqlite:///{self.database}",
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": self.fake.base_url,
            "ORGANIZERS": f"telegram:{ORGANIZER['id']}",
            "LOG_LEVEL": "INFO",
        }

    async def start(self) -> None:
        """Start the process and return once it polls for updates."""
        assert self.process is None or self.process.returncode is not None
        polls = len(self.fake.calls_to("getUpdates"))
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=self.cwd,
            env=self.env(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read(self.process))
        ready = asyncio.create_task(
            self.fake.wait_until(
                lambda: len(self.fake.calls_to("getUpdates")) > polls, within=START_WITHIN_S
            )
        )
        ended = asyncio.create_task(self.process.wait())
        await asyncio.wait({ready, ended}, return_when=asyncio.FIRST_COMPLETED)
        if ended.done():
            ready.cancel()
            await self._drain()
            raise AssertionError(f"allybot ended at start:\n{self.stderr}")
        ended.cancel()
        ready.result()

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stderr is not None
        async for line in process.stderr:
            self.stderr += line.decode(errors="replace")

    async def _drain(self) -> None:
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None

    async def stop(self, signum: int = signal.SIGTERM, within: float = 15.0) -> tuple[int, float]:
        """Send `signum` and wait for the exit: (exit code, seconds it took)."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signum)
        async with asyncio.timeout(within):
            code = await self.process.wait()
        await self._drain()
        return code, time.monotonic() - started

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        await self._drain()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    server.latency = LATENCY
    # The organizer has opened a chat with the bot, so a chat-scoped menu can be set.
    server.chats[ORGANIZER["id"]] = private_chat(ORGANIZER)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """The real process (not yet started: `await bot.start()`), stopped with SIGTERM at the end."""
    process = BotProcess(fake, tmp_path / "allybot.sqlite3", tmp_path)
    try:
        yield process
    finally:
        if process.process is not None and process.process.returncode is None:
            try:
                code, _ = await process.stop()
            except TimeoutError:
                await process.kill()
                raise
            assert code == 0, process.stderr
        await process._drain()
        assert TOKEN.split(":")[1] not in process.stderr


def rows(database: Path, sql: str) -> list[tuple[object, ...]]:
    """Read the bot's database file directly (between runs, or while it runs: SQLite WAL)."""
    connection = sqlite3.connect(database)
    try:
        return list(connection.execute(sql))
    finally:
        connection.close()
