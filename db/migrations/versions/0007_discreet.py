"""Discreet mode: a chat's choice, NULL until it makes one (then Russian-language chats are
discreet). Also joins the three heads the earlier branches left (0002, 0005, 0006) into one, so
the next migration has a single parent.

Revision ID: 0007
Revises: 0002, 0005_retention, 0006_event_drafter
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = ("0002", "0005_retention", "0006_event_drafter")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("chats", sa.Column("discreet", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("discreet")
