"""An event draft remembers who wrote it, so only they may publish or discard it.

Published events still name nobody: the column is cleared when a draft is published, and drafts
expire within a day. Drafts written before this upgrade have no writer and can be published by
nobody; they expire.

Revision ID: 0006_event_drafter
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Not a bare number: other work on the reminders branch may add its own at the same time.
revision = "0006_event_drafter"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stored_events", sa.Column("drafted_by", sa.String(80)))


def downgrade() -> None:
    with op.batch_alter_table("stored_events") as batch:
        batch.drop_column("drafted_by")
