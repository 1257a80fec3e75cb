"""Discord server setups (announcement channel, topics, defaults) and the synced command hash.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = ("server_setup",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_setups",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("server_id", sa.String(64), primary_key=True),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("topics", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64)),
        sa.Column("locale", sa.String(8)),
        sa.Column("broken_reason", sa.String(200)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "server_id", name="pk_server_setups"),
    )
    op.create_index("ix_server_setups_channel", "server_setups", ["platform", "channel_id"])
    op.create_table(
        "command_hashes",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("scope", sa.String(64), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "scope", name="pk_command_hashes"),
    )


def downgrade() -> None:
    op.drop_table("command_hashes")
    op.drop_index("ix_server_setups_channel", "server_setups")
    op.drop_table("server_setups")
