"""Shared fixtures: the real core on a fresh SQLite file per test, with a clock the test moves."""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import Core, build_core
from bot.ratelimit import Unlimited
from bot.settings import Settings
from db.session import create_engine, upgrade
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


def _migrated(url: str) -> None:
    """Migrate `url` to the head, on a thread of its own (pytest-asyncio owns this one's loop)."""

    async def migrate() -> None:
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    failed: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(migrate())
        except BaseException as error:  # handed to the caller
            failed.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]


@pytest.fixture(scope="session")
def sqlite_at_head(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the head once per run, copied for each test that wants one."""
    path = tmp_path_factory.mktemp("head") / "allybot.sqlite3"
    _migrated(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_at_head(postgres: Server) -> str:
    """A PostgreSQL database migrated to the head once per run, the template of each test's."""
    name = postgres.fresh_database()
    _migrated(postgres.url(name))
    return name


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Like `database_url`, but already migrated to the head (a copy of a file or a database
    migrated once per run): for tests of what runs on the schema, not of the migrations, which
    `database_url`'s empty databases keep testing (tests/db). The core's own `upgrade` at start
    then finds nothing to do, as on any restart."""
    if request.param == "sqlite":
        head: Path = request.getfixturevalue("sqlite_at_head")
        copy = tmp_path / head.name
        for part in head.parent.glob(f"{head.name}*"):  # with a -wal or -shm left, if any
            shutil.copy2(part, tmp_path / part.name)
        yield f"sqlite+aiosqlite:///{copy}"
        return
    server: Server = request.getfixturevalue("postgres")
    template: str = request.getfixturevalue("postgres_at_head")
    name = server.fresh_database(template=template)
    yield server.url(name)
    server.drop_database(name)
