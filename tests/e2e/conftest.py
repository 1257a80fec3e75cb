"""End to end: the real `allybot run` process against the fake Bot API, on the real clock.

`bot` starts `python -m bot run` as a subprocess on a fresh database, pointed at the fake
Telegram server running in the test's own event loop (`fake`, answering each call after 100 to
300 ms like the real API). A test talks to it only through the fake, as people would, and may
stop it with a signal and start it again on the same database.

Every test runs twice, through the `database_url` fixture (tests/conftest.py): on a fresh SQLite
file and on a fresh database of the session's throwaway PostgreSQL server (tests/support/
postgres.py), with DATABASE_URL pointing the process at it. `rows` and `execute` read and change
that database from the test (dialect-neutral SQL only); none of these tests is about the SQLite
file itself (encryption at rest, erased bytes, WAL), so none is SQLite-only: those live in
tests/db. Each half takes about 11.5 minutes on 2 cores (the walkthroughs on the real clock,
the organizer days and discreet mode, are most of it), so the suite runs it all on both.

`both` is the same process serving Telegram and Discord at once: `discord` is the fake Discord
(REST and gateway, reached through DISCORD_API_BASE_URL and DISCORD_GATEWAY_URL, answering after
50 to 150 ms), the organizers are two people on Telegram and one on Discord, and a broadcast to
more than three chats needs a second organizer's approval.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests.adapters.telegram.fake_server import ORGANIZER, TOKEN, FakeTelegram, private_chat, user
from tests.e2e.discord import LaggyDiscord
from tests.support.paths import REPO

# What the real Bot API takes per call, roughly: enough that pacing and stopping take real time.
LATENCY = (0.1, 0.3)
START_WITHIN_S = 30.0
# The second Telegram organizer (the first is the fake's ORGANIZER), who approves broadcasts.
SECOND_ORGANIZER = user(7311225566, "ru", "Зарема")
# A broadcast to more chats than this needs a second organizer: a handful of subscribers will do.
APPROVAL_ABOVE = 3


class BotProcess:
    """One `allybot run` process; `stderr` collects its log (the token is never in it)."""

    def __init__(
        self,
        fake: FakeTelegram,
        database_url: str,
        cwd: Path,
        discord: LaggyDiscord | None = None,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        self.fake = fake
        # A SQLite file's or a PostgreSQL database's SQLAlchemy URL (the `database_url` fixture).
        self.database_url = database_url
        self.cwd = cwd
        # With a fake Discord, the process serves it too (DISCORD_BOT_TOKEN and its URLs).
        self.discord = discord
        # More settings for the process, over the defaults below (ORGANIZERS, say).
        self.settings = dict(settings or {})
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
            and not k.startswith(("RATE_LIMIT_", "BROADCAST_"))
        }
        env = {
            **clean,
            "PYTHONPATH": str(REPO),
            "DATABASE_URL": self.database_url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": self.fake.base_url,
            "ORGANIZERS": f"telegram:{ORGANIZER['id']}",
            "LOG_LEVEL": "INFO",
        }
        if self.discord is not None:
            env |= {
                "DISCORD_BOT_TOKEN": self.discord.token,
                "DISCORD_API_BASE_URL": self.discord.base_url,
                "DISCORD_GATEWAY_URL": str(self.discord.gateway_url),
            }
        return env | self.settings

    async def start(self) -> None:
        """Start the process and return once it polls for updates (and, with a fake Discord,
        once its client has identified on the gateway)."""
        assert self.process is None or self.process.returncode is not None
        polls = len(self.fake.calls_to("getUpdates"))
        if self.discord is not None:
            self.discord.identified.clear()
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
        ready = asyncio.create_task(self._ready(polls))
        ended = asyncio.create_task(self.process.wait())
        await asyncio.wait({ready, ended}, return_when=asyncio.FIRST_COMPLETED)
        if ended.done():
            ready.cancel()
            await self._drain()
            raise AssertionError(f"allybot ended at start:\n{self.stderr}")
        ended.cancel()
        ready.result()

    async def _ready(self, polls: int) -> None:
        async with asyncio.timeout(START_WITHIN_S):
            await self.fake.wait_until(
                lambda: len(self.fake.calls_to("getUpdates")) > polls, within=START_WITHIN_S
            )
            if self.discord is not None:
                await self.discord.wait_identified(within=START_WITHIN_S)

    def secrets_in_stderr(self) -> list[str]:
        """Which of the tokens the log shows (there must be none)."""
        tokens = [TOKEN, TOKEN.split(":")[1]]
        if self.discord is not None:
            tokens += [self.discord.token, *self.discord.token.split(".")[1:]]
        return [token for token in tokens if token in self.stderr]

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
async def bot(fake: FakeTelegram, database_url: str, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """The real process (not yet started: `await bot.start()`), stopped with SIGTERM at the end."""
    process = BotProcess(fake, database_url, tmp_path)
    async with stopped_at_the_end(process):
        yield process


@pytest.fixture
async def discord() -> AsyncIterator[LaggyDiscord]:
    """The fake Discord, answering each REST call after 50 to 150 ms."""
    server = LaggyDiscord()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def both(
    fake: FakeTelegram, discord: LaggyDiscord, database_url: str, tmp_path: Path
) -> AsyncIterator[BotProcess]:
    """The real process serving both fakes (not yet started), stopped with SIGTERM at the end.

    Organizers: the fake Telegram's ORGANIZER and SECOND_ORGANIZER, and `discord.organizer_id`;
    broadcasts to more than APPROVAL_ABOVE chats need a second organizer's approval.
    """
    # The second organizer has opened a chat with the bot too: approval requests reach it.
    fake.chats[SECOND_ORGANIZER["id"]] = private_chat(SECOND_ORGANIZER)
    organizers = (
        f"telegram:{ORGANIZER['id']},telegram:{SECOND_ORGANIZER['id']},"
        f"discord:{discord.organizer_id}"
    )
    process = BotProcess(
        fake,
        database_url,
        tmp_path,
        discord=discord,
        settings={
            "ORGANIZERS": organizers,
            "BROADCAST_SECOND_APPROVAL_ABOVE": str(APPROVAL_ABOVE),
        },
    )
    async with stopped_at_the_end(process):
        yield process
    # Nothing in these tests is meant to fail inside the bot.
    assert "Traceback" not in process.stderr, process.stderr


@contextlib.asynccontextmanager
async def stopped_at_the_end(process: BotProcess) -> AsyncIterator[None]:
    """At the end: SIGTERM, exit 0, and no token anywhere in the log."""
    try:
        yield
    finally:
        if process.process is not None and process.process.returncode is None:
            try:
                code, _ = await process.stop()
            except TimeoutError:
                await process.kill()
                raise
            assert code == 0, process.stderr
        await process._drain()
        assert not process.secrets_in_stderr()


def is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite")


async def rows(database_url: str, sql: str) -> list[tuple[object, ...]]:
    """Read the bot's database directly, between runs or while it runs (SQLite in WAL mode or
    PostgreSQL): a connection of the test's own, closed before this returns."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return [tuple(row) for row in await connection.execute(text(sql))]
    finally:
        await engine.dispose()


async def execute(database_url: str, sql: str) -> None:
    """Change the bot's database directly, in a transaction of its own."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(sql))
    finally:
        await engine.dispose()


async def rows_until(
    database_url: str,
    sql: str,
    check: Callable[[list[tuple[object, ...]]], bool],
    within: float,
    poll_s: float = 0.1,
) -> list[tuple[object, ...]]:
    """Read `sql` every `poll_s` seconds until `check(rows)` holds; those rows."""
    async with asyncio.timeout(within):
        # The database is another process's: polling is the one way to see it change.
        while not check(found := await rows(database_url, sql)):  # noqa: ASYNC110
            await asyncio.sleep(poll_s)
    return found
