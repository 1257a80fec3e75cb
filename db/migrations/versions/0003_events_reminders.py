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

from db.dialect import create_trigger, differs, drop_trigger, partial, skip_duplicate

revision = "0003"
down_revision = "0001"
branch_labels = ("reminders",)
depends_on = None


def _chat_fk(table: str) -> sa.ForeignKey:
    return sa.ForeignKey("chats.id", ondelete="CASCADE", name=f"fk_{table}_chat_pk_chats")


def _mark(dialect: str, row: str) -> str:
    # The chat may be going (its erasure cascades here): only queue chats that still exist.
    # `row` is one of our own constants (NEW.chat_pk, OLD.chat_pk, NEW.id), never user input.
    # No INSERT OR IGNORE: an outer upsert's conflict handling would override it inside a trigger.
    # On PostgreSQL two transactions can both find the chat not yet queued: the second's insert
    # then waits for the first and is dropped rather than failing its transaction.
    return (
        "INSERT INTO reminder_dirty (chat_pk) "  # noqa: S608
        f"SELECT {row} WHERE EXISTS (SELECT 1 FROM chats WHERE id = {row}) "
        f"AND NOT EXISTS (SELECT 1 FROM reminder_dirty WHERE chat_pk = {row})"
        f"{skip_duplicate(dialect, 'chat_pk')};"
    )


# name: (table, event, the columns whose change counts (none: any), the row's chat);
# db/dialect.py writes each database's trigger syntax.
TRIGGERS = {
    "reminder_dirty_topic_added": ("chat_topics", "AFTER INSERT", (), "NEW.chat_pk"),
    "reminder_dirty_topic_removed": ("chat_topics", "AFTER DELETE", (), "OLD.chat_pk"),
    "reminder_dirty_rsvp_added": ("rsvps", "AFTER INSERT", (), "NEW.chat_pk"),
    "reminder_dirty_rsvp_changed": ("rsvps", "AFTER UPDATE", (), "NEW.chat_pk"),
    "reminder_dirty_rsvp_removed": ("rsvps", "AFTER DELETE", (), "OLD.chat_pk"),
    "reminder_dirty_leads_added": ("reminder_leads", "AFTER INSERT", (), "NEW.chat_pk"),
    "reminder_dirty_leads_changed": ("reminder_leads", "AFTER UPDATE", (), "NEW.chat_pk"),
    "reminder_dirty_chat_changed": (
        "chats",
        "AFTER UPDATE OF timezone, quiet_start, quiet_end, active",
        ("timezone", "quiet_start", "quiet_end", "active"),
        "NEW.id",
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
        **partial(sa.text("state = 'planned'")),
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
    dialect = op.get_bind().dialect.name
    for name, (table, event, columns, row) in TRIGGERS.items():
        condition = " OR ".join(differs(dialect, f"NEW.{c}", f"OLD.{c}") for c in columns)
        for statement in create_trigger(
            dialect, name, table, event, condition, _mark(dialect, row)
        ):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, (table, *_) in TRIGGERS.items():
        for statement in drop_trigger(dialect, name, table):
            op.execute(statement)
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
