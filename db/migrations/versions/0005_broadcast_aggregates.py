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

# Not a bare number: other work on the broadcasts branch may add its own 0005 at the same time.
revision = "0005_retention"
down_revision = "0004"
branch_labels = None
depends_on = None

# SQLite's own clock (the same UTC wall clock the bot runs on), in whole seconds.
NOW = "CAST(strftime('%s', 'now') AS INTEGER)"
TRIGGER = "broadcast_finished_at"
TRIGGER_BODY = (
    "AFTER UPDATE OF state ON broadcasts "  # noqa: S608 - constants only
    "WHEN NEW.state IN ('done', 'cancelled') AND NEW.finished_at IS NULL "
    f"BEGIN UPDATE broadcasts SET finished_at = {NOW} WHERE id = NEW.id; END"
)


def upgrade() -> None:
    op.add_column("broadcasts", sa.Column("finished_at", sa.Integer()))
    op.add_column("broadcasts", sa.Column("final_counts", sa.Text()))
    op.execute(
        f"UPDATE broadcasts SET finished_at = {NOW} "  # noqa: S608 - constants only
        "WHERE state IN ('done', 'cancelled')"
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE TRIGGER {TRIGGER} {TRIGGER_BODY}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_column("final_counts")
        batch.drop_column("finished_at")
