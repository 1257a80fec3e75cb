"""Chats, their topics and RSVPs, and aggregate campaign-link counts.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chats",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("locale", sa.String(8)),
        sa.Column("timezone", sa.String(64)),
        sa.Column("quiet_start", sa.SmallInteger()),
        sa.Column("quiet_end", sa.SmallInteger()),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("platform", "chat_id", name="uq_chats_platform_chat_id"),
    )
    op.create_table(
        "chat_topics",
        sa.Column(
            "chat_pk",
            sa.Integer(),
            sa.ForeignKey("chats.id", ondelete="CASCADE", name="fk_chat_topics_chat_pk_chats"),
            primary_key=True,
        ),
        sa.Column("topic", sa.String(32), primary_key=True),
    )
    op.create_index("ix_chat_topics_topic", "chat_topics", ["topic"])
    op.create_table(
        "rsvps",
        sa.Column(
            "chat_pk",
            sa.Integer(),
            sa.ForeignKey("chats.id", ondelete="CASCADE", name="fk_rsvps_chat_pk_chats"),
            primary_key=True,
        ),
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("answer", sa.String(8), nullable=False),
    )
    op.create_index("ix_rsvps_event_id", "rsvps", ["event_id"])
    op.create_table(
        "campaign_starts",
        sa.Column("tag", sa.String(64), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("campaign_starts")
    op.drop_index("ix_rsvps_event_id", "rsvps")
    op.drop_table("rsvps")
    op.drop_index("ix_chat_topics_topic", "chat_topics")
    op.drop_table("chat_topics")
    op.drop_table("chats")
