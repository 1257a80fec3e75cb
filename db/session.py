"""The engine and session factory, made at start (never at import), and migrations."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from pydantic import SecretStr
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from db.cipher import CipherError, adapted_dbapi, keyed_open, refuse_unreadable
from db.dialect import migration_lock
from db.sqlite_driver import connector

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
# Who can read the database can read who supports whom: only the bot's own user may.
FOLDER_MODE = 0o700
FILE_MODE = 0o600
# SQLite's companions of the database file: the write-ahead log and its shared-memory index.
COMPANIONS = ("-wal", "-shm")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Erased rows are overwritten with zeros, not merely unlinked: without this, most SQLite
    # builds (all but a few distributions compile it off) leave them readable in free space.
    cursor.execute("PRAGMA secure_delete=ON")
    # WAL lets the scheduler read while a command writes; foreign keys make erasure cascade.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _private_files(path: Path) -> Any:
    """A connect listener: the -wal and -shm files appear only once SQLite opens the database in
    WAL mode, so their permissions are checked each time a connection opens (SQLite copies the
    main file's mode to them, but a file left by an older version may be wider)."""

    def tighten(_dbapi_connection: Any, _record: Any) -> None:
        for name in (path.name, *(path.name + suffix for suffix in COMPANIONS)):
            _restrict(path.with_name(name), FILE_MODE)

    return tighten


def _restrict(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except FileNotFoundError:
        pass
    except PermissionError:
        # A folder the bot does not own (a shared parent such as /tmp): the files inside it
        # are still 0600, which is what protects them.
        log.warning("cannot restrict the permissions of %s to %o", path, mode)


def _shared(folder: Path) -> bool:
    """The working directory, or a folder everyone writes to (sticky, such as /tmp)."""
    resolved = folder.resolve()
    return resolved == Path.cwd().resolve() or bool(resolved.stat().st_mode & stat.S_ISVTX)


def _prepare_file(database: Path) -> None:
    """Create the folder (0700) and an empty database file (0600) before SQLite does: SQLite
    would create the file under the process umask (world-readable with the usual 022)."""
    folder = database.parent
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    if _shared(folder):
        # Closing the working directory or /tmp to everyone else would break more than it
        # protects; the files themselves are still 0600.
        log.warning("the database should have a folder of its own (as the default data/)")
    else:
        _restrict(folder, FOLDER_MODE)
    descriptor = os.open(database, os.O_RDWR | os.O_CREAT, FILE_MODE)
    os.close(descriptor)
    for name in (database.name, *(database.name + suffix for suffix in COMPANIONS)):
        _restrict(database.with_name(name), FILE_MODE)


def create_engine(database_url: str, key: SecretStr | None = None) -> AsyncEngine:
    """An async engine; for an SQLite file, creates its folder and the file itself private to
    this user (whatever the umask) and sets the pragmas on every connection. With `key`
    (DATABASE_KEY), the file is encrypted by SQLCipher (db/cipher.py).

    hide_parameters: a failed statement's error would otherwise quote its parameters (chat ids)
    wherever it is printed."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        if key is not None:
            raise CipherError("DATABASE_KEY encrypts an SQLite database only")
        return create_async_engine(url, hide_parameters=True)
    # The pool hands out the connection given back last: in WAL mode a connection drops its
    # whole page cache when another one has written since its last read, and its own writes do
    # not. Most often one connection does everything and its cache stays warm; that matters
    # most with DATABASE_KEY, where every page read back is decrypted and authenticated again.
    engine = create_async_engine(
        url, pool_use_lifo=True, hide_parameters=True, **_one_trip_per_statement(url, key)
    )
    # First of the listeners: a file that does not open (wrong or missing key) is one clear line.
    event.listen(engine.sync_engine, "connect", refuse_unreadable(keyed=key is not None))
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        database = Path(url.database)
        _prepare_file(database)
        event.listen(engine.sync_engine, "connect", _private_files(database))
    return engine


def _one_trip_per_statement(url: URL, key: SecretStr | None) -> dict[str, Any]:
    """For aiosqlite, the engine's connections from db/sqlite_driver.py, opened with exactly the
    arguments SQLAlchemy's dialect would have passed (by SQLCipher, keyed, given a key)."""
    if url.get_driver_name() != "aiosqlite":
        if key is not None:
            raise CipherError("DATABASE_KEY needs the aiosqlite driver (sqlite+aiosqlite:///...)")
        return {}
    arguments, options = url.get_dialect()().create_connect_args(url)
    if key is None:
        return {"async_creator": connector(*arguments, **options)}
    return {
        "async_creator": connector(*arguments, open_with=keyed_open(key), **options),
        "module": adapted_dbapi(),
    }


async def checkpoint(engine: AsyncEngine) -> bool:
    """Copy the write-ahead log into the database file and truncate the log to zero bytes.

    After an erasure the erased rows' old versions are still in the -wal file until this runs;
    secure_delete has already zeroed them in the new versions. A checkpoint cannot finish while
    another connection reads, so it waits (busy_timeout) and reports whether it completed.
    """
    if engine.dialect.name != "sqlite":
        return True
    async with engine.connect() as connection:
        row = (await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).one()
        await connection.rollback()
    # The row is (busy, frames in the log, frames copied); busy means a reader kept it.
    busy = bool(row[0])
    if busy:
        log.warning("the write-ahead log could not be truncated: a reader held it")
    return not busy


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _upgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "heads")


async def upgrade(engine: AsyncEngine) -> None:
    """Apply every migration not yet applied (the schema's branches all end at a head)."""
    async with engine.begin() as connection:
        lock = migration_lock(engine.dialect.name)
        if lock is not None:
            await connection.exec_driver_sql(lock)
        await connection.run_sync(_upgrade)
