"""Reads from memory stay true: /events shows a publish, an edit or a cancel at once, moves an
event to /events past the moment it ends, and loses a group's events when the group is erased or
moved; a returning chat's /events, /settings and the one-line commands run no SQL at all on
SQLite (on PostgreSQL, shared by several processes, they read afresh every time)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event

from bot.app import Core
from bot.core.messages import ActionButton, Address, ChatKind, Reply
from tests.support.chat import Say as Ask
from tests.support.fakes import FixedClock
from tests.support.reminders import ORGANIZER

RALLY = ("Rally", "2026-12-05 14:00", "16:00", "london", "Trafalgar Square", "Stand with us.")
GROUP: dict[str, Any] = {"chat": "group", "user": "admin", "kind": ChatKind.GROUP, "admin": True}


def draft_of(reply: Reply) -> str:
    [draft_id] = [
        b.args[0]
        for b in reply.buttons
        if isinstance(b, ActionButton) and b.command == "eventdraft" and b.args[1:] == ("publish",)
    ]
    return draft_id


async def publish(say: Ask, *fields: str, **who: Any) -> str:
    who.setdefault("chat", ORGANIZER)
    draft_id = draft_of(await say("/newevent", *fields, **who))
    assert "Published." in (await say("/eventdraft", draft_id, "publish", **who)).text
    return draft_id


@contextmanager
def statements(core: Core) -> Iterator[list[str]]:
    """The SQL statements run while inside."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(core.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(core.engine.sync_engine, "before_cursor_execute", record)


async def test_a_publish_an_edit_and_a_cancel_show_at_once(say: Ask) -> None:
    assert "No events are planned" in (await say("/events", chat="supporter")).text
    event_id = await publish(say, *RALLY)
    assert "Rally" in (await say("/events", chat="supporter")).text
    preview = await say("/editevent", event_id, "start", "2026-12-06 15:00", chat=ORGANIZER)
    assert "5 December" in (await say("/events", chat="supporter")).text  # not yet confirmed
    await say("/eventdraft", draft_of(preview), "publish", chat=ORGANIZER)
    after = await say("/events", chat="supporter")
    assert "6 December" in after.text and "5 December" not in after.text
    ics = (await say("/ics", event_id, chat="supporter")).attachment
    assert ics is not None and b"DTSTART;TZID=Europe/London:20261206T150000" in ics.content
    await say("/cancelevent", event_id, "confirm", chat=ORGANIZER)
    gone = await say("/events", chat="supporter")
    assert "Rally" not in gone.text and "No events are planned" in gone.text


async def test_an_event_moves_to_past_as_the_clock_moves(say: Ask, clock: FixedClock) -> None:
    await publish(say, *RALLY)  # 14:00-16:00 London time (UTC in December)
    assert "Rally" in (await say("/events", chat="supporter")).text
    assert "Rally" not in (await say("/events past", chat="supporter")).text
    clock.now = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)  # under way: still on
    assert "Rally" in (await say("/events", chat="supporter")).text
    clock.now = datetime(2026, 12, 5, 16, 0, tzinfo=UTC)  # over
    assert "Rally" not in (await say("/events", chat="supporter")).text
    past = await say("/events past", chat="supporter")
    assert "Took place: Saturday, 5 December 2026" in past.text


async def test_a_group_erased_or_moved_takes_its_events_along(say: Ask, core: Core) -> None:
    await publish(say, *RALLY, **GROUP)
    assert "Rally" in (await say("/events", **GROUP)).text
    assert "Rally" not in (await say("/events", chat="supporter")).text  # the group's own
    await core.chat_events.moved(Address("console", "group"), Address("console", "supergroup"))
    assert "Rally" in (await say("/events", **{**GROUP, "chat": "supergroup"})).text
    assert "Rally" not in (await say("/events", **GROUP)).text
    await say("/forget", "confirm", **{**GROUP, "chat": "supergroup"})
    assert "Rally" not in (await say("/events", **{**GROUP, "chat": "supergroup"})).text


async def test_lead_times_show_at_once_and_go_with_the_chat(say: Ask) -> None:
    assert "1 day, 1 hour before" in (await say("/settings", chat="supporter")).text
    await say("/reminders", "2h", chat="supporter")
    assert "Event reminders: 2 hours before" in (await say("/settings", chat="supporter")).text
    await say("/forget", "confirm", chat="supporter")
    assert "1 day, 1 hour before" in (await say("/settings", chat="supporter")).text


async def test_a_returning_chat_reads_without_sql(say: Ask, core: Core) -> None:
    await publish(say, *RALLY)
    commands = ("/events", "/events past", "/settings", "/help", "/donate", "/petition")
    for command in commands:  # the first time reads (and remembers)
        await say(command, chat="supporter")
    with statements(core) as seen:
        for command in (*commands, "/remember"):
            reply = await say(command, chat="supporter")
            assert not reply.text.startswith("Sorry"), reply.text
    if core.engine.dialect.name == "sqlite":
        assert seen == []
    else:
        # PostgreSQL may be shared by several processes, so nothing is remembered: each command
        # reads its chat's row afresh, and another process's change (or /forget) shows at once.
        assert sum("FROM chats" in statement for statement in seen) >= len(commands)
