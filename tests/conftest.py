"""Shared fixtures: the real core on a fresh SQLite file per test, with a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.app import Core, build_core
from bot.core.messages import Address, ChatKind, Reply, Request
from bot.ratelimit import Unlimited
from bot.settings import Settings
from tests.fakes import FixedClock

Say = Callable[..., Awaitable[Reply]]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'allybot.sqlite3'}",
        organizers="console:organizer",  # type: ignore[arg-type]
    )


@pytest.fixture
async def core(settings: Settings, clock: FixedClock) -> AsyncIterator[Core]:
    core = await build_core(settings, clock=clock, limiter=Unlimited())
    yield core
    await core.aclose()


@pytest.fixture
def say(core: Core) -> Say:
    """Chat with the real dispatcher: `await say("/events past", locale="ru")`."""

    async def say_(
        text: str,
        *,
        chat: str = "alice",
        user: str | None = None,
        locale: str | None = "en",
        kind: ChatKind = ChatKind.PRIVATE,
        admin: bool = False,
        platform: str = "console",
    ) -> Reply:
        words = text.split()
        request = Request(
            command=words[0].lstrip("/"),
            args=tuple(words[1:]),
            chat=Address(platform, chat),
            user_id=user or chat,
            chat_kind=kind,
            locale=locale,
            is_chat_admin=admin,
        )
        reply = await core.dispatcher.dispatch(request)
        assert reply is not None
        return reply

    return say_
