"""Erasure: every row that names a chat or a person goes on /forget (and when a chat blocks us).

`NAMES_A_PERSON` is the registry of every column that holds (or points at) a chat's or a user's
id, with how `erase` covers it; `NAMES_NOBODY` lists the id-like columns that cannot hold one and
why. tests/db/test_erasure_registry.py walks every table and fails on a column in neither, so a
new column that could identify somebody cannot be added without deciding how it is erased.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Table, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.broadcast.values import DeliveryState
from bot.core.messages import Address
from bot.core.reminders.values import EventStatus
from db.models.base import Base
from db.models.broadcasts import BroadcastRecipientRow, BroadcastRow
from db.models.chats import Chat
from db.models.events import StoredEvent
from db.models.setups import ServerSetupRow
from db.models.web import WebAccessRow
from db.stores import tallies

B: Table = BroadcastRow.__table__  # type: ignore[assignment]
R: Table = BroadcastRecipientRow.__table__  # type: ignore[assignment]
S: Table = ServerSetupRow.__table__  # type: ignore[assignment]
W: Table = WebAccessRow.__table__  # type: ignore[assignment]

# "table.column": how erasure covers it.
NAMES_A_PERSON: Mapping[str, str] = {
    "chats.chat_id": "the chat's own row is deleted",
    "chat_topics.chat_pk": "deleted with the chat (foreign key cascade)",
    "rsvps.chat_pk": "deleted with the chat (foreign key cascade)",
    "stored_events.scope_chat_pk": "the chat's own events and drafts: deleted with the chat",
    "stored_events.drafted_by": "a draft the person wrote is deleted (published events: NULL)",
    "reminder_leads.chat_pk": "deleted with the chat (foreign key cascade)",
    "reminder_plan.chat_pk": "deleted with the chat (foreign key cascade)",
    "reminder_dirty.chat_pk": "deleted with the chat (foreign key cascade)",
    "message_deletions.chat_pk": "deleted with the chat (foreign key cascade)",
    "broadcasts.origin_chat_id": "a broadcast the chat started is deleted with its recipients",
    "broadcasts.origin_platform": "with origin_chat_id: the chat's address",
    "broadcasts.created_by": "a broadcast the user started is deleted with its recipients",
    "broadcasts.approved_by": "an approval the chat or user gave is cleared",
    "broadcast_recipients.chat_pk": "unlinked: only the delivery state stays, for the counts",
    "broadcast_recipients.chat_id": "unlinked: only the delivery state stays, for the counts",
    "server_setups.channel_id": "a server setup announcing into the chat is deleted",
    "server_setups.server_id": "a server setup whose server is the chat is deleted",
    "shared_drafts.chat_key": "a hash: /forget drops the chat's drafts (the dispatcher's "
    "Drafts.forget_chat); any other draft goes within its 15 minutes",
    "shared_drafts.user_key": "a hash: goes with the chat's drafts, as above",
    "web_access.user_id": "the person's dashboard links and sessions are deleted",
    "web_access.chat_id": "links and sessions asked from the chat are deleted",
    "web_access.scope_chat_id": "links and sessions limited to the chat are deleted",
    "rate_buckets.key": "a hash of the asker: /forget drops it (the dispatcher's "
    "RateLimiter.forget); any other bucket is pruned once it has refilled",
}

NAMES_NOBODY: Mapping[str, str] = {
    "rsvps.event_id": "an event's id (content or e_<n>)",
    "reminder_plan.event_id": "an event's id",
    "reminder_plan.key": "an occurrence key: event id, kind and lead",
    "reminder_marks.subject": "an event's id or the remembrance year",
    "stored_events.edit_of": "another stored event's id",
    "broadcast_recipients.broadcast_id": "a broadcast's id",
    "command_hashes.scope": "the Discord application's global scope, never a server",
    "message_deletions.sent_id": "the id of the bot's own message within the chat, never a person",
    "campaign_starts.tag": "a campaign tag from the content, counted without anybody",
    "broadcast_recipients.claimed_by": "the host:pid of the bot process sending it, no person",
    "reminder_plan.claimed_by": "the host:pid of the bot process sending it, no person",
    "leases.holder": "the host:pid of the bot process holding a job, no person",
    "web_access.token_hash": "the SHA-256 of a random token, no person",
    "web_access.chat_kind": "private, group or channel: a kind of chat, no chat",
    "weekly_tallies.week": "a week's Monday: counts of what happened, naming nobody",
}

# The kinds the reply to /forget names; the others are counted as "other records".
CHAT_KINDS = ("chats", "chat_topics", "rsvps")


def _chat_columns() -> list[Any]:
    """Every column (in tables added later too) with a foreign key to a chat's row."""
    return [
        fk.parent
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table is Chat.__table__ and table is not R
    ]


