"""The server-setup store on a real, migrated SQLite file; and its migration matches its model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.server_setup import ServerSetup
from db.models.base import Base
from db.stores.setups import SqlServerSetups

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
MY_TABLES = {"server_setups", "command_hashes"}


@pytest.fixture
def setups(engine: AsyncEngine) -> SqlServerSetups:
    return SqlServerSetups(engine, clock=lambda: NOW)


def a_setup(**changes: Any) -> ServerSetup:
    values: dict[str, Any] = dict(
        platform="discord",
        server_id="1" * 18,
        channel_id="2" * 18,
        topics=frozenset({"events", "appeals"}),
        timezone="Europe/Berlin",
        locale="ru",
        updated_at=NOW,
    )
    values.update(changes)
    return ServerSetup(**values)


async def test_a_saved_setup_reads_back_exactly(setups: SqlServerSetups) -> None:
    await setups.save_setup(a_setup())
    assert await setups.get_setup("discord", "1" * 18) == a_setup()
    assert await setups.get_setup("telegram", "1" * 18) is None


async def test_saving_again_replaces_the_choices(setups: SqlServerSetups) -> None:
    await setups.save_setup(a_setup())
    await setups.save_setup(a_setup(channel_id="3" * 18, topics=frozenset(), timezone=None))
    assert await setups.get_setup("discord", "1" * 18) == a_setup(
        channel_id="3" * 18, topics=frozenset(), timezone=None
    )


async def test_marking_a_channel_broken_touches_only_setups_using_it(
    setups: SqlServerSetups,
) -> None:
    await setups.save_setup(a_setup())
    await setups.save_setup(a_setup(server_id="4" * 18, channel_id="5" * 18))
    assert await setups.mark_broken("discord", "2" * 18, "unknown_channel") == 1
    broken = await setups.get_setup("discord", "1" * 18)
    intact = await setups.get_setup("discord", "4" * 18)
    assert broken is not None and broken.broken_reason == "unknown_channel"
    assert intact is not None and intact.broken_reason is None
    assert await setups.mark_broken("discord", "9" * 18, "unknown_channel") == 0


async def test_deleting_a_setup(setups: SqlServerSetups) -> None:
    await setups.save_setup(a_setup())
    assert await setups.delete_setup("discord", "1" * 18) is True
    assert await setups.get_setup("discord", "1" * 18) is None
    assert await setups.delete_setup("discord", "1" * 18) is False


async def test_the_command_hash_is_stored_per_platform_and_scope(
    setups: SqlServerSetups,
) -> None:
    assert await setups.get_command_hash("discord", "global") is None
    await setups.set_command_hash("discord", "global", "a" * 64)
    await setups.set_command_hash("discord", "global", "b" * 64)
    assert await setups.get_command_hash("discord", "global") == "b" * 64
    assert await setups.get_command_hash("discord", "guild:1") is None


async def test_the_migration_creates_exactly_the_modelled_tables(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    mine = [d for d in differences if MY_TABLES & _tables(d)]
    assert mine == []


def _tables(difference: Any) -> set[str]:
    items = difference if isinstance(difference, list) else [difference]
    names = set()
    for item in items:
        for part in item:
            table = getattr(part, "table", None)
            name = getattr(part, "name", None) if table is None else table.name
            if isinstance(name, str):
                names.add(name)
            if isinstance(part, str):
                names.add(part)
    return names
