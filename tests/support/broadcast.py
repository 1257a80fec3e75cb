"""Test-only pieces for broadcasts: a recording Messenger, bulk subscribers, a composed bot."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import Core
from bot.core.broadcast.service import BroadcastService
from bot.core.dispatcher import Dispatcher
from bot.core.messages import Address, ChatKind, Reply, Request
from bot.core.ports import Dispatch
from bot.ratelimit import Unlimited
from db.models.chats import Chat, ChatTopic
from db.stores.broadcasts import SqlBroadcastStore
from handlers.deps import Deps


@dataclass
class FakeMessenger:
    """Our Messenger port, recording every send; told per chat which errors to raise first."""

    platform: str
    sent: list[tuple[Address, Reply]] = field(default_factory=list)
    attempts: Counter[str] = field(default_factory=Counter)
    failures: dict[str, list[BaseException]] = field(default_factory=dict)
    # When set, a send waits for it first (to hold a delivery in flight).
    gate: asyncio.Event | None = None
    delay_s: float = 0.0
    in_flight: int = 0
    most_in_flight: int = 0

    async def run(self, dispatch: Dispatch) -> None:
        await asyncio.Event().wait()

    async def send(self, address: Address, reply: Reply) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await self._send(address, reply)
        finally:
            self.in_flight -= 1

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


Say = Callable[..., Awaitable[Reply]]


@dataclass
class Bot:
    """The real dispatcher and handlers with a BroadcastService over fake messengers."""

    core: Core
    service: BroadcastService
    store: SqlBroadcastStore
    messengers: dict[str, FakeMessenger]
    dispatcher: Dispatcher[Deps]
    say: Say


def compose_bot(
    core: Core,
    platforms: Iterable[str] = ("console", "telegram", "discord"),
    deps_options: dict[str, Any] | None = None,
    **service_options: Any,
) -> Bot:
    """Wire a BroadcastService the way bot/app.py does, with fake messengers."""
    messengers = {platform: FakeMessenger(platform) for platform in platforms}
    store = SqlBroadcastStore(core.engine)
    options: dict[str, Any] = {"poll_s": 0.02, "retry_base_s": 0.001}
    options.update(service_options)
    service = BroadcastService(store, messengers, core.translator, core.deps.clock, **options)
    deps = replace(core.deps, broadcasts=service, **(deps_options or {}))
    dispatcher = Dispatcher(
        core.registry, deps, core.store, core.translator, Unlimited(), core.settings.organizers
    )

    async def say(
        text: str,
        *,
        chat: str = "organizer",
        user: str | None = None,
        kind: ChatKind = ChatKind.PRIVATE,
        admin: bool = False,
        platform: str = "console",
        locale: str = "en",
    ) -> Reply:
        """A command ('/broadcast ...') or, without a leading slash, a plain message."""
        if text.startswith("/"):
            words = text.split(" ")
            command, args = words[0][1:], tuple(w for w in words[1:] if w)
        else:
            command, args = "", (text,)
        request = Request(
            command,
            args,
            Address(platform, chat),
            user or chat,
            kind,
            locale,
            is_chat_admin=admin,
        )
        reply = await dispatcher.dispatch(request)
        assert reply is not None
        return reply

    return Bot(core, service, store, messengers, dispatcher, say)
