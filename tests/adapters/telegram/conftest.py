"""The Telegram tests' shared setup: a fake Bot API server and the real adapter pointed at it.

Most tests take `tg` (the bot on the real core, already receiving) and talk through
`fake.say(...)` / `fake.tap(...)`; tests about protocol edges build their own messenger with a
tiny registry through `new_messenger`.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Collection
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram import TelegramMessenger
from bot.app import Core
from bot.core.chats import ChatEvents
from bot.core.commands import Registry
from bot.core.messages import Address
from bot.core.ports import Translator
from bot.settings import Settings
from tests.adapters.telegram.fake_server import (
    ORGANIZER,
    TOKEN,
    FakeTelegram,
    private_chat,
    running,
)
from tests.support.fakes import InMemoryStore

# Test timings: short polls and retries, one update at a time so answers come in order.
QUICK = {"poll_timeout": 1, "retry_backoff": 0.01, "start_backoff": 0.01, "concurrent_updates": 1}

NewMessenger = Callable[..., TelegramMessenger]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The real core's settings with a Telegram token and a Telegram organizer."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'allybot.sqlite3'}",
        organizers=f"telegram:{ORGANIZER['id']}",  # type: ignore[arg-type]
        telegram_bot_token=TOKEN,  # type: ignore[arg-type]
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    # The organizer has opened a chat with the bot, so a chat-scoped menu can be set.
    server.chats[ORGANIZER["id"]] = private_chat(ORGANIZER)
    await server.start()
    yield server
    await server.stop()


class NoServerSetups:
    """Telegram has no server setups; nothing is ever marked broken."""

    async def mark_broken(self, platform: str, channel_id: str, reason: str) -> int:
        return 0


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def chat_events(store: InMemoryStore) -> ChatEvents:
    """The core's ChatEvents on the in-memory store, for tests with a tiny registry."""
    return ChatEvents(store, NoServerSetups())


@pytest.fixture
def new_messenger(fake: FakeTelegram) -> NewMessenger:
    """Build a (not yet running) messenger against the fake, from the parts given."""

    def build(
        registry: Registry[Any],
        translator: Translator,
        store: Any,
        chat_events: Any,
        organizers: Collection[Address] = (),
        **options: Any,
    ) -> TelegramMessenger:
        return TelegramMessenger(
            TOKEN,
            registry,
            translator,
            store,
            frozenset(organizers),
            chat_events=chat_events,
            base_url=fake.base_url,
            **{**QUICK, **options},
        )

    return build


@pytest.fixture
def core_messenger(core: Core, new_messenger: NewMessenger) -> NewMessenger:
    """Build a (not yet running) messenger on the real core; options as TelegramMessenger's."""
    return functools.partial(
        new_messenger,
        core.registry,
        core.translator,
        core.store,
        core.chat_events,
        core.settings.organizers,
    )


@pytest.fixture
async def tg(
    core: Core, fake: FakeTelegram, core_messenger: NewMessenger
) -> AsyncIterator[TelegramMessenger]:
    """The bot on the real core, receiving updates from the fake."""
    async with running(core_messenger(), core.dispatcher.dispatch, fake) as bot:
        yield bot
