"""What several processes on one PostgreSQL database share: step-by-step drafts and rate limits.

`shared_drafts` holds each step-by-step command under way (keyed by hashes of the chat and the
asker, with the answers typed so far, for at most 15 minutes); `rate_buckets` one token bucket per
person (keyed by a hash). On SQLite (one process) both stay in memory and these tables stay empty.

Revision ID: 0010
Revises: 0009 (leases and roles, issue #15)
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shared_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_key", sa.String(32), nullable=False),
        sa.Column("user_key", sa.String(32), nullable=False),
        sa.Column("command", sa.String(64), nullable=False),
        sa.Column("args", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_shared_drafts"),
        sa.UniqueConstraint("user_key", name="uq_shared_drafts_user_key"),
    )
    op.create_index("ix_shared_drafts_chat_key", "shared_drafts", ["chat_key"])
    op.create_index("ix_shared_drafts_expires_at", "shared_drafts", ["expires_at"])
    op.create_table(
        "rate_buckets",
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("tokens", sa.Double(), nullable=False),
        sa.Column("counted_at", sa.Double(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_rate_buckets"),
    )
    op.create_index("ix_rate_buckets_counted_at", "rate_buckets", ["counted_at"])


def downgrade() -> None:
    op.drop_index("ix_rate_buckets_counted_at", "rate_buckets")
    op.drop_table("rate_buckets")
    op.drop_index("ix_shared_drafts_expires_at", "shared_drafts")
    op.drop_index("ix_shared_drafts_chat_key", "shared_drafts")
    op.drop_table("shared_drafts")
