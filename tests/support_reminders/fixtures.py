"""Fixtures for the reminder tests: the real core with the event store and a recording platform."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import pytest

from bot.app import Core
from bot.core.conversation import FREE_TEXT
from bot.core.messages import Address, ChatKind, Reply, Request
from bot.core.reminders import EventDraft, EventInfo
from tests.fakes import FixedClock
from tests.support_reminders import RecordingMessenger, Reminders, compose

Ask = Callable[..., Awaitable[Reply]]
ORGANIZER = "organizer"  # tests/conftest.py makes console:organizer an organizer


@pytest.fixture
def messenger() -> RecordingMessenger:
    return RecordingMessenger()


@pytest.fixture
def rem(core: Core, clock: FixedClock, messenger: RecordingMessenger) -> Reminders:
    return compose(core, clock, {"console": messenger})


@pytest.fixture
def ask(rem: Reminders) -> Ask:
    """A request with its arguments exactly as given (as Discord's slash options fill them)."""

    async def ask_(
        command: str,
        *args: str,
        chat: str = "alice",
        user: str | None = None,
        kind: ChatKind = ChatKind.PRIVATE,
        admin: bool = False,
        locale: str = "en",
    ) -> Reply:
        if command.startswith("/"):
            command = command[1:]
        else:
            # Plain text: the answer to a step-by-step question.
            command, args = FREE_TEXT, (command,)
        request = Request(
            command, args, Address("console", chat), user or chat, kind, locale, None, admin
        )
        reply = await rem.dispatcher.dispatch(request)
        assert reply is not None
        return reply

    return ask_


async def make_event(
    rem: Reminders,
    clock: FixedClock,
    starts: str,
    zone: str = "Europe/London",
    title: str = "Rally",
    scope: Address | None = None,
) -> EventInfo:
    """A published campaign event straight through the store."""
    start = datetime.fromisoformat(starts)
    draft = EventDraft(
        title, start, start.replace(hour=min(start.hour + 2, 23)), zone, "Square", "Come."
    )
    saved = await rem.events.save_draft(draft, scope, clock())
    event = await rem.events.confirm(saved.id, clock())
    assert event is not None
    return event
