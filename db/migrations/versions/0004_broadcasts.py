"""Organizer broadcasts and their per-recipient delivery states.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.dialect import partial

revision = "0004"
down_revision = "0001"
branch_labels = ("broadcasts",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("audience", sa.String(32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("links", sa.Text(), nullable=False),
        sa.Column("origin_platform", sa.String(16), nullable=False),
        sa.Column("origin_chat_id", sa.String(64), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("created_by", sa.String(80)),
        sa.Column("approved_by", sa.String(80)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True)),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_broadcasts"),
    )
    op.create_index("ix_broadcasts_state", "broadcasts", ["state"])
    op.create_table(
        "broadcast_recipients",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "broadcast_id",
            sa.Integer(),
            sa.ForeignKey(
                "broadcasts.id",
                ondelete="CASCADE",
                name="fk_broadcast_recipients_broadcast_id_broadcasts",
            ),
            nullable=False,
        ),
        sa.Column(
            "chat_pk",
            sa.Integer(),
            sa.ForeignKey(
                "chats.id", ondelete="CASCADE", name="fk_broadcast_recipients_chat_pk_chats"
            ),
        ),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("chat_id", sa.String(64)),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_broadcast_recipients"),
    )
    op.create_index(
        "ix_broadcast_recipients_progress", "broadcast_recipients", ["broadcast_id", "state"]
    )
    op.create_index("ix_broadcast_recipients_chat_pk", "broadcast_recipients", ["chat_pk"])
    op.create_index(
        "ix_broadcast_recipients_open",
        "broadcast_recipients",
        ["platform", "id"],
        **partial(sa.text("state IN ('queued', 'sending')")),
    )


def downgrade() -> None:
    op.drop_index("ix_broadcast_recipients_open", "broadcast_recipients")
    op.drop_index("ix_broadcast_recipients_chat_pk", "broadcast_recipients")
    op.drop_index("ix_broadcast_recipients_progress", "broadcast_recipients")
    op.drop_table("broadcast_recipients")
    op.drop_index("ix_broadcasts_state", "broadcasts")
    op.drop_table("broadcasts")
