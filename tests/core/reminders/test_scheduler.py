"""Reminders with a controllable clock: lead times, 29 March across the clock change, quiet hours,
outage catch-up on the same SQLite file, refused deliveries, and never twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.app import Core, build_core
from bot.core.messages import Address
from bot.core.reminders.scheduler import RETRY_SOON_S, ReminderScheduler, TickReport
from bot.ratelimit import Unlimited
from bot.settings import Settings
from db.stores.reminders import SqlPlanStore
from handlers.texts.reminder import ReminderTexts
from tests.support.chat import Say as Ask
from tests.support.fakes import FixedClock
from tests.support.reminders import RecordingMessenger, Reminders, compose, make_event


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def tick_at(rem: Reminders, clock: FixedClock, when: str) -> None:
    clock.now = at(when)
    await rem.scheduler.tick()


def reminders_of(messenger: RecordingMessenger, chat: str) -> list[str]:
    """What the chat got besides the announcements of newly published events."""
    return [text for text in messenger.texts(chat) if not text.startswith("📣")]


async def subscriber(ask: Ask, chat: str, zone: str, topic: str = "events") -> None:
    await ask("/subscribe", topic, chat=chat)
    await ask("/settings", "timezone", zone, chat=chat)


async def test_default_lead_times_are_a_day_and_an_hour_before(
    rem: Reminders, ask: Ask, clock: FixedClock, messenger: RecordingMessenger
) -> None:
    await subscriber(ask, "sub", "Europe/London")
    await make_event(rem, clock, "2026-12-01 18:00")
    await tick_at(rem, clock, "2026-11-30 17:59")
    assert messenger.texts("sub") == []
    await tick_at(rem, clock, "2026-11-30 18:00")
    [day] = messenger.texts("sub")
    assert "“Rally” starts in 1 day" in day and "Tuesday, 1 December 2026, 18:00" in day
    assert "late" not in day
    await tick_at(rem, clock, "2026-12-01 16:59")
    assert len(messenger.texts("sub")) == 1
    await tick_at(rem, clock, "2026-12-01 17:00")
    assert "starts in 1 hour" in messenger.texts("sub")[-1]
    await tick_at(rem, clock, "2026-12-01 17:30")
    assert len(messenger.texts("sub")) == 2


async def test_chosen_lead_times_and_language(
    rem: Reminders, ask: Ask, clock: FixedClock, messenger: RecordingMessenger
) -> None:
    await subscriber(ask, "sub", "Europe/Moscow")
    await ask("/settings", "language", "ru", chat="sub")
    await ask("/settings", "discreet", "off", chat="sub")  # full texts, not discreet's Show
    reply = await ask("/reminders", "1w, 3h", chat="sub")
    assert "1 неделя" in reply.text or "1 week" in reply.text
    await make_event(rem, clock, "2026-12-10 15:00", zone="Europe/Moscow")
    await tick_at(rem, clock, "2026-12-03 12:00")  # 15:00 Moscow, a week before
    [week] = messenger.texts("sub")
    assert "1 неделя" in week or "1 week" in week
    await tick_at(rem, clock, "2026-12-09 12:00")  # the old default (1 day) is not chosen
    assert len(messenger.texts("sub")) == 1
    await tick_at(rem, clock, "2026-12-10 09:00")  # 12:00 Moscow, 3 hours before
    assert len(messenger.texts("sub")) == 2


async def test_lead_times_are_checked_and_offered_as_buttons(ask: Ask) -> None:
    menu = await ask("/reminders")
    assert "1 day, 1 hour before" in menu.text
    assert ("1w,1d,1h",) in [getattr(b, "args", None) for b in menu.buttons]
    bad = await ask("/reminders", "tomorrow")
    assert "could not read" in bad.text
    assert "off" in (await ask("/reminders", "off")).text
    assert "Event reminders: off" in (await ask("/settings")).text


async def test_remembrance_at_nine_local_across_the_29_march_2026_clock_change(
    rem: Reminders, ask: Ask, clock: FixedClock, messenger: RecordingMessenger
) -> None:
    clock.now = at("2026-03-20 12:00")
    await subscriber(ask, "london", "Europe/London", "remembrance")
    await subscriber(ask, "berlin", "Europe/Berlin", "remembrance")
    # 09:00 local each time: GMT/CET before the change, BST/CEST on 29 March itself.
    expected = {
        "london": ["2026-03-22 09:00", "2026-03-28 09:00", "2026-03-29 08:00"],
        "berlin": ["2026-03-22 08:00", "2026-03-28 08:00", "2026-03-29 07:00"],
    }
    moments = sorted({t for times in expected.values() for t in times})
    for moment in moments:
        before = {chat: len(messenger.texts(chat)) for chat in expected}
        minute_early = at(moment).replace(minute=59, hour=at(moment).hour - 1)
        clock.now = minute_early
        await rem.scheduler.tick()
        assert {chat: len(messenger.texts(chat)) for chat in expected} == before
        await tick_at(rem, clock, moment)
        for chat, times in expected.items():
            assert len(messenger.texts(chat)) == before[chat] + (moment in times), (chat, moment)
    london = messenger.texts("london")
    assert "In a week" in london[0] and "Tomorrow" in london[1] and "Today" in london[2]
    assert all("#100forJustice" in text for text in london)


async def test_a_day_before_is_the_same_wall_clock_time_across_the_change(
    rem: Reminders, ask: Ask, clock: FixedClock, messenger: RecordingMessenger
) -> None:
    clock.now = at("2026-03-20 12:00")
    await subscriber(ask, "berlin", "Europe/Berlin")
    await ask("/settings", "quiet", "off", chat="berlin")
    await make_event(rem, clock, "2026-03-29 18:00", zone="Europe/Berlin")
    # 18:00 CET on 28 March is 17:00 UTC (24 hours before would be 16:00 UTC, 17:00 local).
    await tick_at(rem, clock, "2026-03-28 16:59")
    assert messenger.texts("berlin") == []
    await tick_at(rem, clock, "2026-03-28 17:00")
    assert len(messenger.texts("berlin")) == 1
    await tick_at(rem, clock, "2026-03-29 15:00")  # 17:00 CEST, an hour before
    assert "1 hour" in messenger.texts("berlin")[-1]


async def test_quiet_hours_wait_unless_the_event_starts_first(
    rem: Reminders, ask: Ask, clock: FixedClock, messenger: RecordingMessenger
) -> None:
    await subscriber(ask, "sub", "Europe/London")  # quiet 22:00-08:00 by default
    await make_event(rem, clock, "2026-12-02 07:30")
    # A day before is 07:30 on 1 December, inside quiet hours: it waits until 08:00.
    await tick_at(rem, clock, "2026-12-01 07:30")
    assert messenger.texts("sub") == []
    await tick_at(rem, clock, "2026-12-01 08:00")
    assert "1 day" in messenger.texts("sub")[0]
    # An hour before is 06:30, also quiet, but the event starts before 08:00: it goes anyway.
    await tick_at(rem, clock, "2026-12-02 06:30")
    assert "1 hour" in messenger.texts("sub")[1]


async def test_outage_catch_up_sends_useful_late_ones_once_and_drops_stale_ones(
    core: Core,
    rem: Reminders,
    ask: Ask,
    clock: FixedClock,
    messenger: RecordingMessenger,
    settings: Settings,
) -> None:
    await subscriber(ask, "sub", "Europe/London")
    await ask("/settings", "quiet", "off", chat="sub")
    await make_event(rem, clock, "2026-12-01 18:00", title="Evening")
    await make_event(rem, clock, "2026-12-01 12:00", title="Noon")
    await rem.scheduler.tick()  # planned while running
    await core.aclose()  # the bot stops

    clock.now = at("2026-12-01 12:30")  # down across four due times
    again = await build_core(settings, clock=clock, limiter=Unlimited())
    try:
        restarted = compose(again, {"console": messenger})
        report = await restarted.scheduler.tick()
        texts = reminders_of(messenger, "sub")
        # Evening's day-before reminder is late but useful; Noon has started: both of its dropped.
        assert len(texts) == 1
        assert texts[0].startswith("Sorry, this reminder is late")
        assert "“Evening” starts in 1 day" in texts[0]
        assert report.stale == 2 and report.late == 1
        await restarted.scheduler.tick()
        assert len(reminders_of(messenger, "sub")) == 1
        clock.now = at("2026-12-01 17:00")
        await restarted.scheduler.tick()
        assert "“Evening” starts in 1 hour" in reminders_of(messenger, "sub")[-1]
        assert "late" not in reminders_of(messenger, "sub")[-1]
        assert len(reminders_of(messenger, "sub")) == 2
    finally:
        await again.aclose()


async def test_after_a_long_outage_only_the_latest_reminder_of_an_event_goes(
    core: Core,
    rem: Reminders,
    ask: Ask,
    clock: FixedClock,
    messenger: RecordingMessenger,
    settings: Settings,
) -> None:
    await subscriber(ask, "sub", "Europe/London")
    await ask("/settings", "quiet", "off", chat="sub")
    await make_event(rem, clock, "2026-12-01 18:00")
    await rem.scheduler.tick()
    clock.now = at("2026-12-01 17:40")
    report = await rem.scheduler.tick()
    assert report.superseded == 1
    [text] = reminders_of(messenger, "sub")
    assert "starts in 1 hour" in text and "late" in text


async def test_nothing_is_sent_twice_across_restarts(
    core: Core,
    rem: Reminders,
    ask: Ask,
    clock: FixedClock,
    messenger: RecordingMessenger,
    settings: Settings,
) -> None:
    await subscriber(ask, "sub", "Europe/London")
    await make_event(rem, clock, "2026-12-01 18:00")
    await tick_at(rem, clock, "2026-11-30 18:00")
    assert len(messenger.texts("sub")) == 1
    for _ in range(2):
        again = await build_core(settings, clock=clock, limiter=Unlimited())
        try:
            await compose(again, {"console": messenger}).scheduler.tick()
        finally:
            await again.aclose()
    assert len(messenger.texts("sub")) == 1


async def test_a_chat_that_blocked_the_bot_is_never_retried(
    core: Core, rem: Reminders, ask: Ask, clock: FixedClock, messenger: RecordingMessenger
) -> None:
    await subscriber(ask, "gone", "Europe/London")
    await make_event(rem, clock, "2026-12-01 18:00")
    messenger.gone.add("gone")
    report = await tick_at_report(rem, clock, "2026-11-30 18:00")
    assert report.gone == 1
    assert await core.store.subscribers("events") == []
    messenger.gone.clear()
    await tick_at(rem, clock, "2026-12-01 17:00")
    assert messenger.texts("gone") == []


async def tick_at_report(rem: Reminders, clock: FixedClock, when: str) -> TickReport:
    clock.now = at(when)
    return await rem.scheduler.tick()


async def test_a_busy_platform_gets_the_reminder_next_tick(
    rem: Reminders, ask: Ask, clock: FixedClock, messenger: RecordingMessenger
) -> None:
    await subscriber(ask, "busy", "Europe/London")
    await make_event(rem, clock, "2026-12-01 18:00")
    messenger.busy.add("busy")
    report = await tick_at_report(rem, clock, "2026-11-30 18:00")
    assert report.retry == 1 and messenger.texts("busy") == []
    messenger.busy.clear()
    await tick_at(rem, clock, "2026-11-30 18:01")
    assert len(messenger.texts("busy")) == 1
    await tick_at(rem, clock, "2026-11-30 18:02")
    assert len(messenger.texts("busy")) == 1


async def test_unsubscribing_stops_reminders_and_subscribing_late_skips_past_ones(
    rem: Reminders, ask: Ask, clock: FixedClock, messenger: RecordingMessenger
) -> None:
    await subscriber(ask, "sub", "Europe/London")
    await make_event(rem, clock, "2026-12-01 18:00")
    await rem.scheduler.tick()
    await ask("/unsubscribe", "events", chat="sub")
    await tick_at(rem, clock, "2026-11-30 18:00")
    assert reminders_of(messenger, "sub") == []
    await ask("/subscribe", "events", chat="sub")  # the day-before one is past: not news
    await tick_at(rem, clock, "2026-11-30 18:05")
    assert reminders_of(messenger, "sub") == []
    await tick_at(rem, clock, "2026-12-01 17:00")
    assert len(reminders_of(messenger, "sub")) == 1


async def test_group_events_remind_only_their_own_group(
    rem: Reminders, ask: Ask, clock: FixedClock, messenger: RecordingMessenger
) -> None:
    await ask("/settings", "timezone", "Europe/London", chat="group")  # not subscribed
    await subscriber(ask, "other", "Europe/London")
    await make_event(rem, clock, "2026-12-01 18:00", scope=Address("console", "group"))
    await tick_at(rem, clock, "2026-11-30 18:00")
    assert len(messenger.texts("group")) == 1
    assert messenger.texts("other") == []


class FailingOnce(SqlPlanStore):
    """The real plan store, whose first read fails (a locked database, say)."""

    failed = False

    async def marks(self) -> dict[str, str]:
        if not self.failed:
            self.failed = True
            raise OSError("disk I/O error")
        return await super().marks()


async def test_the_loop_survives_a_failing_tick_and_sends_on_the_next(
    core: Core,
    ask: Ask,
    clock: FixedClock,
    messenger: RecordingMessenger,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await subscriber(ask, "sub", "Europe/London")
    composed = compose(core, {"console": messenger})
    await make_event(composed, clock, "2026-12-01 18:00")
    clock.now = at("2026-11-30 18:00")
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise asyncio.CancelledError

    scheduler = ReminderScheduler(
        FailingOnce(core.engine),
        composed.events,
        core.chat_events,
        {"console": messenger},
        clock,
        ReminderTexts(core.translator, core.deps.campaign.remembrance),
        (3, 29),
        tick_seconds=30,
        sleep=sleep,
    )
    with pytest.raises(asyncio.CancelledError):
        await scheduler.run()
    assert sleeps == [30, 30]
    assert "reminder tick failed with OSError" in caplog.text
    assert len(messenger.texts("sub")) == 1


async def test_a_platform_that_asks_to_wait_is_tried_again_soon_not_a_tick_later(
    core: Core, ask: Ask, clock: FixedClock, messenger: RecordingMessenger
) -> None:
    """As at start, before Telegram is ready: the reminders are due, so the next try comes in
    seconds, and once they went out the loop returns to its usual tick."""
    await subscriber(ask, "busy", "Europe/London")
    composed = compose(core, {"console": messenger})
    await make_event(composed, clock, "2026-12-01 18:00")
    clock.now = at("2026-11-30 18:00")
    messenger.busy.add("busy")
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        messenger.busy.clear()  # the platform is ready by the next try
        if len(sleeps) == 2:
            raise asyncio.CancelledError

    scheduler = ReminderScheduler(
        SqlPlanStore(core.engine),
        composed.events,
        core.chat_events,
        {"console": messenger},
        clock,
        ReminderTexts(core.translator, core.deps.campaign.remembrance),
        (3, 29),
        tick_seconds=30,
        sleep=sleep,
    )
    with pytest.raises(asyncio.CancelledError):
        await scheduler.run()
    assert sleeps == [RETRY_SOON_S, 30]
    assert len(reminders_of(messenger, "busy")) == 1
