"""Notices due "now": a cancellation with the real clock moving (the reminder loop runs as a task,
nothing pins the time), once each, also after a restart on the same file; and the announcement of
a newly published event to subscribed chats, after their quiet hours (a pinned clock for that)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app import Core, build_core
from bot.core.messages import ActionButton, ChatKind
from bot.core.reminders.values import EventDraft
from bot.ratelimit import Unlimited
from bot.settings import Settings
from db.stores.reminders import SqlPlanStore
from tests.support.chat import Say as Ask
from tests.support.chat import speaker
from tests.support.fakes import FixedClock
from tests.support.reminders import ORGANIZER, RecordingMessenger, Reminders

TICK = {"tick_seconds": 0.2}


async def eventually(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def cancelled(messenger: RecordingMessenger, chat: str) -> list[str]:
    return [text for text in messenger.texts(chat) if "has been cancelled" in text]


async def running(core: Core) -> asyncio.Task[None]:
    return asyncio.create_task(core.reminders.run())


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_a_cancellation_reaches_those_coming_once_with_the_real_clock(
    settings: Settings,
) -> None:
    messenger = RecordingMessenger()
    core = await build_core(settings, limiter=Unlimited(), reminder_options=TICK)
    core.outbox["console"] = messenger
    loop = await running(core)
    try:
        say = speaker(core.dispatcher.dispatch, chat="alice")
        now = datetime.now(UTC).replace(second=0, microsecond=0, tzinfo=None)
        starts = now + timedelta(minutes=5)
        draft = EventDraft("Vigil", starts, starts + timedelta(hours=1), "UTC", "Here", "Come.")
        saved = await core.deps.events.save_draft(draft, None, datetime.now(UTC))
        event = await core.deps.events.confirm(saved.id, datetime.now(UTC))
        assert event is not None
        for chat, answer in (("going", "going"), ("maybe", "maybe"), ("no", "no")):
            await say("/settings", "quiet", "off", chat=chat)
            await say("/rsvp", event.id, answer, chat=chat)
        await asyncio.sleep(0.5)  # a few ticks: the RSVPs are planned, nothing is due yet
        assert messenger.sent == []

        # In production the next tick comes up to 30 s after the cancellation; here the loop is
        # paused for over a second so that the tick's "now" is surely past the notice's due time
        # (stored in whole seconds), which is what used to drop it.
        await stop(loop)
        done = await say("/cancelevent", event.id, "confirm", chat=ORGANIZER)
        assert "Everyone who said they would or might come will be told" in done.text
        await asyncio.sleep(1.2)
        loop = await running(core)
        await eventually(
            lambda: bool(cancelled(messenger, "going") and cancelled(messenger, "maybe"))
        )
        await asyncio.sleep(1.0)  # several more ticks: no repeat
        assert len(cancelled(messenger, "going")) == 1
        assert len(cancelled(messenger, "maybe")) == 1
        assert "“Vigil”" in cancelled(messenger, "going")[0]
        # One text for both answers, true for each: it must not tell "going" they said maybe.
        assert "You said you would or might come" in cancelled(messenger, "going")[0]
        assert messenger.texts("no") == []
        assert len(messenger.sent) == 2
    finally:
        await stop(loop)
        await core.aclose()

    again = await build_core(settings, limiter=Unlimited(), reminder_options=TICK)
    again.outbox["console"] = messenger
    try:
        await again.reminders.tick()
        loop = await running(again)
        await asyncio.sleep(1.0)
        await stop(loop)
        assert len(messenger.sent) == 2, "nothing is sent twice after a restart"
        counts = await SqlPlanStore(again.engine).counts()
        assert counts.get("sent") == 2 and not counts.get("planned")
    finally:
        await again.aclose()


EVENT = (
    "Rally for Chechnya",
    "2026-12-05 14:00",
    "16:00",
    "london",
    "Trafalgar Square",
    "Stand with LGBT Chechens.",
)


async def publish(ask: Ask, **who: Any) -> str:
    """An organizer (or a group's admin) publishes EVENT through /newevent and its preview."""
    preview = await ask("/newevent", *EVENT, **who)
    [draft_id] = [
        b.args[0]
        for b in preview.buttons
        if isinstance(b, ActionButton) and b.command == "eventdraft" and b.args[1:] == ("publish",)
    ]
    published = await ask("/eventdraft", draft_id, "publish", **who)
    assert "Published." in published.text, published.text
    return draft_id


def announced(messenger: RecordingMessenger, chat: str) -> list[str]:
    return [text for text in messenger.texts(chat) if text.startswith("📣 New event")]


async def tick_at(rem: Reminders, clock: FixedClock, when: str) -> None:
    clock.now = datetime.fromisoformat(when).replace(tzinfo=UTC)
    await rem.scheduler.tick()


async def test_a_published_event_is_announced_once_to_subscribers_after_their_quiet_hours(
    rem: Reminders, ask: Ask, clock: FixedClock, messenger: RecordingMessenger
) -> None:
    # 12:00 UTC on 21 November: noon in London, 01:00 in Auckland (quiet until 08:00 there).
    for chat, zone in (("london", "Europe/London"), ("auckland", "Pacific/Auckland")):
        await ask("/subscribe", "events", chat=chat)
        await ask("/settings", "timezone", zone, chat=chat)
    await ask("/settings", "timezone", "Europe/London", chat="unsubscribed")
    await ask("/subscribe", "petitions", chat="petitions-only")
    await publish(ask, chat=ORGANIZER)
    await rem.scheduler.tick()
    [london] = announced(messenger, "london")
    assert "“Rally for Chechnya”" in london and "Saturday, 5 December 2026, 14:00" in london
    assert "Trafalgar Square" in london and "Event id" not in london
    assert announced(messenger, "auckland") == []
    await tick_at(rem, clock, "2026-11-21 18:59")  # 07:59 in Auckland
    assert announced(messenger, "auckland") == []
    await tick_at(rem, clock, "2026-11-21 19:00")  # 08:00 in Auckland: quiet hours are over
    [auckland] = announced(messenger, "auckland")
    assert "Sunday, 6 December 2026, 03:00" in auckland  # in the chat's own zone
    await tick_at(rem, clock, "2026-11-22 09:00")
    assert len(announced(messenger, "london")) == 1 and len(announced(messenger, "auckland")) == 1
    assert messenger.texts("unsubscribed") == [] and messenger.texts("petitions-only") == []


async def test_a_group_event_is_announced_only_to_its_own_group(
    rem: Reminders, ask: Ask, messenger: RecordingMessenger
) -> None:
    group: dict[str, Any] = {"chat": "group", "user": "admin", "kind": ChatKind.GROUP}
    await ask("/subscribe", "events", admin=True, **group)
    await ask("/settings", "quiet", "off", admin=True, **group)
    await ask("/subscribe", "events", chat="london")
    await ask("/settings", "quiet", "off", chat="london")
    await publish(ask, admin=True, **group)
    await rem.scheduler.tick()
    assert len(announced(messenger, "group")) == 1
    assert messenger.texts("london") == []


async def test_announcements_are_in_the_chat_language(
    rem: Reminders, ask: Ask, messenger: RecordingMessenger
) -> None:
    await ask("/subscribe", "events", chat="moscow")
    await ask("/settings", "timezone", "Europe/Moscow", chat="moscow")
    await ask("/settings", "language", "ru", chat="moscow")
    # Russian chats are discreet until they choose (tests/handlers/test_discreet.py): this one
    # chose full texts.
    await ask("/settings", "discreet", "off", chat="moscow")
    await publish(ask, chat=ORGANIZER)
    await rem.scheduler.tick()
    [text] = messenger.texts("moscow")
    assert text.startswith("📣 Новое событие: «Rally for Chechnya»"), text
