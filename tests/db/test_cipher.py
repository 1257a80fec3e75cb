"""DATABASE_KEY: the database file, and its write-ahead log while the bot runs, hold nothing
readable; without the key the file does not open; with it everything reads back."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import struct
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from sqlalchemy.exc import IntegrityError

from bot.app import Core, build_core
from bot.core.messages import Address
from bot.ratelimit import Unlimited
from bot.settings import Settings
from db.cipher import CipherError, keyed_open, sqlcipher_module
from db.cipher_tools import encrypt
from db.session import create_engine, upgrade
from tests.support.chat import speaker
from tests.support.fakes import FixedClock

KEY = "correct horse battery staple, «ключ» 'quoted' \"twice\""
CHAT = 4815162342
ZONE = "Asia/Novosibirsk"
TOPIC = "remembrance"


def settings_for(path: Path, key: str | None) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{path}",
        database_key=key,  # type: ignore[arg-type]
    )


def needles() -> dict[str, bytes]:
    return {
        "time zone": ZONE.encode(),
        "topic": TOPIC.encode(),
        "chat id": str(CHAT).encode(),
        "chat id, int64 little-endian": struct.pack("<q", CHAT),
        "chat id, int64 big-endian": struct.pack(">q", CHAT),
    }


def found(path: Path) -> list[str]:
    """Which needles the file or its companions hold, byte for byte."""
    hits = []
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        file = path.with_name(name)
        data = file.read_bytes() if file.exists() else b""
        hits += [f"{what} in {name}" for what, value in needles().items() if value in data]
    return hits


async def fill(core: Core) -> None:
    say = speaker(core.dispatcher.dispatch, chat=str(CHAT))
    for line in (f"/subscribe {TOPIC}", f"/settings timezone {ZONE}"):
        await say(line)


@pytest.mark.parametrize("key", [None, KEY], ids=["plain", "encrypted"])
async def test_the_encrypted_file_and_its_log_hold_nothing_readable(
    tmp_path: Path, key: str | None
) -> None:
    path = tmp_path / "allybot.sqlite3"
    core = await build_core(settings_for(path, key), clock=FixedClock(), limiter=Unlimited())
    try:
        await fill(core)
        # While the bot runs, the new rows are in the write-ahead log.
        assert path.with_name(path.name + "-wal").stat().st_size > 0
        running = found(path)
    finally:
        await core.aclose()
    if key is None:
        # The control: the same rows are plain to see without a key, so the search works.
        assert {"time zone in allybot.sqlite3-wal", "topic in allybot.sqlite3-wal"} <= set(running)
        assert "chat id in allybot.sqlite3" in found(path)
        return
    assert running == [], "while the bot runs"
    assert found(path) == [], "after a clean stop"

    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(path).execute("SELECT * FROM chats").fetchall()

    core = await build_core(settings_for(path, key), clock=FixedClock(), limiter=Unlimited())
    try:
        prefs = await core.store.get_chat(Address("console", str(CHAT)))
    finally:
        await core.aclose()
    assert prefs is not None
    assert prefs.timezone == ZONE
    assert TOPIC in prefs.topics


OTHER_TOOL = """
import sys
import sqlcipher3.dbapi2 as sqlcipher
path, key, page_size = sys.argv[1], sys.argv[2], sys.argv[3]
connection = sqlcipher.connect(path)
connection.execute("PRAGMA key = '" + key.replace("'", "''") + "'")
if page_size:
    connection.execute(f"PRAGMA cipher_page_size = {int(page_size)}")
print(connection.execute("SELECT timezone FROM chats").fetchall())
"""


@pytest.mark.parametrize("page_size", ["", "2048"], ids=["defaults", "as the README says"])
async def test_another_sqlcipher_tool_opens_the_file_as_the_readme_says(
    tmp_path: Path, page_size: str
) -> None:
    """The README tells how to open an encrypted file outside the bot (a restore checked by hand,
    DB Browser): the key, then `PRAGMA cipher_page_size = 2048`. A fresh process, so nothing of
    this one's SQLCipher defaults helps."""
    path = tmp_path / "allybot.sqlite3"
    core = await build_core(settings_for(path, KEY), clock=FixedClock(), limiter=Unlimited())
    try:
        await fill(core)
    finally:
        await core.aclose()
    opened = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", OTHER_TOOL, str(path), KEY, page_size],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if page_size:
        assert opened.returncode == 0, opened.stderr
        assert ZONE in opened.stdout
    else:
        assert opened.returncode != 0
        assert "not a database" in opened.stderr


