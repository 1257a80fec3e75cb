"""The pacing policy and the composing of typed text, on a clock the test moves."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.discord.messenger import DISCORD_PACING
from bot.adapters.telegram.messenger import TELEGRAM_PACING
from bot.app import Core
from bot.core.broadcast.compose import MAX_TEXT, ComposeError, compose, parse_when
from bot.core.delivery.pacing import Pacer, Schedule
from bot.core.ports import PlatformPacing, RecipientGone, TryLater
from tests.support.broadcast import ALWAYS, MakeBot, add_subscribers


class ManualClock:
    """monotonic() and sleep() on a timeline only sleeping moves."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_slots_keep_every_one_second_window_at_or_under_the_cap() -> None:
    clock = ManualClock()
    schedule = Schedule(25.0, clock, clock.sleep)
    times = []
    for _ in range(500):
        await schedule.acquire()
        times.append(clock.now)
        clock.now += 0.0007  # the send itself takes a little while
    assert most_in_one_second(times) <= 25
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert 24.5 <= rate <= 25.0


def test_telegram_is_25_a_second_by_default_and_never_above_30() -> None:
    assert TELEGRAM_PACING.rate == 25.0
    assert TELEGRAM_PACING.with_rate(28).rate == 28
    assert TELEGRAM_PACING.with_rate(500).rate == 30
    assert DISCORD_PACING.private_rate == 5.0 and DISCORD_PACING.rate < 50


async def test_one_chat_gets_at_most_one_a_second_and_a_group_twenty_a_minute() -> None:
    clock = ManualClock()
    pacer = Pacer(PlatformPacing(rate=1000, group_per_minute=20), clock, clock.sleep)
    await pacer.acquire("person", False)
    assert pacer.wait_for("person", False) == pytest.approx(1.0)
    assert pacer.wait_for("someone-else", False) == 0.0
    for _ in range(20):
        clock.now += pacer.wait_for("group", True)
        await pacer.acquire("group", True)
    # The 21st message to the group waits until the first is a minute old.
    assert pacer.wait_for("group", True) == pytest.approx(60.0 - 19.0, abs=0.01)


def most_in_one_second(times: list[float]) -> int:
    return max(sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times))


async def test_dms_on_discord_go_at_most_five_in_any_second() -> None:
    clock = ManualClock()
    pacer = Pacer(DISCORD_PACING, clock, clock.sleep)
    times = []
    for i in range(50):
        await pacer.acquire(f"dm{i}", group=False)
        times.append(clock.now)
    assert most_in_one_second(times) <= 5
    assert times[-1] >= 9.0  # 50 DMs: ten seconds' worth, however they bunch


async def test_slow_deliveries_are_caught_up_without_breaking_the_window() -> None:
    clock = ManualClock()
    schedule = Schedule(25.0, clock, clock.sleep)
    times = []
    for i in range(1000):
        await schedule.acquire()
        times.append(clock.now)
        clock.now += 0.070 if i % 4 == 0 else 0.030  # every fourth delivery is slow
    assert most_in_one_second(times) <= 25
    assert 24.5 <= (len(times) - 1) / (times[-1] - times[0]) <= 25.0


@given(st.text(max_size=2500))
def test_composed_messages_are_never_empty_too_long_or_carry_unsafe_links(raw: str) -> None:
    try:
        message = compose(raw)
    except ComposeError as error:
        assert error.msgid
        return
    assert message.text.strip() and len(message.text) <= MAX_TEXT
    assert all(link.url.startswith("https://") for link in message.links)


@given(st.text(max_size=40))
def test_any_typed_time_is_understood_or_refused_politely(value: str) -> None:
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    try:
        when = parse_when(value, "Europe/Berlin", now)
    except ComposeError:
        return
    assert when is None or when > now


def test_times_are_in_the_senders_zone() -> None:
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    when = parse_when("2026-11-21 18:30", "Europe/Moscow", now)
    assert when is not None and when.astimezone(UTC).hour == 15
    tomorrow = parse_when("09:00", "UTC", now)
    assert tomorrow == datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


async def test_delivery_logs_carry_no_chat_ids_or_text(
    make_bot: MakeBot, core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for ours in ("bot", "handlers", "content", "db"):
        caplog.set_level(logging.DEBUG, logger=ours)
    bot = await make_bot(platforms=("console", "telegram"), max_tries=2)
    chats = ["5550001", "5550002", "5550003", "5550004"]
    await add_subscribers(core.engine, "telegram", chats)
    bot.messengers["telegram"].failures = {
        "5550001": [RecipientGone()],
        "5550002": [TryLater(0.01)],
        "5550003": [ALWAYS],
    }
    preview = await bot.say("/broadcast events now Grozny-safehouse-secret")
    confirm = next(b for b in preview.buttons if getattr(b, "command", "") == "bcsend")
    await bot.say(f"/bcsend {confirm.args[0]}")  # type: ignore[union-attr]
    task = asyncio.create_task(bot.service.run())
    async with asyncio.timeout(10):
        while not any("finished" in r.text for r in (r for _, r in bot.messengers["console"].sent)):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "delivery failed" in logged  # something was logged, just nothing personal
    for secret in (*chats, "Grozny-safehouse-secret", "organizer"):
        assert secret not in logged
