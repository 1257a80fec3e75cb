"""Self-destruct: a chat may choose that the bot deletes its own messages after a while.

`chats.delete_after` is that while in seconds (NULL: off). `message_deletions` holds, per message
the bot sent to such a chat, only its id and when it is due (UTC epoch seconds): no text, no
person. Rows go as their messages are deleted, and with the chat (foreign key cascade).

Revision ID: 0008
Revises: 0006_event_drafter (0007 when discreet mode is merged)
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
# Written against this branch's head; becomes "0007" (discreet mode) when both are merged.
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("chats", sa.Column("delete_after", sa.Integer()))
    op.create_table(
        "message_deletions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_pk", sa.Integer(), nullable=False),
        sa.Column("sent_id", sa.String(32), nullable=False),
        sa.Column("delete_at", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_pk"],
            ["chats.id"],
            name="fk_message_deletions_chat_pk_chats",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_message_deletions"),
    )
    op.create_index("ix_message_deletions_chat_pk", "message_deletions", ["chat_pk"])
    op.create_index("ix_message_deletions_delete_at", "message_deletions", ["delete_at"])


def downgrade() -> None:
    op.drop_index("ix_message_deletions_delete_at", "message_deletions")
    op.drop_index("ix_message_deletions_chat_pk", "message_deletions")
    op.drop_table("message_deletions")
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("delete_after")
