"""`allybot run | db encrypt | db decrypt | db backup` with DATABASE_KEY, as real processes on
real files: one clear line on a wrong key, conversions that keep every row and leave no old byte
behind, and backups of a running bot readable only with the key."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import Core, build_core
from bot.core.messages import Address
from bot.ratelimit import Unlimited
from bot.settings import Settings
from db.cipher import keyed_open
from tests.db.test_cipher import CHAT, TOPIC, ZONE, fill, found
from tests.support.fakes import FixedClock
from tests.test_cli import allybot

KEY = "a passphrase with 'quotes', \"doubles\" and кириллица"
WRONG_KEY_LINE = (
    "allybot: the database cannot be opened with DATABASE_KEY: wrong key, or the file is not "
    "encrypted (see allybot db encrypt)"
)


def env(path: Path, key: str | None = KEY) -> dict[str, str]:
    variables = {"DATABASE_URL": f"sqlite+aiosqlite:///{path}"}
    if key is not None:
        variables["DATABASE_KEY"] = key
    return variables


def settings_for(path: Path, key: str | None) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{path}",
        database_key=key,  # type: ignore[arg-type]
    )


async def filled(path: Path, key: str | None) -> None:
    """A database as a run of the bot leaves it: a chat with a topic and a time zone."""
    core = await build_core(settings_for(path, key), clock=FixedClock(), limiter=Unlimited())
    try:
        await fill(core)
    finally:
        await core.aclose()


async def stored_zone(path: Path, key: str | None) -> str | None:
    core = await build_core(settings_for(path, key), clock=FixedClock(), limiter=Unlimited())
    try:
        prefs = await core.store.get_chat(Address("console", str(CHAT)))
    finally:
        await core.aclose()
    assert prefs is not None and TOPIC in prefs.topics
    return prefs.timezone


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def contents(path: Path) -> bytes:
    return path.read_bytes()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    return folder / "allybot.sqlite3"


@pytest.fixture
async def running(path: Path) -> AsyncIterator[Core]:
    """The bot's core on the encrypted file, open (its pool holds connections) while a test
    runs the command line beside it."""
    core = await build_core(settings_for(path, KEY), clock=FixedClock(), limiter=Unlimited())
    await fill(core)
    yield core
    await core.aclose()


@pytest.mark.parametrize(
    ("written_with", "started_with", "line"),
    [
        (KEY, KEY + " ", WRONG_KEY_LINE),
        (None, KEY, WRONG_KEY_LINE),
        (
            KEY,
            None,
            "allybot: the database is encrypted (or is not an SQLite file): set DATABASE_KEY to "
            "open it (see allybot db decrypt)",
        ),
    ],
    ids=["wrong key", "key for a plain file", "no key for an encrypted file"],
)
async def test_a_start_that_cannot_open_the_database_stops_with_one_clear_line(
    path: Path, written_with: str | None, started_with: str | None, line: str
) -> None:
    await filled(path, written_with)
    result = allybot("run", stdin="/start\n", env=env(path, started_with), cwd=path.parent.parent)
    assert result.returncode == 2
    assert result.stderr.strip() == line
    assert KEY not in result.stdout + result.stderr
    assert "Welcome" not in result.stdout, "nothing was served"


async def test_the_console_runs_on_an_encrypted_database(path: Path) -> None:
    await filled(path, KEY)
    result = allybot("run", stdin="/settings\n", env=env(path), cwd=path.parent.parent)
    assert result.returncode == 0, result.stderr
    assert ZONE not in result.stdout, "the console's own chat is not the stored one"
    assert await stored_zone(path, KEY) == ZONE


async def test_encrypt_then_decrypt_keeps_every_row_and_leaves_no_plaintext(path: Path) -> None:
    await filled(path, None)
    assert "time zone in allybot.sqlite3" in found(path), "the control: plain before"
    # A descriptor on the original file: after the rename it still reads the old inode, which
    # must hold nothing but zeros by then.
    old = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(old).st_size
        encrypted = allybot("db", "encrypt", env=env(path), cwd=path.parent.parent)
        assert encrypted.returncode == 0, encrypted.stderr
        assert os.pread(old, size, 0) == bytes(size), "the old file's bytes are overwritten"
    finally:
        os.close(old)
    assert "encrypted" in encrypted.stdout
    assert found(path) == []
    assert sorted(p.name for p in path.parent.iterdir()) == ["allybot.sqlite3"], "no leftovers"
    assert mode(path) == 0o600
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(path).execute("SELECT * FROM chats").fetchall()
    assert await stored_zone(path, KEY) == ZONE

    decrypted = allybot("db", "decrypt", env=env(path), cwd=path.parent.parent)
    assert decrypted.returncode == 0, decrypted.stderr
    assert "remove DATABASE_KEY" in decrypted.stdout
    assert mode(path) == 0o600
    assert await stored_zone(path, None) == ZONE


@pytest.mark.parametrize(
    ("tool", "written_with", "given", "line"),
    [
        ("encrypt", KEY, KEY, "allybot: the database is encrypted already"),
        ("encrypt", None, None, "allybot: DATABASE_KEY is not set: encrypt needs it"),
        ("decrypt", None, KEY, WRONG_KEY_LINE),
        ("decrypt", KEY, KEY + "!", WRONG_KEY_LINE),
        ("decrypt", KEY, None, "allybot: DATABASE_KEY is not set: decrypt needs it"),
    ],
    ids=[
        "encrypted twice",
        "encrypt without key",
        "decrypt a plain file",
        "decrypt wrong key",
        "decrypt without key",
    ],
)
async def test_a_conversion_that_cannot_be_done_changes_nothing(
    path: Path, tool: str, written_with: str | None, given: str | None, line: str
) -> None:
    await filled(path, written_with)
    before = contents(path)
    result = allybot("db", tool, env=env(path, given), cwd=path.parent.parent)
    assert result.returncode == 2
    assert result.stderr.strip().startswith(line), result.stderr
    assert "Traceback" not in result.stderr
    assert contents(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["allybot.sqlite3"]


@pytest.mark.parametrize(("tool", "key"), [("encrypt", None), ("decrypt", KEY)])
async def test_conversions_refuse_while_the_bot_runs(
    path: Path, tool: str, key: str | None
) -> None:
    core = await build_core(settings_for(path, key), clock=FixedClock(), limiter=Unlimited())
    try:
        await fill(core)
        before = contents(path)
        result = allybot("db", tool, env=env(path), cwd=path.parent.parent)
        assert result.returncode == 2
        assert result.stderr.strip() == "allybot: the database is in use: stop the bot first"
        assert contents(path) == before
        # The bot carries on with its file as it was.
        prefs = await core.store.get_chat(Address("console", str(CHAT)))
        assert prefs is not None and prefs.timezone == ZONE
    finally:
        await core.aclose()


async def test_a_backup_of_the_running_bot_is_encrypted_private_and_complete(
    path: Path, tmp_path: Path, running: Core
) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    target = backups / "allybot-2026-12-01.sqlite3"
    result = allybot("db", "backup", str(target), env=env(path), cwd=path.parent.parent)
    assert result.returncode == 0, result.stderr
    assert "encrypted with DATABASE_KEY" in result.stdout
    assert mode(target) == 0o600
    assert found(target) == []
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(target).execute("SELECT * FROM chats").fetchall()
    opened = keyed_open(SecretStr(KEY))(str(target))
    try:
        rows = opened.execute(
            "SELECT c.timezone, t.topic FROM chats c JOIN chat_topics t ON t.chat_pk = c.id "
            "WHERE c.chat_id = ?",
            (str(CHAT),),
        ).fetchall()
    finally:
        opened.close()
    assert rows == [(ZONE, TOPIC)]

    again = allybot("db", "backup", str(target), env=env(path), cwd=path.parent.parent)
    assert again.returncode == 2
    assert "exists already" in again.stderr


async def test_without_a_key_the_backup_is_plain_and_says_so(path: Path, tmp_path: Path) -> None:
    await filled(path, None)
    target = tmp_path / "backup.sqlite3"
    result = allybot("db", "backup", str(target), env=env(path, None), cwd=path.parent.parent)
    assert result.returncode == 0, result.stderr
    assert "NOT encrypted" in result.stdout
    assert mode(target) == 0o600
    with sqlite3.connect(target) as plain:
        assert plain.execute("SELECT timezone FROM chats").fetchall() == [(ZONE,)]