async def erase(
    connection: AsyncConnection, chat: Address, user: Address | None = None
) -> dict[str, int]:
    """Erase, in this transaction, every row naming `chat` or (when given) the person `user`
    who asked; returns how many rows of each kind went. Kinds with nothing erased are 0."""
    people = sorted({str(chat)} | ({str(user)} if user is not None else set()))
    chat_pk = await connection.scalar(
        select(Chat.id).where(Chat.platform == chat.platform, Chat.chat_id == chat.chat_id)
    )
    erased: dict[str, int] = {}

    # Broadcasts the chat or the person started: the text, the origin and the list all go.
    started = or_(
        (B.c.origin_platform == chat.platform) & (B.c.origin_chat_id == chat.chat_id),
        B.c.created_by.in_(people),
    )
    ids = list(await connection.scalars(select(B.c.id).where(started)))
    erased["broadcasts"] = len(ids)
    if ids:
        # Their recipient lists go with them (counted as the broadcasts, not one by one).
        await connection.execute(delete(R).where(R.c.broadcast_id.in_(ids)))
        await connection.execute(delete(B).where(B.c.id.in_(ids)))

    # An approval given: the broadcast is somebody else's and keeps going, without the name.
    approved = await connection.execute(
        update(B).where(B.c.approved_by.in_(people)).values(approved_by=None)
    )
    erased["broadcast_approvals"] = int(approved.rowcount or 0)

    # The chat as a recipient of others' broadcasts: the row stays so the broadcast's counts
    # stay true, but nothing in it says who it was; one still waiting is not sent any more.
    names_chat: ColumnElement[bool] = (R.c.platform == chat.platform) & (
        R.c.chat_id == chat.chat_id
    )
    if chat_pk is not None:
        names_chat = or_(names_chat, R.c.chat_pk == chat_pk)
    unlinked = await connection.execute(
        update(R)
        .where(names_chat)
        .values(
            chat_pk=None,
            chat_id=None,
            state=case(
                (
                    R.c.state.in_((DeliveryState.QUEUED.value, DeliveryState.SENDING.value)),
                    DeliveryState.GONE.value,
                ),
                else_=R.c.state,
            ),
        )
    )
    erased["broadcast_recipients"] = int(unlinked.rowcount or 0)

    # Drafts the person wrote (published events no longer name their writer).
    drafts = await connection.execute(
        delete(StoredEvent).where(
            StoredEvent.status == EventStatus.DRAFT.value, StoredEvent.drafted_by.in_(people)
        )
    )
    erased["event_drafts"] = int(drafts.rowcount or 0)

    setups = await connection.execute(
        delete(S).where(
            S.c.platform == chat.platform,
            or_(S.c.channel_id == chat.chat_id, S.c.server_id == chat.chat_id),
        )
    )
    erased["server_setups"] = int(setups.rowcount or 0)

    # Dashboard links and sessions of the person, asked from the chat or limited to it.
    names_web = or_(W.c.chat_id == chat.chat_id, W.c.scope_chat_id == chat.chat_id)
    if user is not None and user.platform == chat.platform:
        names_web = or_(names_web, W.c.user_id == user.chat_id)
    web = await connection.execute(delete(W).where(W.c.platform == chat.platform, names_web))
    erased["web_access"] = int(web.rowcount or 0)

    erased["chats"] = 0 if chat_pk is None else 1
    for column in _chat_columns():
        erased[column.table.name] = (
            0
            if chat_pk is None
            else await connection.scalar(
                select(func.count()).select_from(column.table).where(column == chat_pk)
            )
            or 0
        )
    if chat_pk is not None:
        # Foreign keys cascade the delete to every one of those tables.
        await connection.execute(delete(Chat).where(Chat.id == chat_pk))
        # The overview's erasures per week: a count of the week, naming nobody.
        dialect = connection.dialect.name
        await connection.execute(tallies.bump(dialect, tallies.ERASED, chat.platform, 1))
    return erased
