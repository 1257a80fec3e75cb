"""The database on disk: private files, secure_delete on every connection, a log truncated."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.core.messages import Address, ChatKind
from bot.core.ports import ChatPrefs
from db.session import checkpoint, create_engine, upgrade
from db.stores.chats import SqlChatStore
from tests.db.insecure_sqlite import without_secure_delete
from tests.db.test_erasure import NOW


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_folder_is_0700_and_the_files_0600_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "data" / "nested" / "allybot.sqlite3"
    previous = os.umask(0o022)
    try:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade(engine)
        store = SqlChatStore(engine)
        await store.save_chat(ChatPrefs(Address("telegram", "1"), ChatKind.PRIVATE, NOW))
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        assert all(f.exists() for f in files), "the companions exist while the engine is open"
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert mode(path.parent) == 0o700
        await engine.dispose()
    finally:
        os.umask(previous)


async def test_an_existing_world_readable_database_is_made_private(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    path = folder / "allybot.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o644)
    folder.chmod(0o755)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    await engine.dispose()
    assert (mode(folder), mode(path)) == (0o700, 0o600)


async def test_every_connection_turns_secure_delete_on_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_secure_delete(monkeypatch)
    path = tmp_path / "pragma.sqlite3"
    with sqlite3.connect(path) as own:
        assert own.execute("PRAGMA secure_delete").fetchone() == (0,), "the simulation holds"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    connections = [await engine.connect() for _ in range(3)]
    try:
        for connection in connections:
            assert (await connection.execute(text("PRAGMA secure_delete"))).scalar() == 1
    finally:
        for connection in connections:
            await connection.close()
        await engine.dispose()


async def test_a_checkpoint_truncates_the_log_while_the_stores_connections_stay_open(
    tmp_path: Path,
) -> None:
    path = tmp_path / "wal.sqlite3"
    wal = path.with_name(path.name + "-wal")
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    store = SqlChatStore(engine)
    for number in range(20):
        await store.save_chat(ChatPrefs(Address("telegram", str(number)), ChatKind.PRIVATE, NOW))
        await store.get_chat(Address("telegram", str(number + 1)))
    assert wal.stat().st_size > 0
    # The pool keeps its idle connections: none of them may hold the log.
    assert engine.pool.checkedin() >= 1  # type: ignore[attr-defined]
    assert await checkpoint(engine) is True
    assert wal.stat().st_size == 0
    await engine.dispose()


async def test_a_checkpoint_waits_out_a_reader_and_says_when_it_could_not(
    tmp_path: Path,
) -> None:
    path = tmp_path / "busy.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    reader = sqlite3.connect(path, timeout=0)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM chats").fetchone()
    store = SqlChatStore(engine)
    await store.save_chat(ChatPrefs(Address("telegram", "1"), ChatKind.PRIVATE, NOW))
    try:
        # The pool's one connection: wait 50 ms, not the application's 5 s.
        async with engine.connect() as connection:
            await connection.execute(text("PRAGMA busy_timeout=50"))
        assert await checkpoint(engine) is False
    finally:
        reader.rollback()
        reader.close()
    assert await checkpoint(engine) is True
    await engine.dispose()


async def test_a_database_in_the_working_directory_leaves_the_directory_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir(mode=0o755)
    project.chmod(0o755)
    monkeypatch.chdir(project)
    engine = create_engine("sqlite+aiosqlite:///allybot.sqlite3")
    await upgrade(engine)
    await engine.dispose()
    assert (mode(project), mode(project / "allybot.sqlite3")) == (0o755, 0o600)
