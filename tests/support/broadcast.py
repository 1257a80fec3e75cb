"""Test-only pieces for broadcasts: a recording Messenger, bulk subscribers, a composed bot."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import Core
from bot.core.broadcast.service import BroadcastService
from bot.core.dispatcher import Dispatcher
from bot.core.messages import Address, ChatKind, Reply
from bot.core.ports import Dispatch, PlatformPacing
from db.models.chats import Chat, ChatTopic
from db.stores.broadcasts import SqlBroadcastStore
from handlers.deps import Deps
from tests.support.chat import Say, speaker


@dataclass
class FakeMessenger:
    """Our Messenger port, recording every send; told per chat which errors to raise first."""

    platform: str
    pacing: PlatformPacing = field(default_factory=PlatformPacing)
    sent: list[tuple[Address, Reply]] = field(default_factory=list)
    deleted: list[tuple[Address, tuple[str, ...]]] = field(default_factory=list)
    attempts: Counter[str] = field(default_factory=Counter)
    failures: dict[str, list[BaseException]] = field(default_factory=dict)
    # When set, a send waits for it first (to hold a delivery in flight).
    gate: asyncio.Event | None = None
    delay_s: float = 0.0
    in_flight: int = 0
    most_in_flight: int = 0

    async def run(self, dispatch: Dispatch) -> None:
        await asyncio.Event().wait()

    async def send(self, address: Address, reply: Reply) -> Sequence[str]:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await self._send(address, reply)
        finally:
            self.in_flight -= 1
        # The message's id: its place among everything sent.
        return (str(len(self.sent)),)

    async def delete(self, address: Address, message_ids: Sequence[str]) -> None:
        self.deleted.append((address, tuple(message_ids)))

    async def _send(self, address: Address, reply: Reply) -> None:
        self.attempts[address.chat_id] += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        queue = self.failures.get(address.chat_id)
        if queue:
            error = queue[0] if len(queue) == 1 and queue[0] is ALWAYS else queue.pop(0)
            if error is ALWAYS:
                raise RuntimeError("still failing")
            raise error
        self.sent.append((address, reply))

    def to(self, chat_id: str) -> list[Reply]:
        return [reply for address, reply in self.sent if address.chat_id == chat_id]


ALWAYS = RuntimeError("always")


async def add_subscribers(
    engine: AsyncEngine,
    platform: str,
    chat_ids: Iterable[str],
    topic: str = "events",
    kind: ChatKind = ChatKind.PRIVATE,
    locale: str | None = "en",
) -> None:
    """Many subscribed chats at once (executemany), as if each had sent /subscribe."""
    rows = [
        {
            "platform": platform,
            "chat_id": chat_id,
            "kind": kind.value,
            "locale": locale,
            "timezone": None,
            "quiet_start": None,
            "quiet_end": None,
            "active": True,
            "created_at": datetime(2026, 11, 1, tzinfo=UTC),
        }
        for chat_id in chat_ids
    ]
    async with engine.begin() as connection:
        await connection.execute(insert(Chat), rows)
        pks = (
            await connection.execute(
                Chat.__table__.select()
                .with_only_columns(Chat.id)
                .where(Chat.platform == platform, Chat.chat_id.in_([r["chat_id"] for r in rows]))
            )
        ).scalars()
        await connection.execute(insert(ChatTopic), [{"chat_pk": pk, "topic": topic} for pk in pks])


@dataclass
class Bot:
    """A built core whose broadcasts go to fake messengers, one per platform."""

    core: Core
    service: BroadcastService
    store: SqlBroadcastStore
    messengers: dict[str, FakeMessenger]
    dispatcher: Dispatcher[Deps]
    say: Say


MakeBot = Callable[..., Awaitable[Bot]]
# The fan-out's timing in tests: poll and retry at once instead of every few seconds.
FAST_BROADCASTS: dict[str, Any] = {"poll_s": 0.02, "retry_base_s": 0.001}


def bot_of(core: Core, platforms: Iterable[str] = ("console", "telegram", "discord")) -> Bot:
    """The core's own broadcast service, sending to a fake messenger per platform."""
    messengers = {platform: FakeMessenger(platform) for platform in platforms}
    core.outbox.update(messengers)
    return Bot(
        core,
        core.broadcasts,
        SqlBroadcastStore(core.engine),
        messengers,
        core.dispatcher,
        speaker(core.dispatcher.dispatch, chat="organizer"),
    )
