"""Finished broadcasts keep aggregate counts, so their recipient lists can be deleted.

`finished_at` (UTC epoch seconds) is set by a trigger when a broadcast becomes done or cancelled,
whichever code made the change; the retention purge deletes the recipient rows some time later and
keeps only `final_counts` (JSON: delivery state -> count). Broadcasts that had already finished
count from this upgrade, so their lists go one retention period after it.

Revision ID: 0005_retention
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.dialect import create_trigger, drop_trigger, now_epoch

# Not a bare number: other work on the broadcasts branch may add its own 0005 at the same time.
revision = "0005_retention"
down_revision = "0004"
branch_labels = None
depends_on = None

TRIGGER = "broadcast_finished_at"
CONDITION = "NEW.state IN ('done', 'cancelled') AND NEW.finished_at IS NULL"


def _stamp(dialect: str) -> str:
    # The database's own clock (the same UTC wall clock the bot runs on), in whole seconds.
    return f"UPDATE broadcasts SET finished_at = {now_epoch(dialect)} WHERE id = NEW.id;"  # noqa: S608


def upgrade() -> None:
    op.add_column("broadcasts", sa.Column("finished_at", sa.Integer()))
    op.add_column("broadcasts", sa.Column("final_counts", sa.Text()))
    dialect = op.get_bind().dialect.name
    op.execute(
        f"UPDATE broadcasts SET finished_at = {now_epoch(dialect)} "  # noqa: S608 - constants only
        "WHERE state IN ('done', 'cancelled')"
    )
    event = "AFTER UPDATE OF state"
    for statement in create_trigger(
        dialect, TRIGGER, "broadcasts", event, CONDITION, _stamp(dialect)
    ):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_trigger(op.get_bind().dialect.name, TRIGGER, "broadcasts"):
        op.execute(statement)
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_column("final_counts")
        batch.drop_column("finished_at")
