"""Events created in chat, reminder lead times, the reminder plan, and what marks it stale.

Triggers on the chats' own tables queue a chat for re-planning whenever anything its reminders
depend on changes (subscriptions, zone, quiet hours, active, RSVPs, lead times), whichever code
made the change. They add no columns and change no existing table.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = ("reminders",)
depends_on = None


def _chat_fk(table: str) -> sa.ForeignKey:
    return sa.ForeignKey("chats.id", ondelete="CASCADE", name=f"fk_{table}_chat_pk_chats")


def _mark(row: str) -> str:
    # The chat may be going (its erasure cascades here): only queue chats that still exist.
    # `row` is one of our own constants (NEW.chat_pk, OLD.chat_pk, NEW.id), never user input.
    # No INSERT OR IGNORE: an outer upsert's conflict handling would override it inside a trigger.
    return (
        "INSERT INTO reminder_dirty (chat_pk) "  # noqa: S608
        f"SELECT {row} WHERE EXISTS (SELECT 1 FROM chats WHERE id = {row}) "
        f"AND NOT EXISTS (SELECT 1 FROM reminder_dirty WHERE chat_pk = {row});"
    )


TRIGGERS = {
    "reminder_dirty_topic_added": f"AFTER INSERT ON chat_topics BEGIN {_mark('NEW.chat_pk')} END",
    "reminder_dirty_topic_removed": f"AFTER DELETE ON chat_topics BEGIN {_mark('OLD.chat_pk')} END",
    "reminder_dirty_rsvp_added": f"AFTER INSERT ON rsvps BEGIN {_mark('NEW.chat_pk')} END",
    "reminder_dirty_rsvp_changed": f"AFTER UPDATE ON rsvps BEGIN {_mark('NEW.chat_pk')} END",
    "reminder_dirty_rsvp_removed": f"AFTER DELETE ON rsvps BEGIN {_mark('OLD.chat_pk')} END",
    "reminder_dirty_leads_added": (
        f"AFTER INSERT ON reminder_leads BEGIN {_mark('NEW.chat_pk')} END"
    ),
    "reminder_dirty_leads_changed": (
        f"AFTER UPDATE ON reminder_leads BEGIN {_mark('NEW.chat_pk')} END"
    ),
    "reminder_dirty_chat_changed": (
        "AFTER UPDATE OF timezone, quiet_start, quiet_end, active ON chats "
        "WHEN NEW.timezone IS NOT OLD.timezone OR NEW.quiet_start IS NOT OLD.quiet_start "
        "OR NEW.quiet_end IS NOT OLD.quiet_end OR NEW.active IS NOT OLD.active "
        f"BEGIN {_mark('NEW.id')} END"
    ),
}


def upgrade() -> None:
    op.create_table(
        "stored_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scope_chat_pk", sa.Integer(), _chat_fk("stored_events")),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.String(2000), nullable=False),
        sa.Column("place", sa.String(500), nullable=False),
        sa.Column("url", sa.String(500)),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("starts_local", sa.DateTime(), nullable=False),
        sa.Column("ends_local", sa.DateTime(), nullable=False),
        sa.Column("starts_at", sa.Integer(), nullable=False),
        sa.Column("ends_at", sa.Integer(), nullable=False),
        sa.Column(
            "edit_of",
            sa.Integer(),
            sa.ForeignKey(
                "stored_events.id",
                ondelete="CASCADE",
                name="fk_stored_events_edit_of_stored_events",
            ),
        ),
        sa.Column("expires_at", sa.Integer()),
        sa.Column("cancelled_at", sa.Integer()),
        sa.Column("created_at", sa.Integer(), nullable=False),
    )
    op.create_index("ix_stored_events_scope_chat_pk", "stored_events", ["scope_chat_pk"])
    op.create_index("ix_stored_events_status", "stored_events", ["status"])
    op.create_index("ix_stored_events_starts_at", "stored_events", ["starts_at"])
    op.create_table(
        "reminder_leads",
        sa.Column("chat_pk", sa.Integer(), _chat_fk("reminder_leads"), primary_key=True),
        sa.Column("leads", sa.String(64), nullable=False),
    )
    op.create_table(
        "reminder_plan",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chat_pk", sa.Integer(), _chat_fk("reminder_plan"), nullable=False),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("lead", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.Integer(), nullable=False),
        sa.Column("stale_at", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.UniqueConstraint("chat_pk", "key", name="uq_reminder_plan_chat_pk_key"),
    )
    op.create_index(
        "ix_reminder_plan_due",
        "reminder_plan",
        ["due_at"],
        sqlite_where=sa.text("state = 'planned'"),
    )
    op.create_index("ix_reminder_plan_event", "reminder_plan", ["event_id", "chat_pk"])
    op.create_table(
        "reminder_dirty",
        sa.Column("chat_pk", sa.Integer(), _chat_fk("reminder_dirty"), primary_key=True),
    )
    op.create_table(
        "reminder_marks",
        sa.Column("subject", sa.String(64), primary_key=True),
        sa.Column("mark", sa.String(200), nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        for name, body in TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("reminder_marks")
    op.drop_table("reminder_dirty")
    op.drop_index("ix_reminder_plan_event", "reminder_plan")
    op.drop_index("ix_reminder_plan_due", "reminder_plan")
    op.drop_table("reminder_plan")
    op.drop_table("reminder_leads")
    op.drop_index("ix_stored_events_starts_at", "stored_events")
    op.drop_index("ix_stored_events_status", "stored_events")
    op.drop_index("ix_stored_events_scope_chat_pk", "stored_events")
    op.drop_table("stored_events")
