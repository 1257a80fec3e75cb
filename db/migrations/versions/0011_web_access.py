"""The dashboard's login links and sessions (issue #16).

`web_access` holds one row per one-time login link or browser session: the token's SHA-256 (never
the token), whom it acts for, the group it is limited to, and when it expires (minutes).

Revision ID: 0011
Revises: 0010 (shared drafts and rate buckets, issue #15)
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_access",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("chat_kind", sa.String(16), nullable=False),
        sa.Column("scope_chat_id", sa.String(64), nullable=True),
        sa.Column("locale", sa.String(8), nullable=True),
        sa.Column("started_at", sa.Double(), nullable=False),
        sa.Column("expires_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_web_access"),
    )
    op.create_index("ix_web_access_user_id", "web_access", ["user_id"])
    op.create_index("ix_web_access_chat_id", "web_access", ["chat_id"])
    op.create_index("ix_web_access_expires_at", "web_access", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_web_access_expires_at", "web_access")
    op.drop_index("ix_web_access_chat_id", "web_access")
    op.drop_index("ix_web_access_user_id", "web_access")
    op.drop_table("web_access")
