"""SIGTERM while the bot is sending: it exits 0 within seconds, and after a restart every chat
has exactly one copy (none lost, none twice).

The real `allybot run` process against the fake Bot API (100-300 ms a call), on the real clock.
The work in progress is prepared in the database before the process starts, as an earlier run
would have left it: a confirmed broadcast to 200 subscribed chats, and reminders coming due.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from bot.app import build_core
from bot.core.broadcast.values import BroadcastState, Message, NewBroadcast
from bot.core.messages import Address
from bot.core.reminders.values import EventDraft
from bot.ratelimit import Unlimited
from bot.settings import Settings
from db.stores.broadcasts import SqlBroadcastStore
from tests.adapters.telegram.fake_server import FakeTelegram, private_chat, user
from tests.e2e.conftest import ORGANIZER, BotProcess, execute, rows
from tests.support.broadcast import add_subscribers
from tests.support.settings import settings_on

BROADCAST = "Rally at the embassy on Saturday, 14:00. Bring a friend."
CHATS = [7600000000 + i for i in range(200)]
REMINDED = [7700000000 + i for i in range(60)]
STOP_WITHIN_S = 10.0


def settings_for(database_url: str) -> Settings:
    return settings_on(database_url, organizers=f"telegram:{ORGANIZER['id']}")


def copies(fake: FakeTelegram, chats: list[int], words: str) -> Counter[int]:
    wanted = set(chats)
    return Counter(s.chat_id for s in fake.sent if s.chat_id in wanted and words in (s.text or ""))


async def states(database_url: str, table: str, where: str = "1 = 1") -> dict[str, int]:
    query = f"SELECT state, count(*) FROM {table} WHERE {where} GROUP BY state"
    return {str(state): int(str(count)) for state, count in await rows(database_url, query)}


# The reminders proper: the event's announcement to the same subscribers is its own row and
# message ("New event"), sent once too, and not what this test stops in the middle of.
REMINDERS = "kind = 'event'"
REMINDER_TEXT = "starts in"


async def test_sigterm_during_a_broadcast_loses_nobody_and_sends_nothing_twice(
    fake: FakeTelegram, bot: BotProcess
) -> None:
    for chat_id in CHATS:
        fake.chats[chat_id] = private_chat(user(chat_id, "en", "Ally"))
    core = await build_core(settings_for(bot.database_url), limiter=Unlimited())
    try:
        await add_subscribers(core.engine, "telegram", [str(c) for c in CHATS])
        store = SqlBroadcastStore(core.engine)
        organizer = Address("telegram", str(ORGANIZER["id"]))
        info = await store.create(
            NewBroadcast("events", Message(BROADCAST), organizer, "en", organizer, None),
            datetime.now(UTC),
        )
        assert info.total == len(CHATS)
        await store.transition(info.id, (BroadcastState.DRAFT,), BroadcastState.SENDING)
        await store.aclose()
    finally:
        await core.aclose()

    await bot.start()
    # A while into the fan-out (about five a second at this latency), the operator stops it.
    await fake.wait_until(lambda: sum(copies(fake, CHATS, BROADCAST).values()) >= 40, within=30)
    code, took = await bot.stop()
    assert code == 0, bot.stderr
    assert took < STOP_WITHIN_S, took
    assert "Traceback" not in bot.stderr
    delivered = copies(fake, CHATS, BROADCAST)
    assert len(delivered) < len(CHATS), "finished before the stop"
    recorded = await states(bot.database_url, "broadcast_recipients")
    assert "sending" not in recorded, recorded
    # Every message that arrived is recorded as sent, and only those.
    assert recorded.get("sent", 0) == len(delivered), (recorded, len(delivered))

    await bot.start()
    await fake.wait_until(lambda: len(copies(fake, CHATS, BROADCAST)) == len(CHATS), within=60)
    assert set(copies(fake, CHATS, BROADCAST).values()) == {1}  # nobody twice
    deadline = time.monotonic() + 10
    while (recorded := await states(bot.database_url, "broadcast_recipients")) != {
        "sent": len(CHATS)
    }:
        assert time.monotonic() < deadline, recorded
        await asyncio.sleep(0.1)


async def test_sigterm_during_a_reminder_tick_loses_nothing_and_sends_nothing_twice(
    fake: FakeTelegram, bot: BotProcess
) -> None:
    for chat_id in REMINDED:
        fake.chats[chat_id] = private_chat(user(chat_id, "en", "Ally"))
    # An event five minutes and a few seconds away, and sixty chats that asked to be reminded
    # five minutes before (`/reminders 5m`): planned now, due a few seconds from now.
    now = datetime.now(UTC)
    starts = (now + timedelta(minutes=5, seconds=8)).replace(tzinfo=None, microsecond=0)
    core = await build_core(settings_for(bot.database_url), limiter=Unlimited())
    try:
        await add_subscribers(core.engine, "telegram", [str(c) for c in REMINDED])
        for chat_id in REMINDED:
            await core.deps.events.set_leads(Address("telegram", str(chat_id)), (5,))
        draft = EventDraft(
            "Vigil for Chechnya", starts, starts + timedelta(hours=1), "UTC", "Square", "Come."
        )
        saved = await core.deps.events.save_draft(draft, None, now)
        assert await core.deps.events.confirm(saved.id, now) is not None
        await core.reminders.tick()  # plans them (no platform runs here, so nothing is sent)
    finally:
        await core.aclose()
    # The event's announcement to the same sixty went out when it was published, long ago as
    # far as this test cares: only the reminders are sent in the tick the stop interrupts.
    await execute(
        bot.database_url, "UPDATE reminder_plan SET state = 'sent' WHERE kind = 'announce'"
    )
    assert await states(bot.database_url, "reminder_plan", REMINDERS) == {"planned": len(REMINDED)}

    # They come due before the bot's second tick (30 s after its start), which sends all sixty;
    # the operator stops it part way.
    await bot.start()
    await fake.wait_until(
        lambda: sum(copies(fake, REMINDED, REMINDER_TEXT).values()) >= 10, within=45
    )
    code, took = await bot.stop()
    assert code == 0, bot.stderr
    assert took < STOP_WITHIN_S, took
    delivered = copies(fake, REMINDED, REMINDER_TEXT)
    assert len(delivered) < len(REMINDED), "finished before the stop"
    recorded = await states(bot.database_url, "reminder_plan", REMINDERS)
    assert "sending" not in recorded and "unconfirmed" not in recorded, recorded
    assert recorded.get("sent", 0) == len(delivered), (recorded, len(delivered))

    await bot.start()
    await fake.wait_until(
        lambda: len(copies(fake, REMINDED, REMINDER_TEXT)) == len(REMINDED), within=45
    )
    assert set(copies(fake, REMINDED, REMINDER_TEXT).values()) == {1}  # nobody twice
    assert "not resent" not in bot.stderr  # no reminder was left unconfirmed by the stop
