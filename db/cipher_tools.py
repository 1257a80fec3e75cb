"""`allybot db encrypt | decrypt | backup`: the database file converted in place, or copied.

Synchronous on purpose: these run from the command line, never inside the bot's event loop.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy.engine import make_url

from db.cipher import NO_KEY, WRONG_KEY, CipherError, set_key, sqlcipher_module, unreadable
from db.session import COMPANIONS, FILE_MODE

ALREADY_ENCRYPTED = "the database is encrypted already (or is not an SQLite file)"
IN_USE = "the database is in use: stop the bot first"


def database_file(database_url: str) -> Path:
    """The SQLite file behind DATABASE_URL, which must exist."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise CipherError("DATABASE_URL is not an SQLite file: these tools are for SQLite only")
    path = Path(url.database)
    if not path.is_file():
        raise CipherError(f"there is no database at {path}")
    return path


@contextmanager
def _opened(path: Path, key: SecretStr | None, *, busy_s: float) -> Iterator[Any]:
    """A synchronous SQLCipher connection (keyed, or plain SQLite without a key)."""
    connection = sqlcipher_module().connect(str(path), timeout=busy_s, isolation_level=None)
    try:
        if key is not None:
            set_key(connection, key)
        yield connection
    finally:
        connection.close()


def _read(connection: Any, unreadable_means: str) -> None:
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except Exception as error:
        if unreadable(error):
            raise CipherError(unreadable_means) from None
        raise


def encrypt(path: Path, key: SecretStr) -> None:
    """Encrypt the plain database at `path` in place under `key`."""
    _convert(path, source_key=None, target_key=key, unreadable_means=ALREADY_ENCRYPTED)


def decrypt(path: Path, key: SecretStr) -> None:
    """Decrypt the database at `path`, encrypted under `key`, in place."""
    _convert(path, source_key=key, target_key=None, unreadable_means=WRONG_KEY)


def _convert(
    path: Path, *, source_key: SecretStr | None, target_key: SecretStr | None, unreadable_means: str
) -> None:
    """A converted copy beside the file, then an atomic rename over it, then the old bytes
    overwritten: the old inode lives on through a descriptor opened before the rename."""
    if path.stat().st_nlink > 1:
        # Zeroing the old inode would wipe the other name's contents too.
        raise CipherError(f"{path} has other hard links: remove them first")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.converting")
    _create_private(temporary)
    try:
        with _opened(path, source_key, busy_s=0) as source:
            _read(source, unreadable_means)
            _alone(source)
            # Everything in the write-ahead log into the file, and the log emptied: the export
            # reads the file, and nothing of the old file must stay behind in the log.
            busy, _, _ = source.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                raise CipherError(IN_USE)
            version = source.execute("PRAGMA user_version").fetchone()[0]
            target = "" if target_key is None else target_key.get_secret_value()
            source.execute("ATTACH DATABASE ? AS converted KEY ?", (str(temporary), target))
            source.execute("SELECT sqlcipher_export('converted')").close()
            source.execute(f"PRAGMA converted.user_version = {int(version)}").close()
            source.execute("DETACH DATABASE converted").close()
        _fsync(temporary)
        # The log and index, emptied by the checkpoint, would otherwise meet the new file.
        for suffix in COMPANIONS:
            _wipe(path.with_name(path.name + suffix))
        old = os.open(path, os.O_RDWR)
        try:
            os.replace(temporary, path)
            _fsync(path.parent)
            _zero(old)
        finally:
            os.close(old)
    finally:
        temporary.unlink(missing_ok=True)


def _alone(connection: Any) -> None:
    """Hold the file exclusively until the connection closes; refuse if anyone has it open (the
    bot's pooled connections keep a lock on it even when idle)."""
    connection.execute("PRAGMA locking_mode = EXCLUSIVE").close()
    try:
        connection.execute("BEGIN EXCLUSIVE").close()
        connection.execute("COMMIT").close()
    except Exception as error:
        if "locked" in str(error) or "busy" in str(error):
            raise CipherError(IN_USE) from None
        raise


def backup(source: Path, target: Path, key: SecretStr | None) -> None:
    """A consistent copy of the database as it is now (the bot may be running), encrypted under
    the same key when there is one, private to this user.

    VACUUM INTO reads one snapshot, writes only live rows (nothing from free pages) and, under
    SQLCipher, encrypts the copy with the source's key.
    """
    if target.exists():
        raise CipherError(f"{target} exists already: give each backup a new name")
    _create_private(target)
    try:
        with _opened(source, key, busy_s=5.0) as connection:
            _read(connection, WRONG_KEY if key is not None else NO_KEY)
            connection.execute("VACUUM INTO ?", (str(target),)).close()
        _fsync(target)
        _fsync(target.parent)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _create_private(path: Path) -> None:
    """An empty file only this user can read, before SQLite writes it (under the umask, SQLite
    would make it readable by everyone)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileNotFoundError:
        raise CipherError(f"there is no folder {path.parent}") from None


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _zero(descriptor: int) -> None:
    """Overwrite a file's every byte with zeros, through to the disk."""
    size = os.fstat(descriptor).st_size
    block = bytes(1 << 20)
    os.lseek(descriptor, 0, os.SEEK_SET)
    done = 0
    while done < size:
        done += os.write(descriptor, block[: min(len(block), size - done)])
    os.fsync(descriptor)


def _wipe(path: Path) -> None:
    with suppress(FileNotFoundError):
        descriptor = os.open(path, os.O_RDWR)
        try:
            _zero(descriptor)
        finally:
            os.close(descriptor)
        path.unlink()
