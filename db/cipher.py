"""SQLCipher: the SQLite file encrypted under DATABASE_KEY (the tools are in db/cipher_tools.py).

Who seizes the disk or a backup must not read who supports whom. With DATABASE_KEY set, every
connection is opened by SQLCipher (the sqlcipher3 binding) and keyed before anything reads the
file; without it the plain sqlite3 module opens the file, and sqlcipher3 is never imported.

The key reaches SQLCipher through sqlite3_key() (sqlcipher3's Connection.set_key), what `PRAGMA
key` itself calls: as bytes, in no SQL text, so nothing needs quoting and no statement can show it.
(Not `PRAGMA hexkey`: this build silently cuts its passphrase at 40 bytes, so a longer key and
that key with more characters appended opened the same file.) Where SQL takes the key as a value
(ATTACH ... KEY), it is a bound parameter, which derives the same page key. No log line or
exception here carries the key.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable
from typing import Any, cast

from pydantic import SecretStr

# An SQLCipher file starts with its salt, in the clear.
SALT_BYTES = 16
# The page size of every encrypted file, in bytes (see sqlcipher_module).
PAGE_SIZE = 2048
# SQLite's "file is not a database": what a wrong key, a key on a plain file and no key on an
# encrypted one all look like (a page that does not decrypt is a page that does not parse).
NOT_A_DATABASE = "not a database"
WRONG_KEY = (
    "the database cannot be opened with DATABASE_KEY: wrong key, or the file is not encrypted "
    "(see allybot db encrypt)"
)
NO_KEY = (
    "the database is encrypted (or is not an SQLite file): set DATABASE_KEY to open it "
    "(see allybot db decrypt)"
)


# The DB-API exception classes SQLAlchemy's aiosqlite adapter takes from aiosqlite (sqlite3's).
DBAPI_ERRORS = (
    "DatabaseError",
    "Error",
    "IntegrityError",
    "NotSupportedError",
    "OperationalError",
    "ProgrammingError",
)


class CipherError(Exception):
    """One line for the operator, never carrying the key."""


def sqlcipher_module() -> Any:
    # Imported only once a key is in play: an unencrypted bot runs without the binding.
    try:
        import sqlcipher3.dbapi2 as sqlcipher  # type: ignore[import-untyped]
    except ImportError:
        raise CipherError(
            "DATABASE_KEY needs SQLCipher's Python binding: pip install sqlcipher3-binary "
            "(or sqlcipher3, built against an installed SQLCipher)"
        ) from None

    # SQLCipher prints its own lines on stderr when a page does not decrypt (a wrong key); the
    # operator gets one line from us instead. The level is process-wide and touches no file.
    settings = sqlcipher.connect(":memory:")
    try:
        settings.execute("PRAGMA cipher_log_level = NONE")
        # Every page written is encrypted and authenticated whole (AES-256 and HMAC-SHA512, about
        # 2 µs a KB each here), and a new chat's /subscribe changes a row in six or seven pages:
        # at SQLCipher's 4 KB pages that was 60 µs, a quarter of the write (bench/encryption.py,
        # 0.73 of plain). At 2 KB it is half the bytes; 1 KB would halve them again but made the
        # reminder tick, which reads many rows, slower (more pages, each with its own IV and
        # MAC). The process default covers every file it encrypts (the bot's, `db encrypt`'s
        # copy, a backup); another SQLCipher tool opens them after `PRAGMA cipher_page_size`.
        settings.execute(f"PRAGMA cipher_default_page_size = {PAGE_SIZE}")
    finally:
        settings.close()
    return sqlcipher


def set_key(connection: Any, key: SecretStr) -> None:
    """Key a fresh SQLCipher connection, before anything reads the file."""
    connection.set_key(key.get_secret_value().encode("utf-8"))


def keyed_open(key: SecretStr) -> Callable[..., sqlite3.Connection]:
    """sqlite3.connect's stand-in for db/sqlite_driver.connector: SQLCipher, keyed first thing
    on the connection's thread.

    Keyed with the passphrase, SQLCipher derives the page key from it and the file's salt at the
    first read of every new connection: PBKDF2 with 256,000 rounds, about 0.1 s, paid again for
    each connection the pool opens. A file's salt is its first 16 bytes, in the clear, and
    SQLCipher reads it for `PRAGMA cipher_salt` without deriving anything; so the page key is
    derived here once per salt (as SQLCipher derives it) and every connection is then keyed with
    it raw (x'key salt'), which SQLCipher takes as it is. A wrong passphrase derives a wrong page
    key, which the first read refuses as before. A file with no page yet has no salt: SQLCipher
    derives (and makes the salt) itself.
    """
    sqlcipher = sqlcipher_module()
    passphrase = key.get_secret_value().encode("utf-8")
    derive = _kdf(sqlcipher)
    raw_keys: dict[bytes, bytes] = {}

    def open_keyed(database: str, **options: Any) -> sqlite3.Connection:
        connection = sqlcipher.connect(database, **options)
        connection.set_key(passphrase)
        if _has_salt(database):
            salt = bytes.fromhex(connection.execute("PRAGMA cipher_salt").fetchone()[0])
            if salt not in raw_keys:
                raw_keys[salt] = b"x'" + (derive(passphrase, salt) + salt).hex().encode() + b"'"
            # Before anything has read a page, a key given again replaces the first.
            connection.set_key(raw_keys[salt])
        # The same DB-API as sqlite3's (sqlcipher3 is pysqlite built against SQLCipher).
        return cast(sqlite3.Connection, connection)

    return open_keyed


def _kdf(sqlcipher: Any) -> Callable[[bytes, bytes], bytes]:
    """SQLCipher's own derivation of a page key (AES-256: 32 bytes), as its settings say."""
    probe = sqlcipher.connect(":memory:")
    try:
        rounds = int(probe.execute("PRAGMA cipher_default_kdf_iter").fetchone()[0])
        algorithm = str(probe.execute("PRAGMA cipher_default_kdf_algorithm").fetchone()[0])
    finally:
        probe.close()
    digest = {
        "PBKDF2_HMAC_SHA512": "sha512",
        "PBKDF2_HMAC_SHA256": "sha256",
        "PBKDF2_HMAC_SHA1": "sha1",
    }[algorithm]
    return lambda passphrase, salt: hashlib.pbkdf2_hmac(digest, passphrase, salt, rounds, 32)


