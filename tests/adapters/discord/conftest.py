"""What the Discord adapter's tests share: the fake Discord, a bot running against it with the
real core (from tests/conftest.py), and the helpers that read what the bot answered."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.adapters.discord.messenger import DiscordMessenger
from bot.app import Core
from bot.core.broadcast.service import BroadcastService
from bot.core.broadcast.values import BroadcastInfo, BroadcastState, Message, NewBroadcast
from bot.core.commands import Registry
from bot.core.messages import Address, Reply, Request
from db.stores.broadcasts import SqlBroadcastStore
from tests.adapters.discord.fake_server import FakeDiscord

EPHEMERAL = 64
CYRILLIC = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
JSON = dict[str, Any]
Dispatch = Callable[[Request], Awaitable[Reply | None]]


@dataclass
class Bot:
    """The Discord adapter running against the fake with the real core, restartable like a real
    deployment. `registry` is the core's unless a test serves another command set."""

    core: Core
    fake: FakeDiscord
    registry: Registry[Any] = field(init=False)
    messenger: DiscordMessenger | None = None
    task: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.registry = self.core.registry

    async def start(self, dispatch: Dispatch | None = None, **options: Any) -> DiscordMessenger:
        self.fake.identified.clear()
        core = self.core
        messenger = DiscordMessenger(
            self.fake.token, self.registry, core.translator, core.server_setups, **options
        )
        core.server_probes["discord"] = messenger.probe
        self.messenger = messenger
        self.task = asyncio.create_task(messenger.run(dispatch or core.dispatcher.dispatch))
        await self.fake.wait_identified()
        return messenger

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
            self.task = None

    async def restart(self) -> DiscordMessenger:
        await self.stop()
        return await self.start()

    @property
    def running(self) -> DiscordMessenger:
        """The messenger of the current run (tests that send call this after start)."""
        assert self.messenger is not None
        return self.messenger

    def channel(self, name: str) -> Address:
        """A channel of the fake server as the core addresses it."""
        return Address("discord", str(self.fake.guild.channels[name]))


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    server.patch(monkeypatch)
    yield server
    await server.stop()


@pytest.fixture
async def bot(core: Core, fake: FakeDiscord) -> AsyncIterator[Bot]:
    running = Bot(core, fake)
    await running.start()
    yield running
    await running.stop()


async def answer(fake: FakeDiscord, interaction: Any) -> JSON:
    """The message an interaction was answered with (after a deferral, its first follow-up)."""
    callback = await fake.wait_callback(interaction)
    if callback["type"] == 5:
        return (await fake.wait_followups(interaction))[0]
    assert callback["type"] == 4, callback
    data: JSON = callback["data"]
    return data


async def answers(fake: FakeDiscord, interaction: Any) -> list[JSON]:
    """Every message of an answer, waiting for the last one (the one with the buttons)."""
    first = await answer(fake, interaction)
    if first.get("components"):
        return [first]
    await fake.wait_for(lambda: any(m.get("components") for m in fake.followups[interaction.token]))
    return [first, *fake.followups[interaction.token]]


async def set_up(bot: Bot, channel: str = "announcements", **options: str) -> JSON:
    """An admin runs /setup choosing `channel` (and any other options); returns the answer."""
    interaction = await bot.fake.slash(
        "setup", options, admin=True, channel_options={"channel": channel}
    )
    return await answer(bot.fake, interaction)


async def broadcast(core: Core, messenger: DiscordMessenger, message: Message) -> BroadcastInfo:
    """Send `message` to the `events` subscribers through the core's fan-out (sender, pacing,
    ChatEvents) over the Discord adapter alone, and wait until it is done."""
    service = BroadcastService(
        SqlBroadcastStore(core.engine),
        {"discord": messenger},
        core.translator,
        core.deps.clock,
        core.chat_events,
        poll_s=0.05,
    )
    organizer = Address("console", "organizer")
    info = await service.draft(NewBroadcast("events", message, organizer, "en", organizer, None))
    await service.confirm(info.id)
    task = asyncio.create_task(service.run())
    try:
        async with asyncio.timeout(15):
            # The service tells its progress only through its store: polled.
            while not await _finished(service, info.id):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        done = await service.get(info.id)
        assert done is not None
        return done
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _finished(service: BroadcastService, broadcast_id: int) -> bool:
    info = await service.get(broadcast_id)
    return info is not None and info.state is BroadcastState.DONE
