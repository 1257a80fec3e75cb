"""Whether the database answers and its schema is the one this code expects (`allybot health`).

Read-only: it never migrates (the bot does at start) and, for SQLite, never creates the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from pydantic import SecretStr
from sqlalchemy.engine import Connection, make_url

from db.session import alembic_config, create_engine


class NoDatabaseYet(Exception):
    """DATABASE_URL names an SQLite file that does not exist (the bot creates it at start)."""


@dataclass(frozen=True, slots=True)
class SchemaState:
    answered: bool  # SELECT 1 came back
    at_head: bool  # every migration of this code is applied, and no unknown one
    newer: bool  # a migration this code does not know is applied (a newer version ran)
    applied: frozenset[str]
    expected: frozenset[str]


def _revisions(connection: Connection) -> frozenset[str]:
    return frozenset(MigrationContext.configure(connection).get_current_heads())


def _missing_sqlite_file(database_url: str) -> bool:
    url = make_url(database_url)
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return False
    return not database.startswith("file:") and not Path(database).is_file()


async def schema_state(database_url: str, key: SecretStr | None = None) -> SchemaState:
    """Connect, SELECT 1 and compare the applied migrations with this code's heads.

    Raises what connecting raises (OSError for an unreachable server, a CipherError for a wrong
    DATABASE_KEY, SQLAlchemy's errors otherwise); the caller names the kind, never the text."""
    if _missing_sqlite_file(database_url):
        # create_engine() would create an empty file; a health check changes nothing.
        raise NoDatabaseYet()
    script = ScriptDirectory.from_config(alembic_config())
    expected = frozenset(script.get_heads())
    known = {revision.revision for revision in script.walk_revisions()}
    engine = create_engine(database_url, key)
    try:
        async with engine.connect() as connection:
            answered = (await connection.exec_driver_sql("SELECT 1")).scalar() == 1
            applied = await connection.run_sync(_revisions)
            await connection.rollback()
    finally:
        await engine.dispose()
    return SchemaState(answered, applied == expected, bool(applied - known), applied, expected)
