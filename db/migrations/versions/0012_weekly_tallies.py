"""Weekly tallies for the dashboard's overview (issue #16).

`weekly_tallies` counts, per week (its Monday), what happened (subscribed, erased, reminder sent,
broadcast message delivered) on which platform: counters only, naming nobody, so they outlive
erasure and the retention purge.

Revision ID: 0012
Revises: 0011 (the dashboard's login links and sessions)
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "weekly_tallies",
        sa.Column("week", sa.String(10), nullable=False),
        sa.Column("what", sa.String(24), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("week", "what", "platform", name="pk_weekly_tallies"),
    )


def downgrade() -> None:
    op.drop_table("weekly_tallies")
