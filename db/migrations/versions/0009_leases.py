"""Several processes on one database: leases, and the owner of each claim.

`leases` holds one row per job only one process may do at a time (the background sender): who
holds it and until when, in the database's own clock (UTC epoch seconds), so hosts whose clocks
disagree still agree on who leads. `claimed_by` on a claimed broadcast recipient or reminder
names the process that claimed it, so recovery after a crash touches only that process's claims
and never the ones another live process has in flight.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("job", sa.String(32), nullable=False),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("job", name="pk_leases"),
    )
    with op.batch_alter_table("broadcast_recipients") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(64)))
    with op.batch_alter_table("reminder_plan") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("reminder_plan") as batch:
        batch.drop_column("claimed_by")
    with op.batch_alter_table("broadcast_recipients") as batch:
        batch.drop_column("claimed_by")
    op.drop_table("leases")