@pytest.mark.parametrize(
    ("written_with", "opened_with", "expected"),
    [
        (KEY, KEY + "!", "cannot be opened with DATABASE_KEY: wrong key"),
        (None, KEY, "cannot be opened with DATABASE_KEY: wrong key, or the file is not encrypted"),
        (KEY, None, "the database is encrypted (or is not an SQLite file): set DATABASE_KEY"),
    ],
    ids=["wrong key", "key for a plain file", "no key for an encrypted file"],
)
async def test_a_file_that_does_not_open_with_the_key_given_is_one_clear_error(
    tmp_path: Path, written_with: str | None, opened_with: str | None, expected: str
) -> None:
    path = tmp_path / "allybot.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}", secret(written_with))
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    engine = create_engine(f"sqlite+aiosqlite:///{path}", secret(opened_with))
    try:
        with pytest.raises(CipherError) as refused:
            await upgrade(engine)
    finally:
        await engine.dispose()
    assert expected in str(refused.value)
    assert "\n" not in str(refused.value)
    assert KEY not in str(refused.value)


def secret(key: str | None) -> SecretStr | None:
    return None if key is None else SecretStr(key)


@settings(max_examples=15, deadline=None)
@given(key=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=200))
def test_any_passphrase_opens_what_it_encrypted_and_only_that(key: str) -> None:
    """Quotes, backslashes, newlines, NUL and any script, short or long: the key sqlite3_key gets
    (the bot's connections) and ATTACH's bound KEY (db encrypt) derive the same page key, and
    the key with one character more does not open the file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "db.sqlite3"
        plain = sqlite3.connect(path)
        plain.execute("CREATE TABLE chats (timezone TEXT)")
        plain.execute("INSERT INTO chats VALUES (?)", (ZONE,))
        plain.commit()
        plain.close()
        encrypt(path, SecretStr(key))
        assert ZONE.encode() not in path.read_bytes()

        opened = keyed_open(SecretStr(key))(str(path))
        try:
            assert opened.execute("SELECT timezone FROM chats").fetchall() == [(ZONE,)]
        finally:
            opened.close()
        other = keyed_open(SecretStr(key + "x"))(str(path))
        try:
            with pytest.raises(Exception, match="not a database"):
                other.execute("SELECT timezone FROM chats").fetchall()
        finally:
            other.close()


@pytest.mark.parametrize("key", [None, KEY], ids=["plain", "encrypted"])
async def test_database_errors_reach_sqlalchemy_alike_with_or_without_a_key(
    tmp_path: Path, key: str | None
) -> None:
    """A constraint broken on an encrypted database is SQLAlchemy's IntegrityError, as on a
    plain one: SQLCipher's exception classes are the engine's DB-API errors."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}", secret(key))
    try:
        await upgrade(engine)
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.exec_driver_sql(
                    "INSERT INTO chat_topics (chat_pk, topic) VALUES (404, 'events')"
                )
        # The pool's connection is still good after the error.
        async with engine.connect() as connection:
            count = await connection.exec_driver_sql("SELECT count(*) FROM chat_topics")
            assert count.scalar_one() == 0
    finally:
        await engine.dispose()


def test_the_page_key_is_derived_once_for_every_connection_to_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PBKDF2's 256,000 rounds are paid once per file, not once per pooled connection; and the
    page key derived here is the one SQLCipher derives from the passphrase itself."""
    path = tmp_path / "db.sqlite3"
    sqlcipher = sqlcipher_module()
    written = sqlcipher.connect(str(path))
    written.set_key(KEY.encode())  # SQLCipher's own derivation, as `db encrypt` uses it
    written.execute("CREATE TABLE chats (timezone TEXT)")
    written.execute("INSERT INTO chats VALUES (?)", (ZONE,))
    written.commit()
    written.close()
    derivations = []
    real = hashlib.pbkdf2_hmac

    def counted(*args: Any) -> bytes:
        derivations.append(args[0])
        return real(*args)

    monkeypatch.setattr(hashlib, "pbkdf2_hmac", counted)
    opener = keyed_open(SecretStr(KEY))
    connections = [opener(str(path)) for _ in range(5)]
    try:
        for connection in connections:
            assert connection.execute("SELECT timezone FROM chats").fetchall() == [(ZONE,)]
    finally:
        for connection in connections:
            connection.close()
    assert derivations == ["sha512"]


async def test_the_pragmas_hold_on_sqlcipher(tmp_path: Path) -> None:
    """WAL, secure_delete and foreign keys, as db/session.py sets them, on an encrypted file."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}", secret(KEY))
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            values = [
                (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar_one()
                for name in ("cipher_version", "journal_mode", "secure_delete", "foreign_keys")
            ]
    finally:
        await engine.dispose()
    assert values[0], "SQLCipher answers: the connection is SQLCipher's"
    assert values[1:] == ["wal", 1, 1]


def test_without_the_binding_a_key_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # As on a machine where sqlcipher3-binary has no wheel: the import fails.
    monkeypatch.setitem(sys.modules, "sqlcipher3.dbapi2", None)
    with pytest.raises(CipherError, match="DATABASE_KEY needs SQLCipher's Python binding"):
        create_engine("sqlite+aiosqlite:///unused.sqlite3", SecretStr(KEY))
