"""The only SQL that differs between SQLite and PostgreSQL, one small helper each.

Every store and migration writes portable SQL and calls these where the two databases disagree:
an upsert, string aggregation, partial indexes, the database's clock and trigger syntax. A new
dialect-specific construct belongs here, so the rest of db/ runs unchanged on both.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement, TextClause
from sqlalchemy.sql.expression import Insert

POSTGRESQL = "postgresql"


def upsert(
    dialect: str, table: Any, values: dict[str, Any], keys: list[str], changes: dict[str, Any]
) -> Insert:
    """INSERT … ON CONFLICT (keys) DO UPDATE SET changes: the same clause on both databases,
    but SQLAlchemy builds it only from the dialect's own insert()."""
    builder = postgresql.insert if dialect == POSTGRESQL else sqlite.insert
    return builder(table).values(**values).on_conflict_do_update(index_elements=keys, set_=changes)


def joined(dialect: str, column: Any) -> ColumnElement[str]:
    """The group's values joined by commas (NULL for none): group_concat has no PostgreSQL twin
    by that name, and string_agg needs its separator spelled out."""
    if dialect == POSTGRESQL:
        return func.string_agg(column, ",")
    return func.group_concat(column)


def partial(condition: TextClause) -> dict[str, Any]:
    """Index keywords for a partial index on both databases (each dialect reads its own)."""
    return {"sqlite_where": condition, "postgresql_where": condition}


def now_epoch(dialect: str) -> str:
    """The database's own UTC clock in whole seconds, as SQL."""
    if dialect == POSTGRESQL:
        return "CAST(EXTRACT(EPOCH FROM now()) AS INTEGER)"
    return "CAST(strftime('%s', 'now') AS INTEGER)"


# Any fixed number: the key of the lock that lets one process at a time migrate a database.
MIGRATION_LOCK = 0x616C6C79  # "ally"


def migration_lock(dialect: str) -> str | None:
    """SQL that waits for, then holds until the transaction ends, the database-wide migration
    lock: several processes starting at once on PostgreSQL migrate one after another, the later
    ones finding nothing left to do. SQLite needs none (a writer already locks the whole file)."""
    if dialect == POSTGRESQL:
        return f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"
    return None


def skip_duplicate(dialect: str, key: str) -> str:
    """What ends an INSERT … SELECT so that a row already there is skipped, not an error. Empty
    on SQLite, where a writer has the whole file and the statement's own NOT EXISTS suffices
    (and ON CONFLICT after a SELECT's WHERE would need disambiguating)."""
    if dialect == POSTGRESQL:
        return f" ON CONFLICT ({key}) DO NOTHING"
    return ""


def differs(dialect: str, left: str, right: str) -> str:
    """SQL that is true when two values differ, NULL counting as a value (SQLite's IS NOT)."""
    if dialect == POSTGRESQL:
        return f"{left} IS DISTINCT FROM {right}"
    return f"{left} IS NOT {right}"


def create_trigger(
    dialect: str, name: str, table: str, when: str, condition: str, sql: str
) -> list[str]:
    """The statements that run `sql` (one statement, NEW and OLD as usual) for each row `when`
    ("AFTER INSERT", "AFTER UPDATE OF a, b", …) happens on `table`, if `condition` holds.
    PostgreSQL needs a PL/pgSQL function for the body; its name is the trigger's."""
    if dialect != POSTGRESQL:
        guard = f" WHEN {condition}" if condition else ""
        return [f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW{guard} BEGIN {sql} END"]
    returned = "OLD" if "DELETE" in when else "NEW"
    guard = f" WHEN ({condition})" if condition else ""
    return [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {sql} RETURN {returned}; END $$",
        f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW{guard} EXECUTE FUNCTION {name}()",
    ]


def drop_trigger(dialect: str, name: str, table: str) -> list[str]:
    if dialect != POSTGRESQL:
        return [f"DROP TRIGGER IF EXISTS {name}"]
    return [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]


def least(dialect: str, *values: Any) -> ColumnElement[Any]:
    """The smallest of its arguments: LEAST on PostgreSQL; SQLite's min() with several
    arguments is the same scalar function (with one it would be the aggregate)."""
    if dialect == POSTGRESQL:
        return func.least(*values)
    return func.min(*values)


def greatest(dialect: str, *values: Any) -> ColumnElement[Any]:
    """The largest of its arguments: GREATEST on PostgreSQL, scalar max() on SQLite."""
    if dialect == POSTGRESQL:
        return func.greatest(*values)
    return func.max(*values)
