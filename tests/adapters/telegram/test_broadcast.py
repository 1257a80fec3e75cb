"""A broadcast through the real Telegram adapter (PTB) against the fake Bot API server.

The adapter maps Telegram's answers onto the core's errors; the fan-out must treat them as
documented: a 429's retry_after pauses exactly that long, a block marks the chat gone, a group
that became a supergroup moves to its new id (still subscribed), and everyone else gets the
message once, with its link button.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.adapters.telegram import TelegramMessenger
from bot.app import Core
from bot.core.broadcast.service import BroadcastService
from bot.core.broadcast.values import BroadcastState, DeliveryState, Message, NewBroadcast
from bot.core.messages import Address, ChatKind, UrlButton
from db.stores.broadcasts import SqlBroadcastStore
from tests.adapters.telegram.fake_server import (
    ALICE,
    FakeTelegram,
    eventually,
    group_chat,
    private_chat,
    running,
    user,
)
from tests.support.broadcast import add_subscribers

PEOPLE = [7300000000 + i for i in range(12)]
BLOCKED = PEOPLE[3]
OLD_GROUP = group_chat(-7399990004, kind="group")
SUPERGROUP_ID = -1007399990004


async def test_a_broadcast_through_the_telegram_adapter(
    core: Core, fake: FakeTelegram, core_messenger: Callable[..., TelegramMessenger]
) -> None:
    for person in PEOPLE:
        fake.chats[person] = private_chat(user(person, "en", "Person"))
    await add_subscribers(core.engine, "telegram", [str(p) for p in PEOPLE])
    await add_subscribers(core.engine, "telegram", [str(OLD_GROUP["id"])], kind=ChatKind.GROUP)
    telegram = core_messenger()
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        await asyncio.sleep(seconds)

    store = SqlBroadcastStore(core.engine)
    service = BroadcastService(
        store,
        {"telegram": telegram},
        core.translator,
        core.deps.clock,
        core.chat_events,
        poll_s=0.05,
        sleep=sleep,
    )
    organizer = Address("console", "organizer")
    info = await service.draft(
        NewBroadcast(
            "events",
            Message("Rally <Saturday> & more", (UrlButton("Map", "https://example.org/map"),)),
            organizer,
            "en",
            organizer,
            None,
        )
    )
    fake.block(BLOCKED)
    fake.migrate(OLD_GROUP, SUPERGROUP_ID, ALICE, announce=False)  # the bot learns when it sends
    fake.flood("sendMessage", retry_after=1)
    async with running(telegram, core.dispatcher.dispatch, fake):
        await service.confirm(info.id)
        task = asyncio.create_task(service.run())
        try:
            await eventually(lambda: finished(service, info.id), within=20)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    assert 1.0 in pauses  # Telegram's retry_after, exactly
    done = await service.get(info.id)
    assert done is not None
    assert done.counts == {DeliveryState.SENT: 11, DeliveryState.GONE: 2}
    for person in PEOPLE:
        messages = fake.in_chat(person)
        if person == BLOCKED:
            assert messages == []
            continue
        [message] = messages
        assert message.text == "Rally <Saturday> & more"  # escaped by the adapter, intact
        assert [b["url"] for b in message.buttons] == ["https://example.org/map"]
    # The blocked chat was asked once and never again.
    blocked_calls = [
        c for c in fake.calls_to("sendMessage") if str(c.params.get("chat_id")) == str(BLOCKED)
    ]
    assert len(blocked_calls) == 1
    # The blocked person gets nothing more; the group gets the next broadcast at its new id.
    subscribed = {p.address.chat_id for p in await core.store.subscribers("events")}
    assert subscribed == {str(p) for p in PEOPLE if p != BLOCKED} | {str(SUPERGROUP_ID)}


async def finished(service: BroadcastService, broadcast_id: int) -> bool:
    info = await service.get(broadcast_id)
    return info is not None and info.state is BroadcastState.DONE
