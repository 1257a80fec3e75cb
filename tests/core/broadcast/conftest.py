"""Broadcast tests build a core of their own per bot, tuned as each test needs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

import pytest

from bot.app import Core, build_core
from bot.ratelimit import Unlimited
from bot.settings import Settings
from tests.support.broadcast import FAST_BROADCASTS, Bot, MakeBot, bot_of
from tests.support.fakes import FixedClock
from tests.support.settings import settings_on


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The broadcast store on SQLite and on PostgreSQL."""
    return settings_on(database_url)


@pytest.fixture
async def make_bot(settings: Settings, clock: FixedClock) -> AsyncIterator[MakeBot]:
    """`await make_bot(platforms, max_tries=2)`: a core on the test's database whose broadcast
    service has these options, as a restarted process would be."""
    built: list[Core] = []

    async def make(
        platforms: Iterable[str] = ("console", "telegram", "discord"),
        second_approval_above: int | None = None,
        **options: Any,
    ) -> Bot:
        chosen = settings
        if second_approval_above is not None:
            chosen = settings.model_copy(
                update={"broadcast_second_approval_above": second_approval_above}
            )
        core = await build_core(
            chosen,
            clock=clock,
            limiter=Unlimited(),
            broadcast_options={**FAST_BROADCASTS, **options},
        )
        built.append(core)
        return bot_of(core, platforms)

    yield make
    for core in built:
        await core.aclose()
