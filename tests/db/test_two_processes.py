"""Two processes on one PostgreSQL database, as webhook workers behind a load balancer run: each
a whole core (`build_core` twice on the same database), a person's messages landing on either.
What the person notices must be the same as with one process: a step-by-step command continues
wherever the next answer lands, the rate limit counts both, a changed or erased preference shows
at once through the other, and nothing of a draft stays once it is answered or expired."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

import db.stores.shared
from bot.app import Core, build_core
from bot.core.conversation import DRAFT_TTL_S
from bot.core.ports import TooFast
from bot.settings import Settings
from db.stores.shared import pseudonym
from tests.support.chat import Say, speaker
from tests.support.fakes import FixedClock
from tests.support.postgres import Server
from tests.support.reminders import ORGANIZER
from tests.support.settings import settings_on

EVENT = ("london", "Rally for Chechnya", "2026-12-05 14:00", "16:00", "Trafalgar Square")
DESCRIPTION = "Stand with LGBT Chechens."


class WallClock:
    """The wall clock the shared drafts and buckets read, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def wall(monkeypatch: pytest.MonkeyPatch) -> WallClock:
    clock = WallClock()
    monkeypatch.setattr(db.stores.shared, "wall_clock", clock)
    return clock


@pytest.fixture
def shared_settings(postgres: Server) -> Settings:
    return settings_on(postgres.url(postgres.fresh_database())).model_copy(
        update={"rate_limit_per_minute": 60, "rate_limit_burst": 10}
    )


@pytest.fixture
async def cores(
    shared_settings: Settings, clock: FixedClock, wall: WallClock
) -> AsyncIterator[tuple[Core, Core]]:
    first = await build_core(shared_settings, clock=clock)
    second = await build_core(shared_settings, clock=clock)
    yield first, second
    await first.aclose()
    await second.aclose()


def speakers(cores: tuple[Core, Core], chat: str) -> tuple[Say, Say]:
    return speaker(cores[0].dispatcher.dispatch, chat=chat), speaker(
        cores[1].dispatcher.dispatch, chat=chat
    )


async def held_drafts(core: Core) -> int:
    async with core.engine.connect() as connection:
        return int(await connection.scalar(text("SELECT count(*) FROM shared_drafts")) or 0)


async def test_an_answer_landing_on_the_other_process_continues_the_draft(
    cores: tuple[Core, Core],
) -> None:
    a, b = speakers(cores, ORGANIZER)
    question = await a("/eventform")
    assert "Which time zone is the venue in?" in question.text
    # Each answer lands on the other process than the one before.
    for number, answer in enumerate(EVENT):
        question = await (b if number % 2 == 0 else a)(answer)
        assert "(Send any command to stop.)" in question.text, question.text
    preview = await b(DESCRIPTION)
    assert "Preview of the new event" in preview.text, preview.text
    assert "Saturday, 5 December 2026, 14:00–16:00 (Europe/London)" in preview.text
    # Answered: nothing of what was typed stays in the shared table.
    assert await held_drafts(cores[0]) == 0
    # Published through one process, listed at once by the other (no stale event cache).
    draft_id = next(
        button.args[0]  # type: ignore[union-attr]
        for button in preview.buttons
        if getattr(button, "command", None) == "eventdraft"
    )
    assert "Published." in (await a("/eventdraft", draft_id, "publish")).text
    supporter = speaker(cores[1].dispatcher.dispatch, chat="supporter")
    assert "Rally for Chechnya" in (await supporter("/events")).text


async def test_a_draft_expires_for_both_processes_and_its_row_goes(
    cores: tuple[Core, Core], wall: WallClock
) -> None:
    a, b = speakers(cores, ORGANIZER)
    await a("/eventform")
    assert await held_drafts(cores[0]) == 1
    wall.now += DRAFT_TTL_S
    late = await b("london")
    assert "I answer commands" in late.text
    assert await held_drafts(cores[1]) == 0


async def test_a_new_command_on_either_process_abandons_the_draft(
    cores: tuple[Core, Core],
) -> None:
    a, b = speakers(cores, ORGANIZER)
    await a("/eventform")
    await b("/events")
    assert await held_drafts(cores[0]) == 0
    assert "I answer commands" in (await a("london")).text


async def test_the_rate_limit_counts_both_processes(cores: tuple[Core, Core]) -> None:
    a, b = speakers(cores, "5550001234")
    replies = [await (a if n % 2 else b)("/events") for n in range(11)]
    # A burst of 10, then refused, exactly as one process would (the clock does not move).
    assert [isinstance(r, TooFast) for r in replies] == [False] * 10 + [True]
    assert "try again in 2 seconds" in replies[-1].text
    # Somebody else is not affected, on either process.
    other_a, other_b = speakers(cores, "777")
    assert not isinstance(await other_a("/events"), TooFast)
    assert not isinstance(await other_b("/events"), TooFast)


async def test_a_preference_changed_or_erased_through_one_is_seen_by_the_other(
    cores: tuple[Core, Core],
) -> None:
    a, b = speakers(cores, "5550001234")
    assert "Time zone: not set (UTC)" in (await b("/settings")).text
    await a("/settings", "timezone", "Asia/Tokyo")
    assert "Time zone: Asia/Tokyo" in (await b("/settings")).text
    await b("/reminders", "2h")
    assert "Event reminders: 2 hours before" in (await a("/settings")).text
    await a("/subscribe", "events")
    assert "You receive reminders about: events and rallies." in (await b("/subscribe")).text
    erased = await a("/forget", "confirm")
    assert "1 reminder subscription" in erased.text
    # The asker's rate-limit bucket went with the erasure (a new one starts with the next).
    async with cores[0].engine.connect() as connection:
        keys = set((await connection.scalars(text("SELECT key FROM rate_buckets"))).all())
    assert pseudonym("console:5550001234") not in keys
    # The other process serves the defaults at once, not the erased choices.
    shown = await b("/settings")
    assert "Time zone: not set (UTC)" in shown.text
    assert "Event reminders: 1 day, 1 hour before" in shown.text
    assert "You receive reminders about" not in (await b("/subscribe")).text
