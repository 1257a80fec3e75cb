"""Every column that could hold a chat's or a person's id is covered by erasure, by declaration.

A new column whose name looks like it names somebody (`reporter_id`, `owner`, `sent_by`, a
foreign key to a chat) fails here until db/erasure.py says how /forget erases it, or why it
cannot name anybody.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, String, Table

import db.models  # noqa: F401  (registers every table)
from db.erasure import NAMES_A_PERSON, NAMES_NOBODY
from db.models.base import Base
from db.models.chats import Chat

# Words in a column's name that suggest it holds a chat, a person or where to find one.
ENDINGS = {"id", "by", "pk", "of"}
WORDS = {
    *("chat", "user", "member", "person", "people", "author", "owner", "creator", "approver"),
    *("sender", "recipient", "reporter", "origin", "target", "channel", "server", "guild"),
    *("group", "address", "account", "contact", "handle", "phone", "username", "subject"),
    *("scope", "key", "tag"),
}
# A time or a yes/no cannot hold an id, whatever the column is called.
NOT_AN_ID = (DateTime, Boolean)


def suspects(metadata: MetaData) -> set[str]:
    """`table.column` for every column that could name a chat or a person."""
    found = set()
    for table in metadata.sorted_tables:
        for column in table.columns:
            words = column.name.lower().split("_")
            own_number = column.primary_key and column.name == "id"
            points_at_chat = any(
                fk.column.table.name == Chat.__tablename__ for fk in column.foreign_keys
            )
            named_like_one = words[-1] in ENDINGS or bool(WORDS & set(words))
            if points_at_chat or (
                named_like_one and not own_number and not isinstance(column.type, NOT_AN_ID)
            ):
                found.add(f"{table.name}.{column.name}")
    return found


def test_every_column_that_could_name_somebody_is_declared() -> None:
    undeclared = suspects(Base.metadata) - set(NAMES_A_PERSON) - set(NAMES_NOBODY)
    assert not undeclared, f"say in db/erasure.py how /forget erases: {sorted(undeclared)}"


def test_the_declarations_name_real_columns_only() -> None:
    columns = {f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.columns}
    assert set(NAMES_A_PERSON) | set(NAMES_NOBODY) <= columns
    assert not set(NAMES_A_PERSON) & set(NAMES_NOBODY)


def test_every_foreign_key_to_a_chat_cascades_or_is_unlinked() -> None:
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == Chat.__tablename__:
                assert f"{table.name}.{fk.parent.name}" in NAMES_A_PERSON
                assert fk.ondelete == "CASCADE", f"{table.name}.{fk.parent.name}"


def test_a_new_column_naming_somebody_is_caught() -> None:
    """The check itself: a copy of the schema with one more column fails it."""
    metadata = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    Table(
        "reports",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("reporter_id", String(64)),
        Column("reviewed_by", String(80)),
    )
    metadata.tables["broadcasts"].append_column(Column("owner", String(64)))
    undeclared = suspects(metadata) - set(NAMES_A_PERSON) - set(NAMES_NOBODY)
    assert undeclared == {"reports.reporter_id", "reports.reviewed_by", "broadcasts.owner"}
