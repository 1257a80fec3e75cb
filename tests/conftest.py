"""Shared fixtures: the real core on a fresh SQLite file per test, with a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import Core, build_core
from bot.ratelimit import Unlimited
from bot.settings import Settings
from tests.support.chat import Say, speaker
from tests.support.fakes import FixedClock
from tests.support.postgres import Server
from tests.support.postgres import start as start_postgres
from tests.support.postgres import stop as stop_postgres
from tests.support.reminders import RecordingMessenger, Reminders, compose
from tests.support.settings import settings_on


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """SQLite only; a folder whose stores must also hold on PostgreSQL overrides this with
    `settings_on(database_url)`, which runs each of its tests on both."""
    return settings_on(f"sqlite+aiosqlite:///{tmp_path / 'allybot.sqlite3'}")


@pytest.fixture
async def core(settings: Settings, clock: FixedClock) -> AsyncIterator[Core]:
    core = await build_core(settings, clock=clock, limiter=Unlimited())
    yield core
    await core.aclose()


@pytest.fixture
def say(core: Core) -> Say:
    """Chat with the real dispatcher: `await say("/events past", locale="ru")`."""
    return speaker(core.dispatcher.dispatch, chat="alice")


@pytest.fixture
def messenger() -> RecordingMessenger:
    return RecordingMessenger()


@pytest.fixture
def rem(core: Core, clock: FixedClock, messenger: RecordingMessenger) -> Reminders:
    return compose(core, {"console": messenger})


@pytest.fixture
def ask(rem: Reminders) -> Say:
    """Like `say`, through the dispatcher the reminder tests compose."""
    return speaker(rem.dispatcher.dispatch, chat="alice")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    """One throwaway PostgreSQL server for the whole run (tests/support/postgres.py): stopped
    here at the session's end, and by atexit or SIGTERM if the run ends otherwise."""
    server = start_postgres()
    try:
        yield server
    finally:
        stop_postgres(server)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same test on a fresh SQLite file and on a fresh PostgreSQL database (dropped after
    the test, so a long run does not fill the server's folder)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'allybot.sqlite3'}"
        return
    server: Server = request.getfixturevalue("postgres")
    name = server.fresh_database()
    yield server.url(name)
    server.drop_database(name)