def _has_salt(database: str) -> bool:
    # A stat, not an open: closing a descriptor on the file would drop this process's locks on
    # it, which SQLite's other connections here hold.
    try:
        return os.stat(database).st_size >= SALT_BYTES
    except (OSError, ValueError):
        return False  # ":memory:", a URI: SQLCipher derives on its own


def adapted_dbapi() -> Any:
    """SQLAlchemy's aiosqlite DB-API adapter with SQLCipher's exception classes and version:
    errors raised by a keyed connection are sqlcipher3's, and only as the dialect's own DB-API
    errors does SQLAlchemy wrap them as it wraps sqlite3's (an IntegrityError as
    sqlalchemy.exc.IntegrityError, and not a bare StatementError)."""
    import aiosqlite
    from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_dbapi

    sqlcipher = sqlcipher_module()
    adapted = AsyncAdapt_aiosqlite_dbapi(aiosqlite, sqlcipher)
    for name in (*DBAPI_ERRORS, "sqlite_version", "sqlite_version_info"):
        setattr(adapted, name, getattr(sqlcipher, name))
    return adapted


def unreadable(error: BaseException) -> bool:
    """Whether `error` (sqlite3's or SQLCipher's) says the file does not open as a database."""
    database_error = isinstance(error, sqlite3.DatabaseError) or (
        type(error).__module__.startswith("sqlcipher3") and type(error).__name__ == "DatabaseError"
    )
    return database_error and NOT_A_DATABASE in str(error)


def refuse_unreadable(keyed: bool) -> Callable[[Any, Any], None]:
    """A connect listener, registered before the pragmas: reads the schema once per connection,
    so a wrong or missing key stops the start with one line instead of a driver traceback."""

    def check(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT count(*) FROM sqlite_master")
        except Exception as error:
            if unreadable(error):
                raise CipherError(WRONG_KEY if keyed else NO_KEY) from None
            raise
        finally:
            cursor.close()

    return check
